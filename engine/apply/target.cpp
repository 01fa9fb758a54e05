#include "apply/target.h"

#include <algorithm>

namespace regpol {

std::vector<TargetImage> target_images(const Registry& registry, const std::string& repository) {
  std::vector<TargetImage> out;
  StrId name = registry.strings.find(repository);
  auto it = name == kNoStr ? registry.repo_index.end() : registry.repo_index.find(name);
  if (it == registry.repo_index.end()) return out;
  for (std::uint32_t idx : registry.repositories[it->second].images) {
    const Image& img = registry.images[idx];
    TargetImage t;
    t.digest = std::string(registry.str(img.digest));
    for (std::uint16_t k = 0; k < img.tag_count; ++k) t.tags.emplace_back(registry.str(registry.tags_of(img)[k]));
    std::sort(t.tags.begin(), t.tags.end());
    t.storage_class = img.storage_class() == StorageClass::Archive ? "archive" : "standard";
    for (std::uint16_t k = 0; k < img.child_count; ++k) t.children.emplace_back(registry.str(registry.children_of(img)[k]));
    if (img.subject != kNoStr) t.subject = std::string(registry.str(img.subject));
    t.pushed_at = img.pushed_at;
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace regpol
