// Imports: modules resolved, loaded once, cycles refused; unknown names with a "did you mean".

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <type_traits>

#include "diag/suggest.h"
#include "sema/checker.h"
#include "util/time.h"

namespace regpol::sema {

// Imports, lets and templates of one file.
Checker::Module Checker::module_of(const ast::File& f, bool is_main) {
  Module m;
  m.env = std::make_shared<Env>();
  std::set<std::string> names;
  for (const auto& item : f.items) {
    if (const auto* imp = std::get_if<ast::Import>(&item)) {
      if (!names.insert(imp->alias).second) sink_.error("E0203", imp->span, "`" + imp->alias + "` is defined twice");
      if (auto sub = import_module(*imp, f.file)) m.imports[imp->alias] = sub;
    } else if (const auto* let = std::get_if<ast::Let>(&item)) {
      if (!names.insert(let->name).second) {
        sink_.error("E0203", let->span, "`" + let->name + "` is defined twice");
        continue;
      }
      if (auto v = eval(*let->value, *m.env, m)) m.env->bind(let->name, *v);
    } else if (const auto* t = std::get_if<ast::Template>(&item)) {
      if (!names.insert(t->name).second) sink_.error("E0203", t->span, "`" + t->name + "` is defined twice");
      m.templates[t->name] = t;
    } else if (!is_main) {
      auto sp = std::visit([](const auto& x) { return x.span; }, item);
      sink_.warning("W1010", sp, "a module's repository, defaults, registry, test and prove blocks are ignored by importers");
    }
  }
  return m;
}

std::shared_ptr<Checker::Module> Checker::import_module(const ast::Import& imp, FileId importer) {
  ResolvedModule where = loader_.resolve(imp.path, importer, sources_);
  if (where.status == ResolvedModule::Status::Refused) {
    auto& d = sink_.error("E0206", imp.span, "import `" + imp.path + "` is not allowed: " + where.reason);
    d.help = "import `std/...` modules, or `.regpol` files inside the import root (the policy's folder, or `--import-root DIR`)";
    return nullptr;
  }
  if (where.status == ResolvedModule::Status::NotFound) {
    auto& d = sink_.error("E0202", imp.span, "cannot find module `" + imp.path + "`");
    d.help = "stdlib modules are `std/retention`, `std/access`, `std/mutability`; other paths are relative to the importing file";
    return nullptr;
  }
  if (std::find(stack_.begin(), stack_.end(), where.key) != stack_.end()) {
    sink_.error("E0204", imp.span, "import cycle through `" + imp.path + "`");
    return nullptr;
  }
  auto cached = cache_.find(where.key);
  if (cached != cache_.end()) return cached->second;
  std::string error;
  auto file = loader_.load(where, sources_, sink_, error);
  if (!file) {
    sink_.error("E0202", imp.span, "cannot read module `" + imp.path + "`: " + error);
    return nullptr;
  }
  policy_->files.push_back(std::make_unique<ast::File>(std::move(*file)));
  const ast::File& f = *policy_->files.back();
  stack_.push_back(where.key);
  auto m = std::make_shared<Module>(module_of(f, false));
  stack_.pop_back();
  cache_[where.key] = m;
  return m;
}

void Checker::unknown_name(const std::string& name, Span sp, const std::vector<std::string>& candidates) {
  auto& d = sink_.error("E0201", sp, "unknown name `" + name + "`");
  if (auto s = closest_match(name, candidates)) d.help = "did you mean `" + *s + "`?";
}

}  // namespace regpol::sema
