#include "driver/compile.h"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "diag/render.h"
#include "driver/exit_code.h"
#include "parse/parser.h"
#include "plan/print.h"
#include "lower/lower.h"
#include "sema/check.h"
#include "stdlib/embedded.h"
#include "util/read_file.h"

namespace regpol {

namespace {

namespace fs = std::filesystem;

bool inside(const fs::path& root, const fs::path& p) {
  auto r = root.begin(), q = p.begin();
  for (; r != root.end(); ++r, ++q) {
    if (r->empty()) continue;  // a trailing separator
    if (q == p.end() || *r != *q) return false;
  }
  return true;
}

bool is_stdlib_file(const std::string& name) { return name.rfind("<stdlib>/", 0) == 0; }

// std/NAME comes from the embedded stdlib; anything else is a `.regpol` file relative to the
// file that imports it, confined to the import root (confine_path).
class Loader : public sema::ModuleLoader {
 public:
  explicit Loader(std::string root) : root_(std::move(root)) {}

  sema::ResolvedModule resolve(const std::string& spec, FileId importer, const SourceMap& sources) override {
    sema::ResolvedModule r;
    const std::string& from = sources.file(importer).name();
    if (spec.rfind("std/", 0) == 0) {
      std::string want = spec + (spec.size() > 7 && spec.compare(spec.size() - 7, 7, ".regpol") == 0 ? "" : ".regpol");
      for (const auto& [name, text] : stdlib::embedded_files()) {
        if (name == want) {
          r.status = sema::ResolvedModule::Status::Found;
          r.key = "<stdlib>/" + want;
        }
      }
      return r;
    }
    if (is_stdlib_file(from)) {
      r.status = sema::ResolvedModule::Status::Refused;
      r.reason = "a stdlib module imports only `std/...` modules";
      return r;
    }
    std::string file = spec;
    if (file.size() < 7 || file.compare(file.size() - 7, 7, ".regpol") != 0) file += ".regpol";
    std::string resolved;
    r.reason = confine_path(root_, from, file, resolved);
    if (!r.reason.empty()) {
      r.status = sema::ResolvedModule::Status::Refused;
      return r;
    }
    std::error_code ec;
    if (!fs::exists(resolved, ec)) return r;
    r.status = sema::ResolvedModule::Status::Found;
    r.key = resolved;
    return r;
  }

  std::optional<ast::File> load(const sema::ResolvedModule& module, SourceMap& sources, DiagnosticSink& sink,
                                std::string& error) override {
    if (is_stdlib_file(module.key)) {
      std::string want = module.key.substr(9);
      for (const auto& [name, text] : stdlib::embedded_files()) {
        if (name == want) return parse_policy(sources, sources.add(module.key, std::string(text)), sink);
      }
      error = "not in the stdlib";
      return std::nullopt;
    }
    ReadFileResult read = read_file_limited(module.key, kMaxPolicyFileBytes);
    if (!read.ok) {
      // read.error names the path; say only why, so nothing but the import string is quoted.
      error = read.error.substr(read.error.find("`: ") + 3);
      return std::nullopt;
    }
    return parse_policy(sources, sources.add(module.key, std::move(read.text)), sink);
  }

 private:
  std::string root_;
};

CompiledPolicy finish(LoadedPolicy loaded, SourceMap& sources, DiagnosticSink& sink, const CompileOptions& options) {
  CompiledPolicy out;
  std::size_t errors_before = sink.error_count();
  bool parsed = loaded.read_ok && loaded.syntax_ok;
  out.malformed = !parsed;
  out.loaded.file = loaded.file;
  out.loaded.read_ok = loaded.read_ok;
  out.loaded.syntax_ok = loaded.syntax_ok;
  if (!parsed) return out;
  Loader loader(effective_import_root(sources.file(loaded.file).name(), options));
  out.checked = sema::check_policy(std::move(loaded.ast), sources, sink, loader);
  out.plan = lower_policy(*out.checked, sources, sink);
  out.ok = sink.error_count() == errors_before;
  for (const auto& d : sink.raw()) out.malformed = out.malformed || d.code.rfind("E01", 0) == 0;
  return out;
}

}  // namespace

CompiledPolicy compile_policy_file(const std::string& path, SourceMap& sources, DiagnosticSink& sink,
                                   const CompileOptions& options) {
  return finish(load_policy(path, sources, sink), sources, sink, options);
}

CompiledPolicy compile_policy_text(const std::string& name, std::string text, SourceMap& sources, DiagnosticSink& sink,
                                   const CompileOptions& options) {
  return finish(load_policy_text(name, std::move(text), sources, sink), sources, sink, options);
}

std::string effective_import_root(const std::string& policy_path, const CompileOptions& options) {
  std::error_code ec;
  fs::path root;
  if (!options.import_root.empty()) root = options.import_root;
  else if (fs::is_regular_file(policy_path, ec)) root = fs::path(policy_path).parent_path();
  if (root.empty()) root = ".";
  fs::path abs = fs::weakly_canonical(fs::absolute(root, ec), ec);
  return (ec ? fs::absolute(root).lexically_normal() : abs).string();
}

std::string confine_path(const std::string& root_text, const std::string& from, const std::string& relative, std::string& out) {
  fs::path rel(relative);
  if (rel.is_absolute()) return "absolute paths are not allowed";
  std::error_code ec;
  fs::path root = fs::weakly_canonical(fs::absolute(root_text, ec), ec);
  // Paths resolve against the folder of the file that names them (a pipe: against the root).
  fs::path base = fs::is_regular_file(from, ec) ? fs::weakly_canonical(fs::absolute(from, ec).parent_path(), ec) : root;
  fs::path target = (base / rel).lexically_normal();
  if (!inside(root, target)) return "it leaves the import root `" + root_text + "`";
  fs::path real = fs::weakly_canonical(target, ec);
  if (ec) real = target;
  if (!inside(root, real)) return "it leaves the import root `" + root_text + "` through a symbolic link";
  if (fs::exists(real, ec) && !fs::is_regular_file(real, ec)) return "it is not a regular file";
  out = real.string();
  return "";
}

std::string compiled_plan_text(const PolicyPlan& plan, bool json) { return json ? plan_to_json(plan).dump(2) + "\n" : plan_to_text(plan); }

int compile_policy_or_fail(const std::string& path, SourceMap& sources, const CompileOptions& options, int errors_exit,
                           const std::string& consequence, CompiledPolicy& out) {
  DiagnosticSink sink;
  out = compile_policy_file(path, sources, sink, options);
  if (out.ok) return kOk;
  std::cerr << render_human(sources, sink.sorted(), {false});
  return fail(out.malformed ? kBadInput : errors_exit, path + ": the policy has errors; nothing was " + consequence);
}

}  // namespace regpol
