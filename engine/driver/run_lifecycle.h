#pragma once
// Runs a compiled policy's lifecycle rules over a registry: picks each repository's block
// (the most specific match; a tie is an error, never a guess), then evaluates.
#include <string>
#include <unordered_set>
#include <vector>

#include "lifecycle/evaluate.h"
#include "plan/policy_plan.h"
#include "util/shard.h"

namespace regpol {

struct PolicyRun {
  LifecycleResult result;
  std::vector<const LifecyclePlan*> plan_of_repo;  // per repository; nullptr: no lifecycle applies
};

// `only`: evaluate just that repository when not empty; `shard`: only the repositories of
// that shard. False with `error` on an ambiguous scope or an unknown repository.
bool run_policy_lifecycle(const PolicyPlan& plan, const Registry& registry, const LifecycleOptions& options,
                          const std::string& only, PolicyRun& run, std::string& error, const Shard& shard = {});

// An image reference: REPO@DIGEST, or REPO:TAG (the last colon separates the tag; no
// tag means `latest`).
struct ImageRef {
  std::string repository;
  std::string key;  // the digest or the tag
  bool by_digest = false;
};
ImageRef parse_image_ref(const std::string& ref);

// The image a reference names in `registry`, or UINT32_MAX. With `digest_prefix`, a
// digest of at least 8 characters may be a prefix of the full one.
std::uint32_t find_image(const Registry& registry, const ImageRef& ref, bool digest_prefix);

}  // namespace regpol
