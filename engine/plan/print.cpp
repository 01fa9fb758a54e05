#include "plan/print.h"

namespace regpol {

namespace {

using json = nlohmann::json;

std::string list(const std::vector<std::string>& v) {
  std::string out = "[";
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + std::string("\"") + v[i] + "\"";
  return out + "]";
}

json selection_json(const Selection& s) {
  json j = {{"tagStatus", tag_status_name(s.status)},
            {"storageClass", s.any_storage ? "any" : s.storage == StorageClass::Archive ? "archive" : "standard"}};
  if (s.list_kind != TagListKind::None) j[s.list_kind == TagListKind::Prefix ? "tagPrefixList" : "tagPatternList"] = s.list;
  if (s.where) j["where"] = s.where->describe();
  return j;
}

std::string selection_text(const Selection& s) {
  std::string out = tag_status_name(s.status);
  if (s.list_kind == TagListKind::Prefix) out += " prefix " + list(s.list);
  if (s.list_kind == TagListKind::Pattern) out += " pattern " + list(s.list);
  out += s.any_storage ? " storage=any" : s.storage == StorageClass::Archive ? " storage=archive" : " storage=standard";
  if (s.where) out += " where " + s.where->describe();
  return out;
}

std::string principal_text(const PrincipalSpec& p) {
  std::vector<std::string> parts;
  if (p.any) parts.emplace_back("*");
  for (const auto& a : p.aws) parts.push_back("aws " + a);
  for (const auto& a : p.service) parts.push_back("service " + a);
  for (const auto& a : p.orgs) parts.push_back("org " + a);
  for (const auto& a : p.other) parts.push_back(a);
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) out += (i ? ", " : "") + parts[i];
  return out;
}

std::string condition_name(const Condition& c) {
  std::string q = c.qualifier == SetQualifier::ForAnyValue ? "ForAnyValue:" : c.qualifier == SetQualifier::ForAllValues ? "ForAllValues:" : "";
  return q + cond_op_name(c.op) + (c.if_exists ? "IfExists" : "");
}

std::string registry_settings_text(const RegistrySettingsPlan& r) {
  std::string out = "registry  @" + r.source + "\n";
  if (r.scan_type) out += "  scanning " + *r.scan_type + "  @" + r.scan_type_source + "\n";
  for (const auto& rule : r.scanning_rules) out += "  scan " + rule.frequency + " for " + list(rule.filters) + "  @" + rule.source + "\n";
  for (const auto& rule : r.replication_rules) {
    std::vector<std::string> to;
    for (const auto& d : rule.destinations) to.push_back(d.region + (d.account.empty() ? "" : "/" + d.account));
    out += "  replicate to " + list(to) + (rule.prefixes.empty() ? "" : " for prefix " + list(rule.prefixes)) + "  @" + rule.source + "\n";
  }
  return out;
}

}  // namespace

json registry_settings_json(const RegistrySettingsPlan& r) {
  json j = {{"source", r.source}};
  if (r.manages_scanning) {
    json rules = json::array();
    for (const auto& rule : r.scanning_rules) rules.push_back({{"scanFrequency", rule.frequency}, {"filters", rule.filters}, {"source", rule.source}});
    j["scanning"] = {{"scanType", r.scan_type ? json(*r.scan_type) : json(nullptr)}, {"rules", rules}};
  }
  if (r.manages_replication) {
    json rules = json::array();
    for (const auto& rule : r.replication_rules) {
      json to = json::array();
      for (const auto& d : rule.destinations) to.push_back({{"region", d.region}, {"account", d.account.empty() ? json(nullptr) : json(d.account)}});
      rules.push_back({{"destinations", to}, {"prefixes", rule.prefixes}, {"source", rule.source}});
    }
    j["replication"] = {{"rules", rules}};
  }
  return j;
}

