#include "driver/front_end.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "parse/parser.h"

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
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    LoadedPolicy p;
    p.file = sources.add(path, "");
    p.read_ok = p.syntax_ok = false;
    auto& d = sink.error("E0110", {p.file, 0, 0}, std::string("cannot read policy file: ") + std::strerror(errno));
    d.has_span = false;
    d.message = "cannot read `" + path + "`: " + std::strerror(errno);
    return p;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return load_policy_text(path, ss.str(), sources, sink);
}

}  // namespace regpol
