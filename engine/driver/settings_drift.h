#pragma once
// The settings drift of a compiled policy against a registry snapshot, with the request
// corpus filled from the language's list of ECR actions (plan, audit, apply --settings).
#include <string>

#include "plan/policy_plan.h"
#include "report/plan_report.h"
#include "settings/drift.h"
#include "snapshot/model.h"

namespace regpol {

SettingsDrift drift_of(const PolicyPlan& policy, const Registry& registry, Micros now, const std::string& only_repository = {});

// The drift as the plan report's section in `format`, when there is any to show.
void add_settings_drift(ReportOptions& report, ReportFormat format, const SettingsDrift& drift);

}  // namespace regpol
