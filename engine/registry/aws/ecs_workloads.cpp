// ECS: what runs and what a rollback would run (registry/aws/workloads.h).
#include <algorithm>
#include <map>
#include <mutex>
#include <set>

#include "registry/aws/workloads.h"
#include "util/parallel.h"

namespace regpol::aws {

namespace {

// DescribeServices takes at most 10 services a call, DescribeTasks 100 tasks.
constexpr std::size_t kServicesPerDescribe = 10;
constexpr std::size_t kTasksPerDescribe = 100;

// The last part of an ARN's resource ("cluster/prod" -> "prod", "task/prod/abc" -> "abc").
std::string last_part(const std::string& arn) {
  auto slash = arn.rfind('/');
  return slash == std::string::npos ? arn : arn.substr(slash + 1);
}

// "web:42" from "arn:aws:ecs:us-east-1:111122223333:task-definition/web:42".
std::string family_revision(const std::string& arn) { return last_part(arn); }

std::vector<std::string> strings_of(const std::vector<nlohmann::json>& items) {
  std::vector<std::string> out;
  out.reserve(items.size());
  for (const auto& x : items)
    if (x.is_string()) out.push_back(x.get<std::string>());
  return out;
}

// The array at `key` of `doc`, or an empty one when it is absent or not an array.
const nlohmann::json& array_at(const nlohmann::json& doc, const char* key) {
  static const nlohmann::json kEmpty = nlohmann::json::array();
  if (!doc.is_object()) return kEmpty;
  auto it = doc.find(key);
  return it != doc.end() && it->is_array() ? *it : kEmpty;
}

class EcsReader {
 public:
  EcsReader(EcrClient& ecs, const EcsReadOptions& options, WorkloadReadStats& stats)
      : ecs_(ecs), options_(options), stats_(stats), region_(ecs.endpoint().region) {}

  bool read(std::vector<RunningImage>& out, EcrError& error) {
    std::vector<nlohmann::json> clusters;
    if (!ecs_.call_all("ListClusters", {{"maxResults", 100}}, "clusterArns", clusters, error)) return false;
    const std::vector<std::string> cluster_arns = strings_of(clusters);
    stats_.clusters += cluster_arns.size();
    for (const auto& cluster : cluster_arns) {
      if (!services_of(cluster, error) || !tasks_of(cluster, out, error)) return false;
    }
    if (options_.active_revisions > 0 && !active_revisions(error)) return false;
    return describe_task_definitions(out, error);
  }

 private:
  EcrClient& ecs_;
  const EcsReadOptions& options_;
  WorkloadReadStats& stats_;
  std::string region_;
  std::map<std::string, std::vector<std::string>> users_of_definition_;  // task-definition ARN -> who uses it

  bool services_of(const std::string& cluster, EcrError& error) {
    std::vector<nlohmann::json> listed;
    if (!ecs_.call_all("ListServices", {{"cluster", cluster}, {"maxResults", 100}}, "serviceArns", listed, error)) return false;
    const std::vector<std::string> arns = strings_of(listed);
    stats_.services += arns.size();
    for (std::size_t i = 0; i < arns.size(); i += kServicesPerDescribe) {
      nlohmann::json batch = nlohmann::json::array();
      for (std::size_t j = i; j < std::min(arns.size(), i + kServicesPerDescribe); ++j) batch.push_back(arns[j]);
      nlohmann::json answer;
      if (!ecs_.call("DescribeServices", {{"cluster", cluster}, {"services", batch}}, answer, error)) return false;
      for (const auto& service : array_at(answer, "services")) {
        const std::string name = json_string(service, "serviceName", last_part(json_string(service, "serviceArn")));
        const std::string where = "ecs " + region_ + " cluster " + last_part(cluster) + " service " + name;
        std::set<std::string> seen;
        // Every deployment (PRIMARY, and the ACTIVE one a rollout is replacing) and the
        // service's own task definition.
        for (const auto& d : array_at(service, "deployments")) {
          const std::string td = json_string(d, "taskDefinition");
          if (!td.empty() && seen.insert(td).second)
            users_of_definition_[td].push_back(where + ", deployment " + json_string(d, "status", "?"));
        }
        const std::string td = json_string(service, "taskDefinition");
        if (!td.empty() && seen.insert(td).second) users_of_definition_[td].push_back(where);
      }
    }
    return true;
  }

