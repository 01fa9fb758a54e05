#include "lint/guards.h"

#include <cstdint>
#include <string>
#include <unordered_map>
#include <utility>

namespace regpol {

namespace {

// Guards known to hold, as bits: a policy has three, and the checker combines them at every
// `and` / `or` of chains tens of thousands long, so sets of strings were too slow.
using Facts = std::uint8_t;
constexpr Facts kScanned = 1, kPulled = 2, kHasSemver = 4;

Facts fact_of(const std::string& guard) {
  return guard == "scanned" ? kScanned : guard == "pulled" ? kPulled : guard == "has_semver" ? kHasSemver : 0;
}

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

class GuardChecker {
 public:
  GuardChecker(const sema::Env& env, DiagnosticSink& sink) : env_(env), sink_(sink) {}

  void check(const ast::Expr& e, Facts known) {
    if (e.kind == ast::ExprKind::Binary && (e.text == "and" || e.text == "or")) {
      // `and` and `or` evaluate left to right and stop early (docs/language.md): the right
      // side runs only when the left was true (`and`) or false (`or`).
      check(*e.items[0], known);
      check(*e.items[1], known | facts(*e.items[0], e.text == "and"));
      return;
    }
    std::string field = field_name(e, env_);
    if (!field.empty()) {
      std::string guard = needed_guard(field);
      if (!guard.empty() && !(known & fact_of(guard))) {
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

  // What holds when `e` evaluates to `value`; each node's pair is computed once (a chain's
  // left side is asked about at every level above it).
  Facts facts(const ast::Expr& e, bool value) {
    auto it = memo_.find(&e);
    if (it == memo_.end()) it = memo_.emplace(&e, compute(e)).first;
    return value ? it->second.first : it->second.second;
  }

  std::pair<Facts, Facts> compute(const ast::Expr& e) {
    switch (e.kind) {
      case ast::ExprKind::Paren: return {facts(*e.items[0], true), facts(*e.items[0], false)};
      case ast::ExprKind::Unary:
        if (e.text == "not") return {facts(*e.items[0], false), facts(*e.items[0], true)};
        return {0, 0};
      case ast::ExprKind::Name: return {fact_of(field_name(e, env_)), 0};
      case ast::ExprKind::Binary: {
        if (e.text != "and" && e.text != "or") return {0, 0};
        Facts lt = facts(*e.items[0], true), lf = facts(*e.items[0], false);
        Facts rt = facts(*e.items[1], true), rf = facts(*e.items[1], false);
        if (e.text == "and") return {static_cast<Facts>(lt | rt), static_cast<Facts>(lf & (lt | rf))};
        return {static_cast<Facts>(lt & (lf | rt)), static_cast<Facts>(lf | rf)};
      }
      default: return {0, 0};
    }
  }

  const sema::Env& env_;
  DiagnosticSink& sink_;
  std::unordered_map<const ast::Expr*, std::pair<Facts, Facts>> memo_;
};

}  // namespace

void check_guarded_reads(const ast::Expr& where, const sema::Env& env, DiagnosticSink& sink) {
  GuardChecker(env, sink).check(where, 0);
}

}  // namespace regpol
