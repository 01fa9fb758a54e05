#include "diff/compare.h"

#include <algorithm>

#include "report/plan_summary.h"

namespace regpol {

std::vector<StrId> removed_tags(const LifecycleResult& result, std::uint32_t image) {
  const TagRemoval* r = removal_of(result, image);
  return r ? r->tags : std::vector<StrId>{};
}

PolicyDiff compare_lifecycle(const Registry& registry, const DiffSide& old_side, const DiffSide& new_side, std::string_view only,
                             Micros now) {
  PolicyDiff diff;
  diff.old_side = old_side;
  diff.new_side = new_side;
  diff.now = now;
  // Repositories in name order (the registry keeps them sorted).
  for (std::uint32_t r = 0; r < registry.repositories.size(); ++r) {
    if (!only.empty() && registry.str(registry.repositories[r].name) != only) continue;
    for (auto idx : registry.repositories[r].images) {
      ++diff.images_compared;
      Verdict a = old_side.result->decisions[idx].verdict, b = new_side.result->decisions[idx].verdict;
      if (a != b || (a == Verdict::Untag && removed_tags(*old_side.result, idx) != removed_tags(*new_side.result, idx)))
        diff.changes.push_back({idx, a, b});
      double delta = image_saving_usd(registry.images[idx], b, *new_side.prices) - image_saving_usd(registry.images[idx], a, *old_side.prices);
      if (delta != 0) diff.saving_delta_of_repo[r] += delta, diff.saving_delta += delta;
    }
  }
  for (const auto& c : diff.changes) {
    const Image& img = registry.images[c.image];
    const long double size = static_cast<long double>(std::max<std::int64_t>(0, img.size_bytes));
    for (DiffCounts* k : {&diff.total, &diff.per_repo[img.repo]}) {
      ++k->changed;
      k->to_expire += c.new_verdict == Verdict::Expire;
      k->to_keep += c.new_verdict == Verdict::Keep;
      k->to_transition += c.new_verdict == Verdict::Transition;
      k->to_untag += c.new_verdict == Verdict::Untag;
      k->bytes_reclaimed_delta += (c.new_verdict == Verdict::Expire ? size : 0) - (c.old_verdict == Verdict::Expire ? size : 0);
    }
  }
  return diff;
}

bool compare_requests(const Registry& registry, const PolicyPlan& old_policy, const PolicyPlan& new_policy, const std::string& path,
                      PolicyDiff& diff, std::string& err) {
  diff.compared_requests = true;
  AccessDecider old_decider(&old_policy, nullptr, ""), new_decider(&new_policy, nullptr, "");
  old_decider.load_snapshot_state(registry);
  new_decider.load_snapshot_state(registry);
  return for_each_request(
      path,
      [&](AccessRequest& r) {
        derive_context(r, diff.now);
        ++diff.requests;
        Decided a = old_decider.decide(r), b = new_decider.decide(r);
        if (a.decision != b.decision) diff.request_changes.push_back({diff.requests, r, a, b});
      },
      err);
}

}  // namespace regpol
