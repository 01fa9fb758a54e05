#include "interop/ecr_actions.h"

#include <nlohmann/json.hpp>

namespace regpol {

using nlohmann::json;

json ecr_batch_delete_request(const std::string& registry_id, const std::string& repository, const std::vector<std::string>& digests) {
  json ids = json::array();
  for (const auto& d : digests) ids.push_back({{"imageDigest", d}});
  json doc = json::object();
  if (!registry_id.empty()) doc["registryId"] = registry_id;
  doc["repositoryName"] = repository;
  doc["imageIds"] = std::move(ids);
  return doc;
}

json ecr_batch_untag_request(const std::string& registry_id, const std::string& repository, const std::vector<std::string>& tags) {
  json ids = json::array();
  for (const auto& t : tags) ids.push_back({{"imageTag", t}});
  json doc = json::object();
  if (!registry_id.empty()) doc["registryId"] = registry_id;
  doc["repositoryName"] = repository;
  doc["imageIds"] = std::move(ids);
  return doc;
}

json ecr_update_storage_class_request(const std::string& registry_id, const std::string& repository, const std::string& digest,
                                      const std::string& target_class) {
  json doc = json::object();
  if (!registry_id.empty()) doc["registryId"] = registry_id;
  doc["repositoryName"] = repository;
  doc["imageId"] = {{"imageDigest", digest}};
  doc["targetStorageClass"] = target_class;
  return doc;
}

json ecr_image_action_event(const ImageActionEvent& e) {
  json detail = {{"result", e.result}, {"repository-name", e.repository}, {"image-digest", e.digest}, {"action-type", e.action_type}};
  if (!e.tag.empty()) detail["image-tag"] = e.tag;
  return {{"version", "0"},        {"id", e.id},     {"detail-type", "ECR Image Action"},
          {"source", "aws.ecr"},   {"account", e.account}, {"time", e.time},
          {"region", ""},          {"resources", json::array()}, {"detail", detail}};
}

}  // namespace regpol
