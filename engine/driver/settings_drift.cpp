#include "driver/settings_drift.h"

#include "sema/check.h"
#include "settings/drift_report.h"

namespace regpol {

SettingsDrift drift_of(const PolicyPlan& policy, const Registry& registry, Micros now, const std::string& only_repository) {
  DriftOptions options;
  options.now = now;
  options.ecr_actions = sema::ecr_action_names();
  options.only_repository = only_repository;
  return settings_drift(policy, registry, options);
}

void add_settings_drift(ReportOptions& report, ReportFormat format, const SettingsDrift& drift) {
  if (!drift.managed) return;
  switch (format) {
    case ReportFormat::Text: case ReportFormat::Html: report.settings_text = settings_drift_text(drift); break;
    case ReportFormat::Markdown: report.settings_markdown = settings_drift_markdown(drift); break;
    case ReportFormat::Json: report.settings_json = settings_drift_json(drift).dump(); break;
  }
}

}  // namespace regpol
