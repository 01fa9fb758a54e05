// `prove "NAME" { … }`: an access property, checked here for what regpol can prove (an
// `allow` statement naming the requests, repositories to cover, a file to compare with);
// whether it holds is `regpol prove`'s question (engine/verify).
#include <algorithm>

#include "sema/checker.h"

namespace regpol::sema {

std::optional<CheckedProperty> Checker::property(const ast::Prove& p, const Module& m, const CheckedScope* scope) {
  CheckedProperty out;
  out.name = p.name;
  out.quantifier = p.quantifier;
  out.span = p.span;
  bool ok = true;
  if (p.name.empty()) {
    sink_.error("E0313", p.span, "a property needs a name").help = "write `prove \"what it says\" { … }`";
    ok = false;
  }
  if (scope) {
    if (p.has_for) {
      sink_.error("E0313", p.span, "a property in a repository block covers that block's repositories: it takes no `for`").help =
          "remove `for …`, or move the property to the top level of the file";
      ok = false;
    }
    out.repositories = scope->is_defaults ? std::vector<std::string>{"*"} : scope->patterns;
    out.defaults_only = scope->is_defaults;
    out.excepts = scope->excepts;
  } else if (p.has_for) {
    for (const auto& e : p.repositories) {
      if (auto l = strings(*e, *m.env, m, "repository patterns")) out.repositories.insert(out.repositories.end(), l->begin(), l->end());
    }
    for (const auto& e : p.excepts) {
      if (auto l = strings(*e, *m.env, m, "repository patterns")) out.excepts.insert(out.excepts.end(), l->begin(), l->end());
    }
  } else {
    out.repositories = {"*"};
  }
  if (p.quantifier.empty()) {
    out.than = p.than;
    out.than_span = p.than_span;
    if (p.than.empty()) {
      sink_.error("E0313", p.than_span, "`no new access than` needs the policy file it is compared with").help =
          "write `no new access than \"old.regpol\"` (a path relative to this file, or an IAM policy document `*.json`)";
      ok = false;
    }
    return ok ? std::optional<CheckedProperty>(std::move(out)) : std::nullopt;
  }
  const ast::AccessStmt& s = p.statement;
  if (!s.allow) {
    sink_.error("E0313", s.span, "a property says which requests are never or always allowed: `" + p.quantifier + " allow …`").help =
        "write `never allow ACTIONS to PRINCIPALS …` or `always allow …`";
    ok = false;
  }
  if (s.sid) {
    sink_.error("E0313", s.span, "a property's statement takes no `sid`: the property's name says what it is").help = "remove `sid \"…\"`";
    ok = false;
  }
  out.statement = access_statement(s, m, *m.env);
  return ok ? std::optional<CheckedProperty>(std::move(out)) : std::nullopt;
}

}  // namespace regpol::sema
