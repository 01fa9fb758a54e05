#include "interop/ecr_actions.h"

#include <nlohmann/json.hpp>

namespace regpol {

using nlohmann::json;

namespace {

// A BatchDeleteImage request whose image ids name each of `values` by `key`
// (imageDigest: the images go; imageTag: the tags go).
json batch_delete_request(const std::string& registry_id, const std::string& repository, const char* key, const std::vector<std::string>& values) {
  json ids = json::array();
  for (const auto& v : values) ids.push_back({{key, v}});
  json doc = json::object();
  if (!registry_id.empty()) doc["registryId"] = registry_id;
  doc["repositoryName"] = repository;
  doc["imageIds"] = std::move(ids);
  return doc;
}

}  // namespace

json ecr_batch_delete_request(const std::string& registry_id, const std::string& repository, const std::vector<std::string>& digests) {
  return batch_delete_request(registry_id, repository, "imageDigest", digests);
}

json ecr_batch_untag_request(const std::string& registry_id, const std::string& repository, const std::vector<std::string>& tags) {
  return batch_delete_request(registry_id, repository, "imageTag", tags);
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
