#include "lower/lower.h"

#include <algorithm>

#include "lint/scope_ties.h"

#include "diag/render.h"
#include "diag/suggest.h"
#include "interop/ecr_lifecycle.h"
#include "interop/iam_json.h"
#include "lower/predicate.h"

namespace regpol {

namespace {

// True when `e` reads an image field (a name that is not a constant of `env`).
static bool reads_image(const ast::Expr& e, const sema::Env& env) {
  if (e.kind == ast::ExprKind::Name && !env.find(e.text)) {
    const auto& fields = image_field_names();
    if (std::find(fields.begin(), fields.end(), e.text) != fields.end()) return true;
  }
  for (const auto& i : e.items) {
    if (i && reads_image(*i, env)) return true;
  }
  return false;
}

// `protect`: protect clauses and gate rules cover both storage classes. `gate`: a gate rule
// refuses an image its expression cannot be decided for, so unguarded reads are not warned.
Selection lower_selection(const sema::CheckedSelection& s, DiagnosticSink& sink, bool protect, bool gate = false) {
  Selection out;
  out.status = s.tags == ast::Selection::Tags::Tagged      ? TagStatus::Tagged
               : s.tags == ast::Selection::Tags::Untagged  ? TagStatus::Untagged
               : s.tags == ast::Selection::Tags::Artifacts ? TagStatus::Artifacts
                                                           : TagStatus::Any;
  out.list_kind = s.list_kind == "prefix"    ? TagListKind::Prefix
                  : s.list_kind == "pattern" ? TagListKind::Pattern
                  : s.list_kind == "type"    ? TagListKind::ArtifactType
                                             : TagListKind::None;
  out.list = s.list;
  out.storage = s.storage == "archive" ? StorageClass::Archive : StorageClass::Standard;
  out.any_storage = protect && s.storage.empty();
  if (s.where) {
    out.where = compile_where(*s.where, *s.env, sink, /*guard_reads=*/!gate);
    // A `where` that reads no image field has one value for every image (W2203).
    if (out.where && !reads_image(*s.where, *s.env)) {
      Registry empty;
      PredicateResult r = out.where->eval(empty, Image{}, 0);
      if (r.ok)
        sink.warning("W2203", s.where->span, std::string("this `where` reads no image field: it is always ") + (r.value ? "true" : "false"))
            .help = r.value ? "remove it" : "the rule selects nothing: remove the rule, or fix the condition";
    }
  }
  return out;
}

Condition lower_condition(const sema::CheckedCondition& c, DiagnosticSink& sink, bool& ok) {
  Condition out;
  out.key = c.key;
  out.key_lower = c.key;
  for (auto& ch : out.key_lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  out.negate = c.negate;
  out.qualifier = c.qualifier == "ForAnyValue" ? SetQualifier::ForAnyValue
                  : c.qualifier == "ForAllValues" ? SetQualifier::ForAllValues : SetQualifier::None;
  std::string name = c.op;
  if (name.size() > 8 && name.compare(name.size() - 8, 8, "IfExists") == 0) {
    out.if_exists = true;
    name = name.substr(0, name.size() - 8);
  }
  auto op = cond_op_from_name(name);
  if (!op || (out.if_exists && *op == CondOp::Null)) {
    auto& d = sink.error("E0305", c.span, "unknown condition operator `" + c.op + "`");
    std::vector<std::string> names = all_cond_op_names();
    for (const auto& n : all_cond_op_names()) names.push_back(n + "IfExists");
    if (auto s = closest_match(c.op, names)) d.help = "did you mean `" + *s + "`?";
    ok = false;
    return out;
  }
  out.op = *op;
  for (const auto& v : c.values) {
    CondValue cv;
    std::string error;
    if (!compile_condition_value(out.op, v, cv, error)) {
      const char* code = (*op == CondOp::IpAddress || *op == CondOp::NotIpAddress) ? "E0303"
                         : (name.rfind("Date", 0) == 0) ? "E0304" : "E0301";
      sink.error(code, c.span, error);
      ok = false;
      continue;
    }
    out.values.push_back(std::move(cv));
  }
  return out;
}

// An access statement of a block, or the statement of a property; `ok` is false when a
// condition value did not compile (reported).
Statement lower_statement(const sema::CheckedStatement& s, const SourceMap& sources, DiagnosticSink& sink, bool& ok) {
  const ast::AccessStmt& written = *s.written;
  Statement st;
  st.sid = written.sid.value_or("");
  st.source = location_string(sources, written.span);
  st.allow = written.allow;
  st.not_action = written.not_action;
  st.not_principal = written.not_principal;
  st.actions = s.actions;
  st.tag_patterns = s.on_tags;
  for (const auto& p : s.principals) {
    if (p.kind == "*") st.principal.any = true;
    else if (p.kind == "account" || p.kind == "arn") st.principal.aws.push_back(p.value);
    else if (p.kind == "service") st.principal.service.push_back(p.value);
    else if (p.kind == "org") st.principal.orgs.push_back(p.value);
  }
  for (const auto& c : s.conditions) st.conditions.push_back(lower_condition(c, sink, ok));
  return st;
}

void lower_property(const sema::CheckedProperty& p, const SourceMap& sources, DiagnosticSink& sink, std::vector<PropertyPlan>& out) {
  PropertyPlan plan;
  plan.name = p.name;
  plan.kind = p.quantifier == "never" ? PropertyPlan::Kind::Never : p.quantifier == "always" ? PropertyPlan::Kind::Always : PropertyPlan::Kind::NoNewAccess;
  plan.repositories = p.repositories;
  plan.excepts = p.excepts;
  plan.defaults_only = p.defaults_only;
  plan.source = location_string(sources, p.span);
  if (plan.kind == PropertyPlan::Kind::NoNewAccess) {
    plan.than = p.than;
  } else {
    bool ok = true;
    plan.statement = lower_statement(p.statement, sources, sink, ok);
    if (!ok) return;
  }
  out.push_back(std::move(plan));
}

}  // namespace

PolicyPlan lower_policy(const sema::CheckedPolicy& policy, const SourceMap& sources, DiagnosticSink& sink) {
  PolicyPlan plan;
  std::vector<Span> scope_spans;  // parallel to plan.scopes, for located diagnostics
  plan.name = policy.name;
  for (const auto& sc : policy.scopes) {
    ScopePlan out;
    out.is_defaults = sc.is_defaults;
    out.patterns = sc.patterns;
    out.excepts = sc.excepts;
    out.source = location_string(sources, sc.span);
    out.has_lifecycle = sc.has_lifecycle;
    std::vector<Span> rule_spans, action_spans;
    for (const auto& r : sc.rules) {
      LifecycleRule rule;
      rule.priority = r.priority;
      rule.description = r.description;
      rule.selection = lower_selection(r.selection, sink, false);
      rule.action = r.verb == "archive" ? LifecycleAction::Transition : r.verb == "untag" ? LifecycleAction::Untag : LifecycleAction::Expire;
      switch (r.kind) {
        case ast::Action::Kind::KeepNewest:
        case ast::Action::Kind::AllButNewest:
          rule.count_type = CountType::ImageCountMoreThan;
          rule.count_number = r.count;
          break;
        case ast::Action::Kind::OlderThan: rule.count_type = CountType::SinceImagePushed; break;
        case ast::Action::Kind::UnpulledFor: rule.count_type = CountType::SinceImagePulled; break;
        case ast::Action::Kind::ArchivedFor: rule.count_type = CountType::SinceImageTransitioned; break;
      }
      if (rule.count_type != CountType::ImageCountMoreThan) {
        rule.duration = r.duration_us;
        rule.count_number = r.duration_us % kMicrosPerDay == 0 ? r.duration_us / kMicrosPerDay : 0;
      }
      rule.order = r.order == "semver" ? OrderBy::Semver : OrderBy::PushedAt;
      if (r.per) rule.per = compile_key(*r.per, *r.env, sink);
      rule.source = location_string(sources, r.span);
      out.lifecycle.rules.push_back(std::move(rule));
      rule_spans.push_back(r.span);
      action_spans.push_back(r.action_span);
    }
    for (const auto& p : ecr_rule_problems(out.lifecycle)) {
      if (p.code == "E0402") continue;  // reported by sema, with both locations
      std::size_t i = std::min(p.rule, rule_spans.size() - 1);
      sink.warning(p.code, p.about_action ? action_spans[i] : rule_spans[i], p.regpol_message.empty() ? p.message : p.regpol_message);
    }
    if (sc.allow_empty) out.lifecycle.allow_empty = location_string(sources, *sc.allow_empty);
    for (const auto& p : sc.protects) {
      ProtectClause pc;
      pc.in_use = p.in_use;
      pc.label = p.label;
      pc.source = location_string(sources, p.span);
      if (!p.in_use) pc.selection = lower_selection(p.selection, sink, true);
      out.lifecycle.protects.push_back(std::move(pc));
    }
    for (const auto& g : sc.gate) out.gate.push_back({g.name, lower_selection(g.selection, sink, true, true), location_string(sources, g.span)});
    if (sc.mutability) out.mutability = MutabilityPlan{sc.mutability->immutable, sc.mutability->except, location_string(sources, sc.mutability->span)};
    out.has_access = sc.has_access;
    if (sc.scan) out.scan = ScanPlan{sc.scan->on_push, location_string(sources, sc.scan->span)};
    if (sc.encryption) out.encryption = EncryptionRequirement{sc.encryption->type, sc.encryption->key_pattern, location_string(sources, sc.encryption->span)};
    for (const auto& s : sc.statements) {
      bool ok = true;
      Statement st = lower_statement(s, sources, sink, ok);
      if (ok) out.access.statements.push_back(std::move(st));
    }
    for (const auto& p : sc.properties) lower_property(p, sources, sink, plan.properties);
    plan.scopes.push_back(std::move(out));
    scope_spans.push_back(sc.span);
  }
  for (const auto& p : policy.properties) lower_property(p, sources, sink, plan.properties);
  if (policy.registry) {
    const sema::CheckedRegistry& r = *policy.registry;
    RegistrySettingsPlan reg;
    reg.source = location_string(sources, r.span);
    reg.scan_type = r.scan_type;
    if (r.scan_type) reg.scan_type_source = location_string(sources, r.scan_type_span);
    reg.manages_scanning = r.scan_type.has_value() || !r.scan_rules.empty();
    for (const auto& s : r.scan_rules) reg.scanning_rules.push_back({s.frequency, s.filters, location_string(sources, s.span)});
    reg.manages_replication = !r.replication.empty();
    for (const auto& rep : r.replication) {
      ReplicationRulePlan rule;
      for (const auto& [region, account] : rep.destinations) rule.destinations.push_back({region, account});
      rule.prefixes = rep.prefixes;
      rule.source = location_string(sources, rep.span);
      reg.replication_rules.push_back(std::move(rule));
    }
    plan.registry = std::move(reg);
  }
  // Ties lint can prove now, with an example name, rather than `plan` on the first night a
  // matching repository exists.
  for (const auto& tie : find_scope_ties(plan)) {
    const char* what = concern_name(tie.concern);
    auto& d = sink.error("E0401", scope_spans[tie.second],
                         std::string("this block and the one at ") + plan.scopes[tie.first].source + " match `" + tie.example +
                             "` equally well, so its " + what + " would be ambiguous");
    d.labels.push_back({scope_spans[tie.first], "the other block"});
    d.help = "make one pattern more specific, add an `except`, or give such repositories a block of their own";
  }
  return plan;
}

}  // namespace regpol
