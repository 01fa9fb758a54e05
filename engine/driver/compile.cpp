#include "driver/compile.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "parse/parser.h"
#include "plan/lower.h"
#include "sema/check.h"
#include "stdlib/embedded.h"

namespace regpol {

namespace {

// std/NAME comes from the embedded stdlib; anything else is a path relative to the file
// that imports it (".regpol" may be left out).
class Loader : public sema::ModuleLoader {
 public:
  std::optional<ast::File> load(const std::string& spec, FileId importer, SourceMap& sources, DiagnosticSink& sink) override {
    if (spec.rfind("std/", 0) == 0) {
      std::string want = spec + (spec.size() > 7 && spec.compare(spec.size() - 7, 7, ".regpol") == 0 ? "" : ".regpol");
      for (const auto& [name, text] : stdlib::embedded_files()) {
        if (name == want) {
          FileId id = sources.add("<stdlib>/" + want, std::string(text));
          return parse_policy(sources, id, sink);
        }
      }
      return std::nullopt;
    }
    std::filesystem::path base = std::filesystem::path(sources.file(importer).name()).parent_path();
    std::filesystem::path p = base / spec;
    if (!std::filesystem::exists(p) && p.extension() != ".regpol") p += ".regpol";
    std::ifstream in(p, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream ss;
    ss << in.rdbuf();
    FileId id = sources.add(p.lexically_normal().string(), ss.str());
    return parse_policy(sources, id, sink);
  }
};

CompiledPolicy finish(LoadedPolicy loaded, SourceMap& sources, DiagnosticSink& sink) {
  CompiledPolicy out;
  std::size_t errors_before = sink.error_count();
  bool parsed = loaded.read_ok && loaded.syntax_ok;
  out.loaded.file = loaded.file;
  out.loaded.read_ok = loaded.read_ok;
  out.loaded.syntax_ok = loaded.syntax_ok;
  if (!parsed) return out;
  Loader loader;
  out.checked = sema::check_policy(std::move(loaded.ast), sources, sink, loader);
  out.plan = lower_policy(*out.checked, sources, sink);
  out.ok = sink.error_count() == errors_before;
  return out;
}

}  // namespace

CompiledPolicy compile_policy_file(const std::string& path, SourceMap& sources, DiagnosticSink& sink) {
  return finish(load_policy(path, sources, sink), sources, sink);
}

CompiledPolicy compile_policy_text(const std::string& name, std::string text, SourceMap& sources, DiagnosticSink& sink) {
  return finish(load_policy_text(name, std::move(text), sources, sink), sources, sink);
}

}  // namespace regpol
