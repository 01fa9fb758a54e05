#include "settings/policy_settings_diff.h"

#include <map>

#include "settings/policy_equivalence.h"

namespace regpol {

namespace {

std::string comma_list(const std::vector<std::string>& v) {
  std::string s;
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + v[i];
  return s;
}

const ScopePlan* chosen_block(const PolicyPlan& p, const std::string& name, Concern c) {
  ScopeChoice ch = choose_scope(p, name, c);
  return ch.scope < 0 ? nullptr : &p.scopes[static_cast<std::size_t>(ch.scope)];
}

std::string wanted_mutability(const ScopePlan* s) {
  if (!s) return "not set";
  return std::string(s->mutability->immutable ? "immutable" : "mutable") + (s->mutability->except.empty() ? "" : " except " + comma_list(s->mutability->except));
}

std::string wanted_scan(const ScopePlan* s) { return !s ? "not set" : s->scan->on_push ? "scan on push" : "scan manual"; }

std::string wanted_encryption(const ScopePlan* s) {
  if (!s) return "not required";
  return s->encryption->type + (s->encryption->key_pattern.empty() ? "" : " with a key matching " + s->encryption->key_pattern);
}

std::string wanted_registry_scanning(const PolicyPlan& p) {
  if (!p.registry || !p.registry->manages_scanning) return "not set";
  std::string s = p.registry->scan_type.value_or("type not set");
  for (const auto& r : p.registry->scanning_rules) s += "; " + r.frequency + " for " + comma_list(r.filters);
  return s;
}

std::string wanted_replication(const PolicyPlan& p) {
  if (!p.registry || !p.registry->manages_replication) return "not set";
  std::string s;
  for (const auto& r : p.registry->replication_rules) {
    std::vector<std::string> to;
    for (const auto& d : r.destinations) to.push_back(d.region + (d.account.empty() ? "" : "/" + d.account));
    s += (s.empty() ? "to " : "; to ") + comma_list(to) + (r.prefixes.empty() ? "" : " for prefix " + comma_list(r.prefixes));
  }
  return s;
}

// The blocks whose access statements a repository gets (access_for's choice), as a key.
std::string access_blocks_key(const PolicyPlan& p, const std::string& name) {
  std::string key;
  bool any = false;
  for (std::size_t i = 0; i < p.scopes.size(); ++i) {
    if (scope_specificity(p.scopes[i], name) < 0) continue;
    any = true;
    key += std::to_string(i) + ",";
  }
  if (!any) {
    for (std::size_t i = 0; i < p.scopes.size(); ++i) {
      if (p.scopes[i].is_defaults) key += "d" + std::to_string(i);
    }
  }
  return key;
}

}  // namespace

std::vector<PolicySettingChange> policy_settings_changes(const PolicyPlan& old_policy, const PolicyPlan& new_policy, const Registry& registry,
                                                         const std::vector<std::string>& ecr_actions, Micros now, const std::string& only_repository) {
  std::vector<PolicySettingChange> out;
  auto add = [&](const std::string& repository, const char* setting, std::string a, std::string b, std::string detail = {}) {
    if (a != b || !detail.empty()) out.push_back({repository, setting, std::move(a), std::move(b), std::move(detail)});
  };
  if (only_repository.empty()) {
    add("", "registryScanning", wanted_registry_scanning(old_policy), wanted_registry_scanning(new_policy));
    add("", "replication", wanted_replication(old_policy), wanted_replication(new_policy));
  }
  // Access compared once per pair of block choices: most repositories share them.
  std::map<std::pair<std::string, std::string>, EquivalenceResult> compared;
  for (const auto& repo : registry.repositories) {
    const std::string name(registry.str(repo.name));
    if (!only_repository.empty() && name != only_repository) continue;
    add(name, "tagMutability", wanted_mutability(chosen_block(old_policy, name, Concern::Mutability)), wanted_mutability(chosen_block(new_policy, name, Concern::Mutability)));
    add(name, "scanOnPush", wanted_scan(chosen_block(old_policy, name, Concern::Scanning)), wanted_scan(chosen_block(new_policy, name, Concern::Scanning)));
    add(name, "encryption", wanted_encryption(chosen_block(old_policy, name, Concern::Encryption)),
        wanted_encryption(chosen_block(new_policy, name, Concern::Encryption)));
    const bool old_has = access_managed(old_policy, name), new_has = access_managed(new_policy, name);
    if (!old_has && !new_has) continue;
    if (old_has != new_has) {
      add(name, "access", old_has ? "access rules" : "not managed", new_has ? "access rules" : "not managed");
      continue;
    }
    auto key = std::make_pair(access_blocks_key(old_policy, name), access_blocks_key(new_policy, name));
    auto it = compared.find(key);
    if (it == compared.end()) it = compared.emplace(key, compare_access(access_for(old_policy, name), access_for(new_policy, name), name, ecr_actions, now)).first;
    const EquivalenceResult& eq = it->second;
    if (eq.equivalent()) continue;
    std::string detail;
    if (eq.second_wider) {
      AccessRequest q = eq.second_wider->request;
      q.repository = name;
      detail = "newly allowed: " + request_text(q);
    }
    if (eq.first_wider) {
      AccessRequest q = eq.first_wider->request;
      q.repository = name;
      detail += (detail.empty() ? "" : "; ") + std::string("no longer allowed: ") + request_text(q);
    }
    add(name, "access", "", eq.second_wider ? (eq.first_wider ? "different" : "wider") : "narrower", detail);
  }
  return out;
}

}  // namespace regpol