std::string plan_to_text(const PolicyPlan& plan) {
  std::string out = "plan" + (plan.name.empty() ? std::string() : " \"" + plan.name + "\"") + "\n";
  for (const auto& s : plan.scopes) {
    out += s.is_defaults ? "scope defaults" : "scope repository " + list(s.patterns) + (s.excepts.empty() ? "" : " except " + list(s.excepts));
    out += "  @" + s.source + "\n";
    if (s.mutability) {
      out += std::string("  mutability ") + (s.mutability->immutable ? "immutable" : "mutable") +
             (s.mutability->except.empty() ? "" : " except " + list(s.mutability->except)) + "  @" + s.mutability->source + "\n";
    }
    if (s.scan) out += std::string(s.scan->on_push ? "  scan on push" : "  scan manual") + "  @" + s.scan->source + "\n";
    if (s.encryption) {
      out += "  require encryption " + s.encryption->type + (s.encryption->key_pattern.empty() ? "" : " key " + s.encryption->key_pattern) +
             "  @" + s.encryption->source + "\n";
    }
    if (s.has_lifecycle) {
      out += "  lifecycle (" + std::to_string(s.lifecycle.rules.size()) + " rules, ascending priority)\n";
      for (const auto& r : s.lifecycle.rules) {
        out += "    rule " + std::to_string(r.priority) + (r.description.empty() ? "" : " \"" + r.description + "\"") + "  @" + r.source + "\n";
        out += "      match " + selection_text(r.selection) + "\n";
        out += std::string("      ") + count_type_name(r.count_type) + " ";
        out += r.count_type == CountType::ImageCountMoreThan ? std::to_string(r.count_number)
                                                             : std::to_string(r.duration / kMicrosPerSecond) + "s";
        if (r.order == OrderBy::Semver) out += " order=semver";
        if (r.per) out += " per=" + r.per->describe();
        out += std::string(" -> ") + action_name(r.action) + "\n";
      }
      for (const auto& p : s.lifecycle.protects) {
        out += "    " + p.label + "  @" + p.source + "\n";
      }
      if (!s.lifecycle.allow_empty.empty()) out += "    allow_empty  @" + s.lifecycle.allow_empty + "\n";
    }
    if (!s.gate.empty()) {
      out += "  gate (" + std::to_string(s.gate.size()) + " rules: an image any of them selects is refused)\n";
      for (const auto& g : s.gate) out += "    deny \"" + g.name + "\" where " + (g.selection.where ? g.selection.where->describe() : "true") + "  @" + g.source + "\n";
    }
    if (!s.access.statements.empty()) {
      out += "  access (" + std::to_string(s.access.statements.size()) + " statements)\n";
      for (const auto& st : s.access.statements) {
        out += std::string("    ") + (st.allow ? "allow" : "deny") + (st.not_action ? " not" : "") + " " + list(st.actions) + " to " +
               (st.not_principal ? "not " : "") + principal_text(st.principal);
        if (!st.tag_patterns.empty()) out += " on tags " + list(st.tag_patterns);
        out += "  @" + (st.sid.empty() ? st.source : st.sid + " " + st.source) + "\n";
        for (const auto& c : st.conditions) {
          std::vector<std::string> values;
          for (const auto& v : c.values) values.push_back(v.text);
          out += std::string("      ") + (c.negate ? "unless " : "when ") + condition_name(c) + " " + c.key + " " + list(values) + "\n";
        }
      }
    }
  }
  if (plan.registry) out += registry_settings_text(*plan.registry);
  return out;
}

json plan_to_json(const PolicyPlan& plan) {
  json scopes = json::array();
  for (const auto& s : plan.scopes) {
    json j = {{"defaults", s.is_defaults}, {"patterns", s.patterns}, {"except", s.excepts}, {"source", s.source}};
    if (s.mutability) {
      j["mutability"] = {{"immutable", s.mutability->immutable}, {"except", s.mutability->except}, {"source", s.mutability->source}};
    }
    if (s.has_lifecycle) {
      json rules = json::array();
      for (const auto& r : s.lifecycle.rules) {
        json rj = {{"priority", r.priority}, {"description", r.description}, {"source", r.source},
                   {"selection", selection_json(r.selection)}, {"countType", count_type_name(r.count_type)},
                   {"action", action_name(r.action)}, {"order", r.order == OrderBy::Semver ? "semver" : "pushedAt"}};
        if (r.count_type == CountType::ImageCountMoreThan) rj["count"] = r.count_number;
        else rj["ageSeconds"] = r.duration / kMicrosPerSecond;
        if (r.per) rj["per"] = r.per->describe();
        rules.push_back(rj);
      }
      json protects = json::array();
      for (const auto& p : s.lifecycle.protects) {
        json pj = {{"label", p.label}, {"source", p.source}, {"inUse", p.in_use}};
        if (!p.in_use) pj["selection"] = selection_json(p.selection);
        protects.push_back(pj);
      }
      j["lifecycle"] = {{"rules", rules}, {"protects", protects}};
      if (!s.lifecycle.allow_empty.empty()) j["lifecycle"]["allowEmpty"] = s.lifecycle.allow_empty;
    }
    json statements = json::array();
    for (const auto& st : s.access.statements) {
      json conds = json::array();
      for (const auto& c : st.conditions) {
        json values = json::array();
        for (const auto& v : c.values) values.push_back(v.text);
        conds.push_back({{"operator", condition_name(c)}, {"key", c.key}, {"values", values}, {"negate", c.negate}});
      }
      statements.push_back({{"sid", st.sid}, {"source", st.source}, {"effect", st.allow ? "allow" : "deny"},
                            {"notAction", st.not_action}, {"actions", st.actions}, {"notPrincipal", st.not_principal},
                            {"principals", principal_text(st.principal)}, {"onTags", st.tag_patterns}, {"conditions", conds}});
    }
    j["access"] = statements;
    if (!s.gate.empty()) {  // absent when there is none: plans without gates print as before
      json gate = json::array();
      for (const auto& g : s.gate) gate.push_back({{"name", g.name}, {"source", g.source}, {"where", g.selection.where ? g.selection.where->describe() : "true"}});
      j["gate"] = gate;
    }
    if (s.scan) j["scan"] = {{"onPush", s.scan->on_push}, {"source", s.scan->source}};
    if (s.encryption) j["requireEncryption"] = {{"type", s.encryption->type}, {"keyPattern", s.encryption->key_pattern}, {"source", s.encryption->source}};
    scopes.push_back(j);
  }
  json out{{"schema", "regpol.compiled-plan/v1"}, {"policy", plan.name}, {"scopes", scopes}};
  if (plan.registry) out["registry"] = registry_settings_json(*plan.registry);
  return out;
}

}  // namespace regpol
