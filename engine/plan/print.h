#pragma once
// The plan's stable printed forms, as EXPLAIN is for SQL: text for people, JSON for tools.
// Every node names its source location.
#include <nlohmann/json.hpp>
#include <string>

#include "plan/policy_plan.h"

namespace regpol {

std::string plan_to_text(const PolicyPlan& plan);
nlohmann::json plan_to_json(const PolicyPlan& plan);
// The `registry` block's settings: `scanning` and `replication` objects, each present only
// when the block manages it.
nlohmann::json registry_settings_json(const RegistrySettingsPlan& registry);

}  // namespace regpol
