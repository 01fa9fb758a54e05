#pragma once
// `authorize --summary`: the denies of a request log grouped by deciding statement (or
// reason) and principal, rendered as text, JSON (regpol.authorize-summary/v1) or markdown.
#include <cstddef>
#include <map>
#include <string>
#include <utility>

namespace regpol {

struct AccessSummary {
  struct Group {
    std::size_t count = 0;
    std::string example_action;  // the first denied request's action
  };
  std::map<std::pair<std::string, std::string>, Group> groups;  // (statement or "(reason)", principal)
  std::size_t total = 0, denied = 0;
};

// `format`: "text", "json" or "markdown".
std::string render_access_summary(const AccessSummary& summary, const std::string& format);

}  // namespace regpol
