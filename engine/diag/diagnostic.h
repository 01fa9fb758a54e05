#pragma once
// Diagnostics are data: every stage appends to a DiagnosticSink and carries on; the sink
// sorts, de-duplicates and caps. Codes are stable (see diag/codes.h and docs/diagnostics.md);
// tests assert on codes and positions, never on wording.
#include <string>
#include <vector>

#include "source/source_file.h"

namespace regpol {

enum class Severity { Error, Warning, Note };

const char* severity_name(Severity s);

struct Label {
  Span span;
  std::string message;
};

struct Diagnostic {
  std::string code;  // "E0101", "W1003", ...
  Severity severity = Severity::Error;
  Span span;
  bool has_span = true;  // false for diagnostics about a whole run (no file position)
  std::string message;   // one line, lowercase, names in backticks
  std::vector<Label> labels;
  std::vector<std::string> notes;
  std::string help;
};

class DiagnosticSink {
 public:
  explicit DiagnosticSink(std::size_t cap = 200) : cap_(cap) {}

  Diagnostic& add(std::string code, Severity severity, Span span, std::string message);
  Diagnostic& error(std::string code, Span span, std::string message) {
    return add(std::move(code), Severity::Error, span, std::move(message));
  }
  Diagnostic& warning(std::string code, Span span, std::string message) {
    return add(std::move(code), Severity::Warning, span, std::move(message));
  }

  bool has_errors() const;
  std::size_t error_count() const;
  std::size_t warning_count() const;
  bool empty() const { return items_.empty(); }
  // Sorted by file, offset, code; duplicates (same code and span) removed; capped.
  std::vector<Diagnostic> sorted() const;
  const std::vector<Diagnostic>& raw() const { return items_; }
  void clear() { items_.clear(); }

 private:
  std::size_t cap_;
  std::vector<Diagnostic> items_;
};

}  // namespace regpol
