#include "plan/guards.h"

#include <set>
#include <string>

namespace regpol {

namespace {

using Facts = std::set<std::string>;  // guards known to hold: "scanned", "pulled", "has_semver"

// The field an expression reads, if it is one (`scanned`, `findings.critical`), else "".
std::string field_name(const ast::Expr& e, const sema::Env& env) {
  if (e.kind == ast::ExprKind::Name) return env.find(e.text) ? "" : e.text;
  if (e.kind == ast::ExprKind::Member && e.items[0]->kind == ast::ExprKind::Name) return e.items[0]->text + "." + e.text;
  return "";
}

// The guard a field needs, or "" when every image has it.
std::string needed_guard(const std::string& field) {
  if (field.rfind("findings.", 0) == 0) return "scanned";
  if (field == "last_pulled_at") return "pulled";
  if (field.rfind("semver.", 0) == 0) return "has_semver";
  return "";
}

Facts intersect(const Facts& a, const Facts& b) {
  Facts out;
  for (const auto& x : a) {
    if (b.count(x)) out.insert(x);
  }
  return out;
}

Facts unite(Facts a, const Facts& b) {
  a.insert(b.begin(), b.end());
  return a;
}

class GuardChecker {
 public:
  GuardChecker(const sema::Env& env, DiagnosticSink& sink) : env_(env), sink_(sink) {}

  // What holds when `e` evaluates to true / to false.
  Facts when_true(const ast::Expr& e) const { return facts(e, true); }
  Facts when_false(const ast::Expr& e) const { return facts(e, false); }

  void check(const ast::Expr& e, const Facts& known) {
    if (e.kind == ast::ExprKind::Binary && (e.text == "and" || e.text == "or")) {
      // `and` and `or` evaluate left to right and stop early (docs/language.md): the right
      // side runs only when the left was true (`and`) or false (`or`).
      check(*e.items[0], known);
      check(*e.items[1], unite(known, e.text == "and" ? when_true(*e.items[0]) : when_false(*e.items[0])));
      return;
    }
    std::string field = field_name(e, env_);
    if (!field.empty()) {
      std::string guard = needed_guard(field);
      if (!guard.empty() && !known.count(guard)) {
        auto& d = sink_.warning("W1011", e.span, "`" + field + "` is read without `" + guard + "`: an image " + missing(guard) +
                                                     " stops `plan` with E0601");
        d.help = "guard the read: `" + guard + " and " + field + " …`";
      }
      return;
    }
    for (const auto& i : e.items) {
      if (i) check(*i, known);
    }
  }

 private:
  static std::string missing(const std::string& guard) {
    return guard == "scanned" ? "that was never scanned" : guard == "pulled" ? "that was never pulled" : "without a version tag";
  }

  Facts facts(const ast::Expr& e, bool value) const {
    switch (e.kind) {
      case ast::ExprKind::Paren: return facts(*e.items[0], value);
      case ast::ExprKind::Unary: return e.text == "not" ? facts(*e.items[0], !value) : Facts{};
      case ast::ExprKind::Name: {
        std::string f = field_name(e, env_);
        if (value && (f == "scanned" || f == "pulled" || f == "has_semver")) return {f};
        return {};
      }
      case ast::ExprKind::Binary:
        if (e.text == "and") {
          return value ? unite(facts(*e.items[0], true), facts(*e.items[1], true))
                       : intersect(facts(*e.items[0], false), unite(facts(*e.items[0], true), facts(*e.items[1], false)));
        }
        if (e.text == "or") {
          return value ? intersect(facts(*e.items[0], true), unite(facts(*e.items[0], false), facts(*e.items[1], true)))
                       : unite(facts(*e.items[0], false), facts(*e.items[1], false));
        }
        return {};
      default: return {};
    }
  }

  const sema::Env& env_;
  DiagnosticSink& sink_;
};

}  // namespace

void check_guarded_reads(const ast::Expr& where, const sema::Env& env, DiagnosticSink& sink) {
  GuardChecker(env, sink).check(where, {});
}

}  // namespace regpol
