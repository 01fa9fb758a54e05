#include "access/cloudtrail.h"

#include <nlohmann/json.hpp>

namespace regpol {

bool read_cloudtrail(const std::string& text, std::vector<AccessRequest>& out, std::string& error) {
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    error = "malformed JSON at byte " + std::to_string(e.byte);
    return false;
  } catch (const nlohmann::json::exception&) {
    error = "malformed JSON (a number out of range)";
    return false;
  }
  if (!doc.is_object() || !doc.contains("Records") || !doc["Records"].is_array()) {
    error = "not a CloudTrail log: expected {\"Records\": [...]}";
    return false;
  }
  std::size_t i = 0;
  for (const auto& rec : doc["Records"]) {
    std::string at = "$.Records[" + std::to_string(i++) + "]";
    if (!rec.is_object()) {
      error = at + ": a record must be an object";
      return false;
    }
    if (rec.value("eventSource", "") != "ecr.amazonaws.com") continue;
    auto str = [](const nlohmann::json& j, const char* key) {
      return j.is_object() && j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
    };
    AccessRequest r;
    std::string event = str(rec, "eventName");
    if (event.empty()) {
      error = at + ": missing `eventName`";
      return false;
    }
    r.action = "ecr:" + event;
    r.principal = rec.contains("userIdentity") ? str(rec["userIdentity"], "arn") : "";
    if (r.principal.empty() && rec.contains("userIdentity")) r.principal = str(rec["userIdentity"], "invokedBy");
    const nlohmann::json params = rec.contains("requestParameters") && rec["requestParameters"].is_object() ? rec["requestParameters"] : nlohmann::json::object();
    r.repository = str(params, "repositoryName");
    r.tag = str(params, "imageTag");
    r.digest = str(params, "imageDigest");
    if (r.digest.empty() && rec.contains("responseElements") && rec["responseElements"].is_object()) {
      const auto& resp = rec["responseElements"];
      if (resp.contains("image") && resp["image"].is_object() && resp["image"].contains("imageId")) {
        r.digest = str(resp["image"]["imageId"], "imageDigest");
      }
    }
    std::string ip = str(rec, "sourceIPAddress");
    if (!ip.empty()) r.context["aws:sourceip"] = {{ip}, false};
    std::string time = str(rec, "eventTime");
    if (!time.empty()) r.context["aws:currenttime"] = {{time}, false};
    if (r.repository.empty()) continue;  // account-level calls (GetAuthorizationToken) are not repository requests
    out.push_back(std::move(r));
  }
  return true;
}

}  // namespace regpol
