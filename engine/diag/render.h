#pragma once
// Renderers for diagnostics: human (with carets), json (one document), sarif 2.1.0.
#include <string>
#include <vector>

#include "diag/diagnostic.h"
#include "source/source_file.h"

namespace regpol {

struct RenderOptions {
  bool color = false;
};

// file:line:col: severity[CODE]: message, the source line, a caret line, help and notes.
// The caret line copies the tabs of the source line so that it stays aligned whatever the
// terminal's tab width, and counts code points so multi-byte characters take one column.
std::string render_human(const SourceMap& sources, const std::vector<Diagnostic>& diags,
                         const RenderOptions& options = {});
std::string render_json(const SourceMap& sources, const std::vector<Diagnostic>& diags);
std::string render_sarif(const SourceMap& sources, const std::vector<Diagnostic>& diags);

// "file:line:col" of a span's start.
std::string location_string(const SourceMap& sources, Span span);

}  // namespace regpol
