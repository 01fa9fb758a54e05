#pragma once
// ECR's own shapes for what apply does, so a person or a pipeline can carry a plan out with
// the AWS CLI and watch it with the same tooling as ECR's lifecycle:
// - BatchDeleteImage requests (`aws ecr batch-delete-image --cli-input-json file://…`),
//   at most 100 image ids each, one repository each;
// - UpdateImageStorageClass requests (one image each, ECR's limit);
// - events shaped like EventBridge's `ECR Image Action` (source aws.ecr).
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace regpol {

constexpr std::size_t kEcrBatchDeleteMaxIds = 100;

// registry_id may be empty (the caller's default registry, as the AWS CLI assumes).
nlohmann::json ecr_batch_delete_request(const std::string& registry_id, const std::string& repository,
                                        const std::vector<std::string>& digests);
// Removes `tags` (at most 100) from their image: BatchDeleteImage by imageTag.
nlohmann::json ecr_batch_untag_request(const std::string& registry_id, const std::string& repository, const std::vector<std::string>& tags);
nlohmann::json ecr_update_storage_class_request(const std::string& registry_id, const std::string& repository,
                                                const std::string& digest, const std::string& target_class /* ARCHIVE|STANDARD */);

struct ImageActionEvent {
  std::string id;            // unique per event; regpol derives it from the run and the action
  std::string time;          // RFC 3339
  std::string account;       // the registry id, or ""
  std::string repository, digest;
  std::string tag;           // the image's first tag, or "" (ECR sends one event per tag)
  std::string action_type;   // DELETE, or ARCHIVE for a transition, UNTAG for a tag removal (regpol's names; ECR documents no such events)
  std::string result = "SUCCESS";
};
nlohmann::json ecr_image_action_event(const ImageActionEvent& e);

}  // namespace regpol
