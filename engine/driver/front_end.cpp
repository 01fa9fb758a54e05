#include "driver/front_end.h"


#include "parse/parser.h"
#include "util/read_file.h"

namespace regpol {

LoadedPolicy load_policy_text(const std::string& name, std::string text, SourceMap& sources, DiagnosticSink& sink) {
  LoadedPolicy p;
  p.file = sources.add(name, std::move(text));
  std::size_t before = sink.error_count();
  p.ast = parse_policy(sources, p.file, sink);
  p.syntax_ok = sink.error_count() == before;
  return p;
}

LoadedPolicy load_policy(const std::string& path, SourceMap& sources, DiagnosticSink& sink) {
  ReadFileResult read = read_file_limited(path, kMaxPolicyFileBytes);
  if (!read.ok) {
    LoadedPolicy p;
    p.file = sources.add(path, "");
    p.read_ok = p.syntax_ok = false;
    auto& d = sink.error("E0110", {p.file, 0, 0}, read.error);
    d.has_span = false;
    return p;
  }
  return load_policy_text(path, std::move(read.text), sources, sink);
}

}  // namespace regpol
