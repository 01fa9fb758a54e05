#include "plan/policy_plan.h"

#include <algorithm>

#include "match/wildcard.h"

namespace regpol {

int scope_specificity(const ScopePlan& scope, std::string_view repository) {
  if (scope.is_defaults) return -1;
  for (const auto& e : scope.excepts) {
    if (wildcard_match(e, repository, true)) return -1;
  }
  int best = -1;
  for (const auto& p : scope.patterns) {
    if (!wildcard_match(p, repository, true)) continue;
    int literal = static_cast<int>(std::count_if(p.begin(), p.end(), [](char c) { return c != '*' && c != '?'; }));
    // An exact name beats any pattern with the same literal text.
    int score = literal * 2 + (p.find_first_of("*?") == std::string::npos ? 1 : 0);
    best = std::max(best, score);
  }
  return best;
}

bool scope_has(const ScopePlan& s, Concern concern) {
  switch (concern) {
    case Concern::Lifecycle: return s.has_lifecycle;
    case Concern::Mutability: return s.mutability.has_value();
    case Concern::Scanning: return s.scan.has_value();
    case Concern::Encryption: return s.encryption.has_value();
  }
  return false;
}

const char* concern_name(Concern concern) {
  switch (concern) {
    case Concern::Lifecycle: return "lifecycle";
    case Concern::Mutability: return "mutability";
    case Concern::Scanning: return "scanning";
    case Concern::Encryption: return "encryption requirement";
  }
  return "";
}

ScopeChoice choose_scope(const PolicyPlan& plan, std::string_view repository, Concern concern) {
  ScopeChoice choice;
  int best = -1;
  auto has = [&](const ScopePlan& s) { return scope_has(s, concern); };
  bool any_match = false;
  for (std::size_t i = 0; i < plan.scopes.size(); ++i) {
    const ScopePlan& s = plan.scopes[i];
    int score = scope_specificity(s, repository);
    if (score < 0) continue;
    any_match = true;
    if (!has(s)) continue;
    if (score > best) {
      best = score;
      choice.scope = static_cast<int>(i);
      choice.tied_with = -1;
    } else if (score == best) {
      choice.tied_with = static_cast<int>(i);
    }
  }
  if (choice.scope < 0 && !any_match) {
    for (std::size_t i = 0; i < plan.scopes.size(); ++i) {
      if (plan.scopes[i].is_defaults && has(plan.scopes[i])) choice.scope = static_cast<int>(i);
    }
  }
  return choice;
}

AccessPlan access_for(const PolicyPlan& plan, std::string_view repository) {
  AccessPlan out;
  bool any_match = false;
  for (const auto& s : plan.scopes) {
    if (scope_specificity(s, repository) < 0) continue;
    any_match = true;
    out.statements.insert(out.statements.end(), s.access.statements.begin(), s.access.statements.end());
  }
  if (!any_match) {
    for (const auto& s : plan.scopes) {
      if (s.is_defaults) out.statements.insert(out.statements.end(), s.access.statements.begin(), s.access.statements.end());
    }
  }
  return out;
}

bool access_managed(const PolicyPlan& plan, std::string_view repository) {
  bool any_match = false, managed = false;
  for (const auto& s : plan.scopes) {
    if (scope_specificity(s, repository) < 0) continue;
    any_match = true;
    managed = managed || s.has_access;
  }
  if (!any_match) {
    for (const auto& s : plan.scopes) managed = managed || (s.is_defaults && s.has_access);
  }
  return managed;
}

std::vector<const GateRulePlan*> gate_for(const PolicyPlan& plan, std::string_view repository) {
  std::vector<const GateRulePlan*> out;
  bool any_match = false;
  for (const auto& s : plan.scopes) {
    if (scope_specificity(s, repository) < 0) continue;
    any_match = true;
    for (const auto& g : s.gate) out.push_back(&g);
  }
  if (!any_match) {
    for (const auto& s : plan.scopes) {
      if (!s.is_defaults) continue;
      for (const auto& g : s.gate) out.push_back(&g);
    }
  }
  return out;
}

}  // namespace regpol
