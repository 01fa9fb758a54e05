// Lambda: the images of functions packaged as images (registry/aws/workloads.h), over
// Lambda's REST-JSON API (GET /2015-03-31/functions/…).
#include <cctype>
#include <map>
#include <set>

#include "registry/aws/workloads.h"
#include "util/parallel.h"

namespace regpol::aws {

namespace {

constexpr const char* kFunctionsPath = "/2015-03-31/functions/";

// Function names are [A-Za-z0-9-_]+ (Lambda's own rule); one that is not is not put in a path.
bool is_function_name(const std::string& name) {
  if (name.empty() || name.size() > 170) return false;
  for (char c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_')) return false;
  return true;
}

// Every page of a Lambda list (Marker / NextMarker), the items at `key`.
bool lambda_list_all(EcrClient& lambda, const std::string& label, const std::string& path, const std::string& key,
                     std::vector<nlohmann::json>& out, EcrError& error) {
  auto fetch = [&](const std::string& marker, nlohmann::json& page, EcrError& e) {
    std::vector<std::pair<std::string, std::string>> query = {{"MaxItems", "50"}};
    if (!marker.empty()) query.emplace_back("Marker", marker);
    return lambda.get(label, path, query, page, e);
  };
  return follow_pages(label, "NextMarker", fetch, append_items(label, key, out), error);
}

struct FunctionImages {
  std::vector<RunningImage> images;
  std::size_t versions = 0;
  EcrError error;
  bool ok = true;
};

// One function: its versions ($LATEST included), the aliases naming each, and each
// version's image (GetFunction with the version as qualifier).
void read_function(EcrClient& lambda, const std::string& name, FunctionImages& out) {
  const std::string path = kFunctionsPath + name;
  std::vector<nlohmann::json> versions, aliases;
  if (!lambda_list_all(lambda, "ListVersionsByFunction " + name, path + "/versions", "Versions", versions, out.error) ||
      !lambda_list_all(lambda, "ListAliases " + name, path + "/aliases", "Aliases", aliases, out.error)) {
    out.ok = false;
    return;
  }
  std::map<std::string, std::vector<std::string>> aliases_of;  // version -> alias names (weighted routing too)
  for (const auto& a : aliases) {
    const std::string alias = json_string(a, "Name");
    aliases_of[json_string(a, "FunctionVersion")].push_back(alias);
    if (a.is_object() && a.contains("RoutingConfig") && a["RoutingConfig"].is_object()) {
      const auto& weights = a["RoutingConfig"].value("AdditionalVersionWeights", nlohmann::json::object());
      if (weights.is_object())
        for (const auto& [version, weight] : weights.items()) aliases_of[version].push_back(alias + " (weighted)");
    }
  }
  const std::string region = lambda.endpoint().region;
  for (const auto& v : versions) {
    const std::string version = json_string(v, "Version");
    if (version.empty() || json_string(v, "PackageType", "Image") != "Image") continue;
    ++out.versions;
    nlohmann::json answer;
    if (!lambda.get("GetFunction " + name + ":" + version, path, {{"Qualifier", version}}, answer, out.error)) {
      out.ok = false;
      return;
    }
    const nlohmann::json code = answer.is_object() && answer.contains("Code") ? answer["Code"] : nlohmann::json();
    const std::string image = json_string(code, "ImageUri");
    if (image.empty()) continue;
    const std::string resolved = json_string(code, "ResolvedImageUri");
    const auto at = resolved.find('@');
    std::string user = "lambda " + region + " function " + name + (version == "$LATEST" ? " $LATEST" : " version " + version);
    if (auto it = aliases_of.find(version); it != aliases_of.end()) {
      user += " (alias";
      for (std::size_t i = 0; i < it->second.size(); ++i) user += (i ? ", " : " ") + it->second[i];
      user += ")";
    }
    out.images.push_back({image, at == std::string::npos ? std::string() : resolved.substr(at + 1), user});
  }
}

}  // namespace

bool read_lambda_images(EcrClient& lambda, unsigned jobs, std::vector<RunningImage>& out, WorkloadReadStats& stats, EcrError& error) {
  const long before = lambda.calls();
  std::vector<nlohmann::json> functions;
  if (!lambda_list_all(lambda, "ListFunctions", kFunctionsPath, "Functions", functions, error)) return false;
  std::vector<std::string> names;
  for (const auto& f : functions) {
    if (json_string(f, "PackageType") != "Image") continue;
    const std::string name = json_string(f, "FunctionName");
    if (!is_function_name(name)) {
      error = {"", "ListFunctions: a function name Lambda would not give: `" + name.substr(0, 200) + "`", 0, ErrorKind::BadInput};
      return false;
    }
    names.push_back(name);
  }
  stats.functions += names.size();
  std::vector<FunctionImages> read(names.size());
  parallel_for(names.size(), jobs, [&](std::size_t i, unsigned) { read_function(lambda, names[i], read[i]); });
  for (auto& f : read) {
    if (!f.ok) {
      error = f.error;
      return false;
    }
    stats.versions += f.versions;
    for (auto& image : f.images) out.push_back(std::move(image));
  }
  stats.calls += lambda.calls() - before;
  return true;
}

}  // namespace regpol::aws
