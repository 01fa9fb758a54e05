#pragma once
// The front-end stages every command shares: read -> parse (-> check, when sema lands).
// Stages append to one DiagnosticSink and carry on, so one run reports every problem.
#include <optional>
#include <string>

#include "diag/diagnostic.h"
#include "syntax/ast.h"

namespace regpol {

struct LoadedPolicy {
  FileId file = 0;
  ast::File ast;
  bool read_ok = true;
  bool syntax_ok = true;
};

// Reads and parses `path`; a file that cannot be read gets E0110.
LoadedPolicy load_policy(const std::string& path, SourceMap& sources, DiagnosticSink& sink);
// Same for text already in memory (tests, stdlib).
LoadedPolicy load_policy_text(const std::string& name, std::string text, SourceMap& sources, DiagnosticSink& sink);

}  // namespace regpol
