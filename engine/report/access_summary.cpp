#include "report/access_summary.h"

#include <nlohmann/json.hpp>

namespace regpol {

std::string render_access_summary(const AccessSummary& summary, const std::string& format) {
  std::string out;
  if (format == "json") {
    nlohmann::json groups = nlohmann::json::array();
    for (const auto& [key, g] : summary.groups) {
      groups.push_back({{"statement", key.first}, {"principal", key.second}, {"denies", g.count}, {"exampleAction", g.example_action}});
    }
    return nlohmann::json{{"schema", "regpol.authorize-summary/v1"}, {"requests", summary.total}, {"denied", summary.denied}, {"groups", groups}}.dump(2) +
           "\n";
  }
  if (format == "markdown") {
    out = "### regpol authorize: " + std::to_string(summary.denied) + " of " + std::to_string(summary.total) + " requests denied\n\n";
    out += "| statement | principal | denies | e.g. |\n|---|---|---:|---|\n";
    for (const auto& [key, g] : summary.groups) {
      out += "| " + key.first + " | `" + key.second + "` | " + std::to_string(g.count) + " | " + g.example_action + " |\n";
    }
    return out;
  }
  out = std::to_string(summary.denied) + " of " + std::to_string(summary.total) + " requests denied\n";
  for (const auto& [key, g] : summary.groups) {
    out += "  " + std::to_string(g.count) + "  " + key.first + "  " + key.second + "  (e.g. " + g.example_action + ")\n";
  }
  return out;
}

}  // namespace regpol
