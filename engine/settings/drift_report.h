#pragma once
// Settings drift as the plan reports show it: a text section, a markdown section and the
// JSON member `settingsDrift` (docs/plan.schema.json).
#include <string>

#include <nlohmann/json.hpp>

#include "settings/drift.h"

namespace regpol {

std::string settings_drift_text(const SettingsDrift& drift);
std::string settings_drift_markdown(const SettingsDrift& drift);
nlohmann::json settings_drift_json(const SettingsDrift& drift);
nlohmann::json setting_change_json(const SettingChange& change);

}  // namespace regpol
