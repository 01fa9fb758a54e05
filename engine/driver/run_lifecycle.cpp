#include "driver/run_lifecycle.h"

#include <map>

namespace regpol {

bool run_policy_lifecycle(const PolicyPlan& plan, const Registry& registry, const LifecycleOptions& options,
                          const std::string& only, PolicyRun& run, std::string& error, const Shard& shard) {
  run.plan_of_repo.assign(registry.repositories.size(), nullptr);
  std::map<int, std::vector<std::uint32_t>> by_scope;
  std::vector<std::uint32_t> no_scope;
  bool found_only = only.empty();
  for (std::uint32_t r = 0; r < registry.repositories.size(); ++r) {
    std::string_view name = registry.str(registry.repositories[r].name);
    if (!only.empty() && name != only) continue;
    found_only = true;
    if (!shard.contains(name)) continue;
    ScopeChoice c = choose_scope(plan, name, Concern::Lifecycle);
    if (c.tied_with >= 0) {
      error = "[E0401] repository `" + std::string(name) + "` matches two lifecycle blocks equally well: " +
              plan.scopes[static_cast<std::size_t>(c.scope)].source + " and " +
              plan.scopes[static_cast<std::size_t>(c.tied_with)].source + " (make one pattern more specific)";
      return false;
    }
    if (c.scope < 0) {
      no_scope.push_back(r);
      continue;
    }
    by_scope[c.scope].push_back(r);
    run.plan_of_repo[r] = &plan.scopes[static_cast<std::size_t>(c.scope)].lifecycle;
  }
  if (!found_only) {
    error = "repository `" + only + "` is not in the snapshot";
    return false;
  }
  std::vector<ScopedPlan> scopes;
  scopes.reserve(by_scope.size() + 1);
  for (auto& [s, repos] : by_scope) scopes.push_back({&plan.scopes[static_cast<std::size_t>(s)].lifecycle, std::move(repos)});
  // Repositories no block covers are still reported (every image kept), with an empty plan.
  static const LifecyclePlan empty;
  if (!no_scope.empty()) scopes.push_back({&empty, no_scope});
  run.result = evaluate_lifecycle(registry, scopes, options);
  return true;
}

ImageRef parse_image_ref(const std::string& ref) {
  ImageRef out;
  auto at = ref.find('@');
  auto colon = ref.rfind(':');
  out.by_digest = at != std::string::npos;
  out.repository = out.by_digest ? ref.substr(0, at) : colon == std::string::npos ? ref : ref.substr(0, colon);
  out.key = out.by_digest ? ref.substr(at + 1) : colon == std::string::npos ? "latest" : ref.substr(colon + 1);
  return out;
}

std::uint32_t find_image(const Registry& reg, const ImageRef& ref, bool digest_prefix) {
  StrId id = reg.strings.find(ref.repository);
  auto it = id ? reg.repo_index.find(id) : reg.repo_index.end();
  if (it == reg.repo_index.end()) return UINT32_MAX;
  for (auto idx : reg.repositories[it->second].images) {
    const Image& img = reg.images[idx];
    if (ref.by_digest) {
      std::string_view d = reg.str(img.digest);
      if (d == ref.key || (digest_prefix && ref.key.size() >= 8 && d.rfind(ref.key, 0) == 0)) return idx;
      continue;
    }
    for (std::uint32_t t = 0; t < img.tag_count; ++t) {
      if (reg.str(reg.tags_of(img)[t]) == ref.key) return idx;
    }
  }
  return UINT32_MAX;
}

}  // namespace regpol
