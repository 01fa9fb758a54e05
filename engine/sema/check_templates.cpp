// Templates and `use`: arguments bound to parameters, in lifecycle and access blocks.

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <type_traits>

#include "diag/suggest.h"
#include "sema/checker.h"
#include "util/time.h"

namespace regpol::sema {

// The template a `use` names, with its arguments evaluated and bound; nullopt after
// reporting why not. `access`: the use is in an access block.
std::optional<Checker::Bound> Checker::bind_template(const ast::Use& u, const Module& m, bool access) {
  const ast::Template* t = nullptr;
  const Module* owner = &m;
  std::string full;
  for (const auto& n : u.name) full += (full.empty() ? "" : ".") + n;
  if (u.name.size() == 1) {
    auto it = m.templates.find(u.name[0]);
    if (it != m.templates.end()) t = it->second;
  } else if (u.name.size() == 2) {
    auto mod = m.imports.find(u.name[0]);
    if (mod != m.imports.end()) {
      used_modules_.insert(mod->second.get());
      owner = mod->second.get();
      auto it = owner->templates.find(u.name[1]);
      if (it != owner->templates.end()) t = it->second;
    }
  }
  if (t) used_templates_.insert(t);
  if (!t) {
    std::vector<std::string> candidates;
    for (const auto& [name, _] : m.templates) candidates.push_back(name);
    for (const auto& [alias, mod] : m.imports) {
      for (const auto& [name, _] : mod->templates) candidates.push_back(alias + "." + name);
    }
    auto& d = sink_.error("E0205", u.span, "unknown template `" + full + "`");
    if (auto s = closest_match(full, candidates)) d.help = "did you mean `" + *s + "`?";
    return std::nullopt;
  }
  if (t->access != access) {
    auto& d = sink_.error("E0205", u.span, "template `" + full + "` holds " + (t->access ? "access statements" : "a lifecycle rule"));
    d.help = t->access ? "use it in an `access` block, without a priority" : "use it in a `lifecycle` block, with a priority";
    return std::nullopt;
  }
  auto env = std::make_shared<Env>(owner->env);
  std::vector<bool> bound(t->params.size(), false);
  std::size_t positional = 0;
  bool ok = true;
  std::vector<std::pair<std::size_t, Value>> values;
  for (const auto& a : u.args) {
    std::size_t index = t->params.size();
    if (a.name.empty()) {
      index = positional++;
      if (index >= t->params.size()) {
        sink_.error("E0205", a.value->span, "template `" + full + "` takes " + std::to_string(t->params.size()) + " arguments");
        ok = false;
        continue;
      }
    } else {
      for (std::size_t i = 0; i < t->params.size(); ++i) {
        if (t->params[i].name == a.name) index = i;
      }
      if (index == t->params.size()) {
        std::vector<std::string> names;
        for (const auto& p : t->params) names.push_back(p.name);
        auto& d = sink_.error("E0205", a.value->span, "template `" + full + "` has no parameter `" + a.name + "`");
        if (auto s = closest_match(a.name, names)) d.help = "did you mean `" + *s + "`?";
        ok = false;
        continue;
      }
    }
    if (bound[index]) {
      sink_.error("E0205", a.value->span, "parameter `" + t->params[index].name + "` is given twice");
      ok = false;
      continue;
    }
    bound[index] = true;
    if (auto v = eval(*a.value, *m.env, m)) values.emplace_back(index, *v);
    else ok = false;
  }
  for (std::size_t i = 0; i < t->params.size(); ++i) {
    if (bound[i]) continue;
    if (!t->params[i].default_value) {
      sink_.error("E0205", u.span, "template `" + full + "` needs an argument for `" + t->params[i].name + "`");
      ok = false;
    } else if (auto v = eval(*t->params[i].default_value, *owner->env, *owner)) {
      values.emplace_back(i, *v);
    } else {
      ok = false;
    }
  }
  if (!ok) return std::nullopt;
  for (auto& [i, v] : values) env->bind(t->params[i].name, v);
  return Bound{t, owner, env, full};
}

void Checker::use(const ast::Use& u, CheckedScope& sc, const Module& m) {
  auto b = bind_template(u, m, false);
  if (!b) return;
  const ast::Template* t = b->t;
  const std::string& full = b->full;
  auto checked = rule_body(t->body, b->env, *b->owner);
  if (!checked) return;
  if (!priority(u.priority, u.span, checked->priority)) return;
  checked->description = t->description.value_or(full);
  checked->span = u.span;
  sc.rules.push_back(std::move(*checked));
}

// `use ALIAS.TEMPLATE(ARGS)` in an access block: the template's statements, with the
// parameters bound, join the block's (their locations are the template's lines).
void Checker::access_use(const ast::Use& u, CheckedScope& sc, const Module& m) {
  auto b = bind_template(u, m, true);
  if (!b) return;
  for (const auto& st : b->t->statements) statement(st, sc, *b->owner, *b->env);
}

}  // namespace regpol::sema
