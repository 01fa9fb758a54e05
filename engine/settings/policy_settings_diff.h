#pragma once
// What changing a policy changes in the settings it would put on each repository of a
// snapshot and on the registry (`regpol diff`): tag mutability, scan on push, the encryption
// requirement, the registry's scanning and replication, and access, whose two versions are
// compared by what they decide (policy_equivalence.h), with a request that shows the change.
#include <string>
#include <vector>

#include "plan/policy_plan.h"
#include "snapshot/model.h"

namespace regpol {

struct PolicySettingChange {
  std::string repository;  // "" for the registry
  std::string setting;     // tagMutability, scanOnPush, encryption, access, registryScanning, replication
  std::string old_value, new_value;  // in words; "not set" when a side says nothing
  std::string detail;      // access: a request one side allows and the other does not
};

std::vector<PolicySettingChange> policy_settings_changes(const PolicyPlan& old_policy, const PolicyPlan& new_policy, const Registry& registry,
                                                         const std::vector<std::string>& ecr_actions, Micros now, const std::string& only_repository);

}  // namespace regpol
