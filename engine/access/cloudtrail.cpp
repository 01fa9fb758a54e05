#include "access/cloudtrail.h"

#include <nlohmann/json.hpp>

#include "util/time.h"

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
  // Reads `key` of `obj` as a string: "" when absent or null; a value of another type is an
  // error at its JSON path (never read as absent: that would drop or mis-decide a record).
  bool failed = false;
  auto str = [&](const nlohmann::json& obj, const char* key, const std::string& at) -> std::string {
    if (failed || !obj.is_object()) return {};
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return {};
    if (!it->is_string()) {
      error = at + "." + key + ": expected a string, found " + it->type_name();
      failed = true;
      return {};
    }
    return it->get<std::string>();
  };
  auto object = [&](const nlohmann::json& obj, const char* key, const std::string& at) -> const nlohmann::json* {
    static const nlohmann::json kEmpty = nlohmann::json::object();
    if (failed) return &kEmpty;
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return &kEmpty;
    if (!it->is_object()) {
      error = at + "." + key + ": expected an object, found " + it->type_name();
      failed = true;
      return &kEmpty;
    }
    return &*it;
  };
  std::size_t i = 0;
  for (const auto& rec : doc["Records"]) {
    std::string at = "$.Records[" + std::to_string(i++) + "]";
    if (!rec.is_object()) {
      error = at + ": a record must be an object";
      return false;
    }
    std::string source = str(rec, "eventSource", at);
    if (failed) return false;
    if (source != "ecr.amazonaws.com") continue;
    AccessRequest r;
    std::string event = str(rec, "eventName", at);
    if (!failed && event.empty()) {
      error = at + ": missing `eventName`";
      return false;
    }
    r.action = "ecr:" + event;
    const nlohmann::json& who = *object(rec, "userIdentity", at);
    r.principal = str(who, "arn", at + ".userIdentity");
    if (r.principal.empty()) r.principal = str(who, "invokedBy", at + ".userIdentity");
    const nlohmann::json& params = *object(rec, "requestParameters", at);
    r.repository = str(params, "repositoryName", at + ".requestParameters");
    r.tag = str(params, "imageTag", at + ".requestParameters");
    r.digest = str(params, "imageDigest", at + ".requestParameters");
    if (r.digest.empty()) {
      const nlohmann::json& resp = *object(rec, "responseElements", at);
      const nlohmann::json& image = *object(resp, "image", at + ".responseElements");
      r.digest = str(*object(image, "imageId", at + ".responseElements.image"), "imageDigest", at + ".responseElements.image.imageId");
    }
    std::string ip = str(rec, "sourceIPAddress", at);
    std::string time = str(rec, "eventTime", at);
    if (failed) return false;
    if (!time.empty() && !parse_timestamp(time)) {
      error = at + ".eventTime: not a timestamp with a zone";
      return false;
    }
    if (!ip.empty()) r.context["aws:sourceip"] = {{ip}, false};
    if (!time.empty()) r.context["aws:currenttime"] = {{time}, false};
    if (r.repository.empty()) continue;  // account-level calls (GetAuthorizationToken) are not repository requests
    out.push_back(std::move(r));
  }
  return true;
}

}  // namespace regpol
