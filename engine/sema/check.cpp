// check_policy: the walk over the main file, its blocks and tests, and what is never used.
#include "sema/check.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <type_traits>

#include "diag/suggest.h"
#include "sema/checker.h"
#include "util/time.h"

namespace regpol::sema {

std::unique_ptr<CheckedPolicy> Checker::run(ast::File main) {
  auto policy = std::make_unique<CheckedPolicy>();
  policy_ = policy.get();
  policy->files.push_back(std::make_unique<ast::File>(std::move(main)));
  const ast::File& f = *policy->files.front();
  if (f.policy_name) policy->name = *f.policy_name;
  Module root = module_of(f, /*is_main=*/true);
  for (const auto& item : f.items) {
    if (const auto* r = std::get_if<ast::RepositoryBlock>(&item)) scope(*r, root);
    if (const auto* r = std::get_if<ast::RegistryBlock>(&item)) registry(*r, root);
    if (const auto* p = std::get_if<ast::Prove>(&item)) {
      if (auto checked = property(*p, root, nullptr)) {
        for (const auto& earlier : policy->properties) {
          if (earlier.name == checked->name)
            sink_.error("E0203", p->span, "the property `" + p->name + "` is named twice").labels.push_back({earlier.span, "first named here"});
        }
        policy->properties.push_back(std::move(*checked));
      }
    }
    if (const auto* t = std::get_if<ast::TestBlock>(&item)) {
      CheckedTest test{t->name, {}, t->span};
      for (const auto& i : t->items) test.items.push_back(&i);
      policy->tests.push_back(std::move(test));
    }
  }
  // Templates of the main file that no `use` reached are still checked for names, so that
  // a `let` used only there is not reported unused.
  for (const auto& name : root.env->unused_names()) {
    for (const auto& item : f.items) {
      const auto* let = std::get_if<ast::Let>(&item);
      if (let && let->name == name && !used_in_templates(f, name))
        sink_.warning("W1008", let->span, "`" + name + "` is never used").help = "remove it, or use it in a rule";
    }
  }
  // Imports nothing reads, and (in a policy, not a module others import) templates no
  // `use` instantiates.
  const bool is_policy = std::any_of(f.items.begin(), f.items.end(), [](const ast::Item& i) { return std::holds_alternative<ast::RepositoryBlock>(i) || std::holds_alternative<ast::RegistryBlock>(i); });
  for (const auto& item : f.items) {
    if (const auto* imp = std::get_if<ast::Import>(&item)) {
      auto it = root.imports.find(imp->alias);
      if (it != root.imports.end() && !used_modules_.count(it->second.get()))
        sink_.warning("W2205", imp->span, "import `" + imp->alias + "` is never used").help = "remove it";
    } else if (const auto* t = std::get_if<ast::Template>(&item); t && is_policy && !used_templates_.count(t)) {
      sink_.warning("W2204", t->span, "template `" + t->name + "` is never used").help = "remove it, or `use` it in a block";
    }
  }
  int defaults = 0;
  for (const auto& s : policy->scopes) {
    if (s.is_defaults && ++defaults == 2) sink_.error("E0203", s.span, "more than one `defaults` block");
  }
  return policy;
}

// True when a template of `f` names `name` anywhere in its body (its use may be elsewhere).
bool Checker::used_in_templates(const ast::File& f, const std::string& name) {
  for (const auto& item : f.items) {
    const auto* t = std::get_if<ast::Template>(&item);
    if (!t) continue;
    const ast::RuleBody& b = t->body;
    for (const ast::Expr* e : {b.selection.list.get(), b.selection.where.get(), b.action.amount.get(), b.action.per.get()}) {
      if (e && names(*e, name)) return true;
    }
    for (const auto& st : t->statements) {
      for (const auto& e : st.on_tags) {
        if (e && names(*e, name)) return true;
      }
      for (const auto& p : st.principals) {
        if (p.value && names(*p.value, name)) return true;
      }
      for (const auto& c : st.clauses) {
        for (const auto& k : c.conditions) {
          if (k.value && names(*k.value, name)) return true;
        }
      }
    }
    for (const auto& p : t->params) {
      if (p.default_value && names(*p.default_value, name)) return true;
    }
  }
  return false;
}

void Checker::mark_names_used(const ast::Expr& e, const Env& env) {
  if (e.kind == ast::ExprKind::Name) env.find(e.text);
  for (const auto& i : e.items) {
    if (i) mark_names_used(*i, env);
  }
}

bool Checker::names(const ast::Expr& e, const std::string& name) {
  if (e.kind == ast::ExprKind::Name && e.text == name) return true;
  for (const auto& i : e.items) {
    if (i && names(*i, name)) return true;
  }
  return false;
}

void Checker::scope(const ast::RepositoryBlock& r, const Module& m) {
  CheckedScope sc;
  sc.is_defaults = r.is_defaults;
  sc.span = r.span;
  for (const auto& e : r.patterns) {
    if (auto l = strings(*e, *m.env, m, "repository patterns")) sc.patterns.insert(sc.patterns.end(), l->begin(), l->end());
  }
  for (const auto& e : r.excepts) {
    if (auto l = strings(*e, *m.env, m, "repository patterns")) sc.excepts.insert(sc.excepts.end(), l->begin(), l->end());
  }
  bool lifecycle_seen = false, access_seen = false, gate_seen = false;
  for (const auto& item : r.items) {
    if (const auto* mu = std::get_if<ast::Mutability>(&item)) mutability(*mu, sc, m);
    else if (const auto* s = std::get_if<ast::Scan>(&item)) scan_setting(*s, sc);
    else if (const auto* q = std::get_if<ast::Require>(&item)) require(*q, sc, m);
    else if (const auto* l = std::get_if<ast::Lifecycle>(&item)) {
      if (lifecycle_seen) sink_.error("E0203", l->span, "a repository block holds one `lifecycle` block");
      lifecycle_seen = true;
      lifecycle(*l, sc, m);
    } else if (const auto* a = std::get_if<ast::Access>(&item)) {
      if (access_seen) sink_.error("E0203", a->span, "a repository block holds one `access` block");
      access_seen = true;
      sc.has_access = true;
      for (const auto& s : a->statements) statement(s, sc, m);
      for (const auto& u : a->uses) access_use(u, sc, m);
    } else if (const auto* p = std::get_if<ast::Prove>(&item)) {
      if (auto checked = property(*p, m, &sc)) {
        for (const auto& earlier : sc.properties) {
          if (earlier.name == checked->name)
            sink_.error("E0203", p->span, "the property `" + p->name + "` is named twice in this block").labels.push_back({earlier.span, "first named here"});
        }
        sc.properties.push_back(std::move(*checked));
      }
    } else if (const auto* g = std::get_if<ast::Gate>(&item)) {
      if (gate_seen) sink_.error("E0203", g->span, "a repository block holds one `gate` block");
      gate_seen = true;
      for (const auto& rule : g->rules) {
        for (const auto& earlier : sc.gate) {
          if (earlier.name == rule.name) {
            sink_.error("E0402", rule.span, "the gate rule `" + rule.name + "` is named twice in this block").labels.push_back({earlier.span, "first named here"});
          }
        }
        sc.gate.push_back({rule.name, selection(rule.selection, m.env, m), rule.span});
      }
    }
  }
  policy_->scopes.push_back(std::move(sc));
}

std::unique_ptr<CheckedPolicy> check_policy(ast::File main, SourceMap& sources, DiagnosticSink& sink, ModuleLoader& loader) {
  Checker c(sources, sink, loader);
  return c.run(std::move(main));
}

}  // namespace regpol::sema
