#include "access/request.h"
#include "access/request_json.h"

#include <algorithm>
#include <cctype>
#include <iterator>
#include <nlohmann/json.hpp>

#include "interop/document.h"
#include "util/text.h"

namespace regpol {

using json = nlohmann::json;


static bool scalar(const json& v, std::string& out) { return json_scalar_text(v, out); }

json request_to_json(const AccessRequest& r) {
  json j = {{"principal", r.principal}, {"action", r.action}, {"repository", r.repository}};
  if (!r.tag.empty()) j["tag"] = r.tag;
  if (!r.digest.empty()) j["digest"] = r.digest;
  if (!r.context.empty()) {
    json context = json::object();
    for (const auto& [key, value] : r.context) {
      if (value.multi) context[key] = value.values;
      else if (!value.values.empty()) context[key] = value.values.front();
    }
    j["context"] = std::move(context);
  }
  return j;
}

bool parse_request_json(const std::string& text, AccessRequest& out, std::string& error) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::parse_error& e) {
    error = "malformed JSON at byte " + std::to_string(e.byte);
    return false;
  } catch (const json::exception&) {
    error = "malformed JSON (a number out of range)";
    return false;
  }
  if (!j.is_object()) {
    error = "a request must be a JSON object";
    return false;
  }
  auto str = [&](const char* key, std::string& dst, bool required) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) {
      if (required) error = std::string("missing `") + key + "`";
      return !required;
    }
    if (!it->is_string()) {
      error = std::string("`") + key + "` must be a string";
      return false;
    }
    dst = it->get<std::string>();
    return true;
  };
  // The schema (docs/request.schema.json): regpol's names, and ECR's own names as PutImage
  // and CloudTrail's requestParameters spell them. Anything else is refused: an ignored
  // `imageTag` would let a push past tag immutability.
  static const char* const kFields[] = {"principal", "action", "repository", "repositoryName", "tag", "imageTag",
                                        "digest", "imageDigest", "context"};
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (std::find_if(std::begin(kFields), std::end(kFields), [&](const char* f) { return it.key() == f; }) == std::end(kFields)) {
      error = "unknown field `" + it.key() + "` (a request has principal, action, repository, tag, digest, context)";
      return false;
    }
  }
  // One field under two names is ambiguous: refuse rather than pick one.
  for (auto [a, b] : {std::pair{"repository", "repositoryName"}, std::pair{"tag", "imageTag"}, std::pair{"digest", "imageDigest"}}) {
    if (j.contains(a) && j.contains(b)) {
      error = std::string("both `") + a + "` and `" + b + "` given; use one";
      return false;
    }
  }
  const char* repo_key = j.contains("repositoryName") ? "repositoryName" : "repository";
  if (!str("principal", out.principal, true) || !str("action", out.action, true) ||
      !str(repo_key, out.repository, true) || !str(j.contains("imageTag") ? "imageTag" : "tag", out.tag, false) ||
      !str(j.contains("imageDigest") ? "imageDigest" : "digest", out.digest, false)) {
    return false;
  }
  if (auto c = j.find("context"); c != j.end() && !c->is_null()) {
    if (!c->is_object()) {
      error = "`context` must be an object";
      return false;
    }
    for (auto it = c->begin(); it != c->end(); ++it) {
      AccessRequest::Value v;
      if (it->is_array()) {
        v.multi = true;
        for (const auto& x : *it) {
          std::string s;
          if (!scalar(x, s)) {
            error = "context value `" + it.key() + "` must hold strings, numbers or booleans";
            return false;
          }
          v.values.push_back(s);
        }
      } else {
        std::string s;
        if (!scalar(*it, s)) {
          error = "context value `" + it.key() + "` must be a string, number, boolean or list";
          return false;
        }
        v.values.push_back(s);
      }
      out.context[ascii_lower(it.key())] = std::move(v);
    }
  }
  return true;
}

std::string arn_account(const std::string& arn) {
  if (arn.rfind("arn:", 0) != 0) return {};
  std::size_t pos = 0;
  for (int i = 0; i < 4; ++i) {
    pos = arn.find(':', pos);
    if (pos == std::string::npos) return {};
    ++pos;
  }
  auto end = arn.find(':', pos);
  return end == std::string::npos ? std::string() : arn.substr(pos, end - pos);
}

std::string principal_identity_arn(const std::string& principal) {
  // arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION
  const std::string marker = ":assumed-role/";
  auto m = principal.find(marker);
  if (principal.rfind("arn:", 0) != 0 || m == std::string::npos || principal.find(":sts:") == std::string::npos) return principal;
  std::string rest = principal.substr(m + marker.size());
  auto slash = rest.find('/');
  std::string role = slash == std::string::npos ? rest : rest.substr(0, slash);
  std::string partition = principal.substr(4, principal.find(':', 4) - 4);
  return "arn:" + partition + ":iam::" + arn_account(principal) + ":role/" + role;
}

void derive_context(AccessRequest& r, Micros now) {
  if (!r.context.count("aws:principalarn") && r.principal.rfind("arn:", 0) == 0) {
    r.context["aws:principalarn"] = {{principal_identity_arn(r.principal)}, false};
  }
  if (!r.context.count("aws:principalaccount")) {
    std::string acct = arn_account(r.principal);
    if (!acct.empty()) r.context["aws:principalaccount"] = {{acct}, false};
  }
  if (!r.context.count("aws:currenttime")) r.context["aws:currenttime"] = {{format_timestamp(now)}, false};
}

}  // namespace regpol
