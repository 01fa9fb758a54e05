#include "diag/diagnostic.h"

#include <algorithm>
#include <tuple>

namespace regpol {

const char* severity_name(Severity s) {
  switch (s) {
    case Severity::Error: return "error";
    case Severity::Warning: return "warning";
    case Severity::Note: return "note";
  }
  return "error";
}

Diagnostic& DiagnosticSink::add(std::string code, Severity severity, Span span, std::string message) {
  Diagnostic d;
  d.code = std::move(code);
  d.severity = severity;
  d.span = span;
  d.message = std::move(message);
  items_.push_back(std::move(d));
  return items_.back();
}

bool DiagnosticSink::has_errors() const { return error_count() > 0; }

std::size_t DiagnosticSink::error_count() const {
  return static_cast<std::size_t>(std::count_if(items_.begin(), items_.end(), [](const Diagnostic& d) {
    return d.severity == Severity::Error;
  }));
}

std::size_t DiagnosticSink::warning_count() const {
  return static_cast<std::size_t>(std::count_if(items_.begin(), items_.end(), [](const Diagnostic& d) {
    return d.severity == Severity::Warning;
  }));
}

std::vector<Diagnostic> DiagnosticSink::sorted() const {
  std::vector<Diagnostic> out = items_;
  auto key = [](const Diagnostic& d) {
    return std::make_tuple(!d.has_span, d.span.file, d.span.begin, d.code, d.span.end, d.message);
  };
  std::stable_sort(out.begin(), out.end(), [&](const Diagnostic& a, const Diagnostic& b) { return key(a) < key(b); });
  out.erase(std::unique(out.begin(), out.end(),
                        [](const Diagnostic& a, const Diagnostic& b) {
                          return a.code == b.code && a.span.file == b.span.file &&
                                 a.span.begin == b.span.begin && a.has_span == b.has_span;
                        }),
            out.end());
  if (out.size() > cap_) out.resize(cap_);
  return out;
}

}  // namespace regpol
