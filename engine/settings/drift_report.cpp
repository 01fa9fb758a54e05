#include "settings/drift_report.h"

#include "util/text.h"

namespace regpol {

using nlohmann::json;

namespace {

std::string subject(const SettingChange& c) { return c.repository.empty() ? "registry" : c.repository; }

std::string headline(const SettingsDrift& d) {
  if (d.changes.empty()) return "settings: as the policy says (" + plural(d.repositories_checked, "repository", "repositories") + " checked)";
  const std::size_t w = d.writable();
  return "settings: " + plural(d.changes.size(), "setting") + " differ from the policy (" + std::to_string(w) +
         " written by `regpol apply --target ecr --settings`, " + std::to_string(d.changes.size() - w) + " only checked)";
}

}  // namespace

std::string settings_drift_text(const SettingsDrift& d) {
  if (!d.managed) return {};
  std::string out = headline(d) + "\n";
  for (const auto& c : d.changes) {
    out += "  " + subject(c) + " " + c.setting + ": " + c.current + " -> " + c.wanted + "  @" + c.source +
           (c.operation.empty() ? "  (not written)" : "  (" + c.operation + ")") + "\n";
    if (!c.detail.empty()) out += "      " + c.detail + "\n";
  }
  for (const auto& u : d.unchecked) out += "  not checked: " + u + "\n";
  return out;
}

std::string settings_drift_markdown(const SettingsDrift& d) {
  if (!d.managed) return {};
  std::string out = "\n#### Settings\n\n" + headline(d) + "\n";
  if (!d.changes.empty()) {
    out += "\n| where | setting | ECR holds | the policy says | change |\n|---|---|---|---|---|\n";
    auto cell = [](std::string s) {
      for (auto& ch : s) ch = ch == '|' ? '/' : ch == '\n' ? ' ' : ch;
      return s;
    };
    for (const auto& c : d.changes) {
      out += "| " + cell(subject(c)) + " | " + c.setting + " | " + cell(c.current) + " | " + cell(c.wanted) + " | " +
             (c.operation.empty() ? "not written" : "`" + c.operation + "`") + (c.widens_access ? " (widens access)" : "") + " |\n";
    }
  }
  for (const auto& u : d.unchecked) out += "\n> Not checked: " + u + "\n";
  return out;
}

json setting_change_json(const SettingChange& c) {
  return {{"repository", c.repository.empty() ? json(nullptr) : json(c.repository)},
          {"setting", c.setting},
          {"current", c.current},
          {"wanted", c.wanted},
          {"source", c.source},
          {"detail", c.detail},
          {"operation", c.operation.empty() ? json(nullptr) : json(c.operation)},
          {"request", c.operation.empty() ? json(nullptr) : c.request},
          {"widensAccess", c.widens_access}};
}

json settings_drift_json(const SettingsDrift& d) {
  json changes = json::array();
  for (const auto& c : d.changes) changes.push_back(setting_change_json(c));
  return {{"repositoriesChecked", d.repositories_checked}, {"changes", changes}, {"unchecked", d.unchecked}};
}

}  // namespace regpol
