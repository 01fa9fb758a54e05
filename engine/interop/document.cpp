#include "interop/document.h"

#include <nlohmann/json.hpp>

namespace regpol {

bool parse_json_document(const std::string& text, nlohmann::json& out, std::vector<DocumentProblem>& problems) {
  try {
    out = nlohmann::json::parse(text);
    return true;
  } catch (const nlohmann::json::parse_error& e) {
    std::string what = e.what();
    auto p = what.find(": ");
    problems.push_back({"", "malformed JSON at byte " + std::to_string(e.byte) + ": " +
                                (p == std::string::npos ? what : what.substr(p + 2))});
    return false;
  } catch (const nlohmann::json::exception& e) {  // e.g. a number too large for a double
    std::string what = e.what();
    auto p = what.find("] ");
    problems.push_back({"", "malformed JSON: " + (p == std::string::npos ? what : what.substr(p + 2))});
    return false;
  }
}

bool json_scalar_text(const nlohmann::json& v, std::string& out) {
  if (v.is_string()) out = v.get<std::string>();
  else if (v.is_boolean()) out = v.get<bool>() ? "true" : "false";
  else if (v.is_number_integer() || v.is_number_unsigned()) out = std::to_string(v.get<std::int64_t>());
  else if (v.is_number_float()) out = v.dump();
  else return false;
  return true;
}

}  // namespace regpol
