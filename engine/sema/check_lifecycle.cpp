// Lifecycle rules: selections, actions, priorities.

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <type_traits>

#include "diag/suggest.h"
#include "sema/checker.h"
#include "util/time.h"

namespace regpol::sema {

CheckedSelection Checker::selection(const ast::Selection& s, const std::shared_ptr<const Env>& env, const Module& m) {
  CheckedSelection out;
  out.tags = s.tags;
  out.list_kind = s.list_kind;
  out.storage = s.storage;
  out.where = s.where.get();
  out.span = s.span;
  out.env = env;
  // `where` is compiled later (plan/predicate); the constants it names are used now, for
  // the unused-`let` lint.
  if (s.where) mark_names_used(*s.where, *env);
  if (s.list) {
    const bool types = s.list_kind == "type";
    if (auto l = strings(*s.list, *env, m, types ? "artifact types" : "tag prefixes and patterns")) {
      out.list = *l;
      if (out.list.empty()) sink_.error("E0302", s.list->span, types ? "an artifact type list needs at least one entry" : "a tag list needs at least one entry");
      for (const auto& p : out.list) {
        if (p.empty()) sink_.error("E0302", s.list->span, types ? "an empty artifact type matches nothing" : "an empty tag prefix or pattern matches nothing useful");
      }
    }
  }
  if (s.tags == ast::Selection::Tags::Tagged && !s.list) {
    sink_.warning("W1009", s.span, "`select tagged` without a prefix or pattern list matches every tagged image")
        .help = "ECR needs a list: write `select tagged pattern [\"*\"]` to say so explicitly";
  }
  return out;
}

std::optional<CheckedRule> Checker::rule_body(const ast::RuleBody& b, const std::shared_ptr<const Env>& env, const Module& m) {
  CheckedRule r;
  r.selection = selection(b.selection, env, m);
  r.env = env;
  const ast::Action& a = b.action;
  r.kind = a.kind;
  r.verb = a.verb;
  r.order = a.order;
  r.per = a.per.get();
  r.action_span = a.span;
  auto amount = eval(*a.amount, *env, m);
  if (!amount) return std::nullopt;
  bool count_kind = a.kind == ast::Action::Kind::KeepNewest || a.kind == ast::Action::Kind::AllButNewest;
  if (count_kind) {
    if (amount->type != Type::Number || amount->number != std::floor(amount->number)) {
      sink_.error("E0301", a.amount->span, std::string("a count must be a whole number, not a ") + type_name(amount->type));
      return std::nullopt;
    }
    if (amount->number < 1 || amount->number > 1e9) {
      sink_.error("E0302", a.amount->span, "a count must be at least 1");
      return std::nullopt;
    }
    r.count = static_cast<std::int64_t>(amount->number);
  } else {
    if (amount->type != Type::Duration) {
      auto& d = sink_.error("E0301", a.amount->span, std::string("an age must be a duration, not a ") + type_name(amount->type));
      if (amount->type == Type::Number) d.help = "add a unit: `" + std::to_string(static_cast<long long>(amount->number)) + "d`";
      return std::nullopt;
    }
    if (amount->micros <= 0) {
      sink_.error("E0302", a.amount->span, "an age must be longer than zero");
      return std::nullopt;
    }
    r.duration_us = amount->micros;
    if (amount->micros % kMicrosPerDay != 0) {
      sink_.warning("W1006", a.amount->span, "ECR counts ages in whole days; this age is not a whole number of days")
          .help = "regpol evaluates it exactly, but `export ecr` refuses it: use a number of days such as `2d`";
    }
  }
  if (!a.order.empty() && a.order != "semver" && a.order != "pushed") {
    auto& d = sink_.error("E0201", a.span, "unknown order `" + a.order + "`");
    d.help = "order `by semver` or `by pushed`";
  }
  // What ECR accepts for a rule (W1001-W1005) is checked once, on the lowered rule
  // (interop/ecr_lifecycle.h ecr_rule_problems), for regpol rules and ECR documents alike.
  if (a.verb == "untag") untag_rule(b.selection, a);
  bool archive_class = r.selection.storage == "archive";
  if (a.verb == "archive" && archive_class) {
    sink_.warning("W1007", a.span, "images in archive cannot be archived again: this rule never acts");
  }
  return r;
}

// An untag rule removes the tags its selection's prefix or pattern list names, from images
// in standard storage: without a list it would name no tags (or all of them).
void Checker::untag_rule(const ast::Selection& s, const ast::Action& a) {
  if (s.tags != ast::Selection::Tags::Tagged || s.list_kind.empty()) {
    sink_.error("E0311", s.span, "an untag rule removes the tags its selection names: say which, with `tagged prefix [...]` or `tagged pattern [...]`")
        .help = "for example `select tagged pattern [\"sha-*\"]` followed by `untag older than 30d`";
  }
  if (s.storage == "archive") sink_.error("E0311", s.span, "untag acts on images in standard storage; archived images keep their tags");
  if (a.kind == ast::Action::Kind::ArchivedFor) sink_.error("E0311", a.span, "untag has no `archived for` form: it acts on images in standard storage");
}

std::string Checker::selection_label(const ast::Selection& s) {
  const SourceFile& f = sources_.file(s.span.file);
  return f.text().substr(s.span.begin, s.span.end - s.span.begin);
}

void Checker::lifecycle(const ast::Lifecycle& l, CheckedScope& sc, const Module& m) {
  sc.has_lifecycle = true;
  sc.lifecycle_span = l.span;
  for (const auto& item : l.items) {
    if (const auto* r = std::get_if<ast::Rule>(&item)) {
      auto checked = rule_body(r->body, m.env, m);
      if (!checked) continue;
      if (!priority(r->priority, r->span, checked->priority)) continue;
      checked->description = r->description.value_or("");
      checked->span = r->span;
      sc.rules.push_back(std::move(*checked));
    } else if (const auto* p = std::get_if<ast::Protect>(&item)) {
      CheckedProtect cp;
      cp.in_use = p->in_use;
      cp.span = p->span;
      if (!p->in_use) cp.selection = selection(p->selection, m.env, m);
      cp.label = p->in_use ? "protect in_use" : "protect " + selection_label(p->selection);
      sc.protects.push_back(std::move(cp));
    } else if (const auto* u = std::get_if<ast::Use>(&item)) {
      use(*u, sc, m);
    } else if (const auto* e = std::get_if<ast::AllowEmpty>(&item)) {
      sc.allow_empty = e->span;
    }
  }
  std::stable_sort(sc.rules.begin(), sc.rules.end(), [](const CheckedRule& a, const CheckedRule& b) { return a.priority < b.priority; });
  for (std::size_t i = 1; i < sc.rules.size(); ++i) {
    if (sc.rules[i].priority == sc.rules[i - 1].priority) {
      auto& d = sink_.error("E0402", sc.rules[i].span, "rule priority " + std::to_string(sc.rules[i].priority) + " is used twice");
      d.labels.push_back({sc.rules[i - 1].span, "first used here"});
    }
  }
}

bool Checker::priority(const std::string& text, Span sp, std::int64_t& out) {
  bool ok = !text.empty() && text.size() < 10 && text.find_first_not_of("0123456789") == std::string::npos;
  if (ok) out = std::stoll(text);
  if (!ok || out < 1) {
    sink_.error("E0302", sp, "a rule priority must be a whole number from 1 to 999999999");
    return false;
  }
  return true;
}

}  // namespace regpol::sema