  bool tasks_of(const std::string& cluster, std::vector<RunningImage>& out, EcrError& error) {
    // desiredStatus RUNNING lists running tasks and those still starting (PENDING).
    std::vector<nlohmann::json> listed;
    if (!ecs_.call_all("ListTasks", {{"cluster", cluster}, {"desiredStatus", "RUNNING"}, {"maxResults", 100}}, "taskArns", listed, error))
      return false;
    const std::vector<std::string> arns = strings_of(listed);
    stats_.tasks += arns.size();
    for (std::size_t i = 0; i < arns.size(); i += kTasksPerDescribe) {
      nlohmann::json batch = nlohmann::json::array();
      for (std::size_t j = i; j < std::min(arns.size(), i + kTasksPerDescribe); ++j) batch.push_back(arns[j]);
      nlohmann::json answer;
      if (!ecs_.call("DescribeTasks", {{"cluster", cluster}, {"tasks", batch}}, answer, error)) return false;
      for (const auto& task : array_at(answer, "tasks")) {
        const std::string where = "ecs " + region_ + " cluster " + last_part(cluster) + " task " + last_part(json_string(task, "taskArn"));
        const std::string td = json_string(task, "taskDefinitionArn");
        if (!td.empty()) users_of_definition_[td].push_back(where);
        for (const auto& c : array_at(task, "containers")) {
          const std::string image = json_string(c, "image");
          if (image.empty()) continue;
          out.push_back({image, json_string(c, "imageDigest"), where + " (container " + json_string(c, "name", "?") + ")"});
        }
      }
    }
    return true;
  }

  bool active_revisions(EcrError& error) {
    std::vector<nlohmann::json> listed;
    if (!ecs_.call_all("ListTaskDefinitionFamilies", {{"status", "ACTIVE"}, {"maxResults", 100}}, "families", listed, error)) return false;
    const std::vector<std::string> families = strings_of(listed);
    std::vector<std::vector<std::string>> newest(families.size());
    std::vector<EcrError> errors(families.size());
    std::vector<char> ok(families.size(), 0);
    parallel_for(families.size(), options_.jobs, [&](std::size_t i, unsigned) { ok[i] = newest_of_family(families[i], newest[i], errors[i]) ? 1 : 0; });
    for (std::size_t i = 0; i < families.size(); ++i) {
      if (!ok[i]) {
        error = errors[i];
        return false;
      }
      for (const auto& arn : newest[i])
        users_of_definition_[arn].push_back("ecs " + region_ + " family " + families[i] + ", one of its newest " +
                                            std::to_string(options_.active_revisions) + " ACTIVE revisions");
    }
    return true;
  }

  // The newest `active_revisions` ACTIVE revisions of `family`. familyPrefix matches by
  // prefix ("web" lists "web-api" too) and DESC sorts by family name first: pages are read
  // until this family's newest K are found or there are no more.
  bool newest_of_family(const std::string& family, std::vector<std::string>& out, EcrError& error) {
    const nlohmann::json input = {{"familyPrefix", family}, {"status", "ACTIVE"}, {"sort", "DESC"}, {"maxResults", 100}};
    auto fetch = [&](const std::string& token, nlohmann::json& page, EcrError& e) {
      nlohmann::json page_input = input;
      if (!token.empty()) page_input["nextToken"] = token;
      return ecs_.call("ListTaskDefinitions", std::move(page_input), page, e);
    };
    auto take = [&](nlohmann::json& page, EcrError&) {
      for (const auto& arn_json : array_at(page, "taskDefinitionArns")) {
        if (!arn_json.is_string() || out.size() >= options_.active_revisions) continue;
        const std::string arn = arn_json.get<std::string>();
        const std::string fr = family_revision(arn);
        if (fr.substr(0, fr.rfind(':')) == family) out.push_back(arn);
      }
      return out.size() >= options_.active_revisions ? PageVerdict::Enough : PageVerdict::More;
    };
    return follow_pages("ListTaskDefinitions", "nextToken", fetch, take, error);
  }

  bool describe_task_definitions(std::vector<RunningImage>& out, EcrError& error) {
    std::vector<std::string> arns;
    arns.reserve(users_of_definition_.size());
    for (const auto& [arn, users] : users_of_definition_) arns.push_back(arn);
    stats_.task_definitions += arns.size();
    std::vector<nlohmann::json> answers(arns.size());
    std::vector<EcrError> errors(arns.size());
    std::vector<char> ok(arns.size(), 0);
    parallel_for(arns.size(), options_.jobs, [&](std::size_t i, unsigned) {
      ok[i] = ecs_.call("DescribeTaskDefinition", {{"taskDefinition", arns[i]}}, answers[i], errors[i]) ? 1 : 0;
    });
    for (std::size_t i = 0; i < arns.size(); ++i) {
      if (!ok[i]) {
        error = errors[i];
        return false;
      }
      const nlohmann::json& td = answers[i].is_object() && answers[i].contains("taskDefinition") ? answers[i]["taskDefinition"] : nlohmann::json();
      const std::string name = family_revision(arns[i]);
      for (const auto& c : array_at(td, "containerDefinitions")) {
        const std::string image = json_string(c, "image");
        if (image.empty()) continue;
        for (const auto& user : users_of_definition_[arns[i]])
          out.push_back({image, "", user + " (task definition " + name + ", container " + json_string(c, "name", "?") + ")"});
      }
    }
    return true;
  }
};

}  // namespace

bool read_ecs_images(EcrClient& ecs, const EcsReadOptions& options, std::vector<RunningImage>& out, WorkloadReadStats& stats,
                     EcrError& error) {
  EcsReader reader(ecs, options, stats);
  const long before = ecs.calls();
  const bool ok = reader.read(out, error);
  stats.calls += ecs.calls() - before;
  return ok;
}

}  // namespace regpol::aws
