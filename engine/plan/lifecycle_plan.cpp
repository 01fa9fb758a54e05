#include "plan/lifecycle_plan.h"

#include <algorithm>

#include "match/wildcard.h"
#include "snapshot/graph.h"

namespace regpol {

const char* tag_status_name(TagStatus s) {
  switch (s) {
    case TagStatus::Tagged: return "tagged";
    case TagStatus::Untagged: return "untagged";
    case TagStatus::Any: return "any";
    case TagStatus::Artifacts: return "artifacts";
  }
  return "any";
}

const char* count_type_name(CountType c) {
  switch (c) {
    case CountType::ImageCountMoreThan: return "imageCountMoreThan";
    case CountType::SinceImagePushed: return "sinceImagePushed";
    case CountType::SinceImagePulled: return "sinceImagePulled";
    case CountType::SinceImageTransitioned: return "sinceImageTransitioned";
  }
  return "";
}

const char* action_name(LifecycleAction a) {
  switch (a) {
    case LifecycleAction::Expire: return "expire";
    case LifecycleAction::Transition: return "transition";
    case LifecycleAction::Untag: return "untag";
  }
  return "";
}

bool is_artifact_of_type(const Selection& sel, const Registry& registry, const Image& image) {
  std::string scratch;
  if (artifact_subject(registry, image, scratch).empty()) return false;
  if (sel.list.empty()) return true;
  const std::string_view type = registry.str(image.artifact_media_type);
  return std::any_of(sel.list.begin(), sel.list.end(), [&](const std::string& p) { return wildcard_match(p, type); });
}

bool tags_match(const Selection& sel, const Registry& registry, const Image& image) {
  switch (sel.status) {
    case TagStatus::Any: return true;
    case TagStatus::Untagged: return image.tag_count == 0;
    case TagStatus::Artifacts: return is_artifact_of_type(sel, registry, image);
    case TagStatus::Tagged: break;
  }
  if (image.tag_count == 0) return false;
  const StrId* tags = registry.tags_of(image);
  // Every entry of the list must match at least one of the image's tags (ECR's rule).
  for (const auto& entry : sel.list) {
    bool any = false;
    for (std::uint32_t i = 0; i < image.tag_count && !any; ++i) {
      std::string_view tag = registry.str(tags[i]);
      any = sel.list_kind == TagListKind::Prefix ? has_prefix(tag, entry) : wildcard_match(entry, tag);
    }
    if (!any) return false;
  }
  return true;
}

bool tag_named(const Selection& sel, std::string_view tag) {
  for (const auto& entry : sel.list) {
    if (sel.list_kind == TagListKind::Prefix ? has_prefix(tag, entry) : wildcard_match(entry, tag)) return true;
  }
  return false;
}

}  // namespace regpol
