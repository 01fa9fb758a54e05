#include "apply/planned_actions.h"

#include <algorithm>

#include "util/sha256.h"

namespace regpol {

ActionPlan planned_actions(const Registry& reg, const LifecycleResult& result, const std::vector<const LifecyclePlan*>& plan_of_repo,
                           Micros now) {
  ActionPlan out;
  for (auto r : result.repositories) {
    const Repository& repo = reg.repositories[r];
    const LifecyclePlan* plan = plan_of_repo[r];
    RepositoryCounts counts;
    counts.name = std::string(reg.str(repo.name));
    counts.images = static_cast<std::int64_t>(repo.images.size());
    if (plan) counts.allow_empty = plan->allow_empty;
    for (auto idx : repo.images) {
      const ImageDecision& d = result.decisions[idx];
      if (d.verdict == Verdict::Keep) continue;
      const Image& img = reg.images[idx];
      ActionRecord a;
      a.seq = static_cast<std::int64_t>(out.actions.size()) + 1;
      a.registry_id = repo.registry_id == kNoStr ? std::string() : std::string(reg.str(repo.registry_id));
      a.repository = counts.name;
      a.digest = std::string(reg.str(img.digest));
      for (std::uint32_t t = 0; t < img.tag_count; ++t) a.tags.emplace_back(reg.str(reg.tags_of(img)[t]));
      std::sort(a.tags.begin(), a.tags.end());
      a.kind = d.verdict == Verdict::Expire ? ActionKind::Delete : d.verdict == Verdict::Untag ? ActionKind::Untag : ActionKind::Transition;
      if (const TagRemoval* removal = removal_of(result, idx)) {
        for (StrId t : removal->tags) a.untag.emplace_back(reg.str(t));
        std::sort(a.untag.begin(), a.untag.end());
      }
      a.storage_class = img.storage_class() == StorageClass::Archive ? "archive" : "standard";
      a.size_bytes = std::max<std::int64_t>(0, img.size_bytes);
      a.pushed_at = img.pushed_at;
      a.allow_empty = !counts.allow_empty.empty();
      if (plan && d.rule >= 0) {
        const LifecycleRule& rule = plan->rules[static_cast<std::size_t>(d.rule)];
        a.rule_priority = rule.priority;
        a.rule_source = rule.source;
        a.reason = describe_decision(reg, *plan, d, now);
      }
      if (a.kind == ActionKind::Delete) ++counts.deletes;
      out.actions.push_back(std::move(a));
    }
    out.repositories.push_back(std::move(counts));
  }
  return out;
}

std::string actions_digest(const std::vector<ActionRecord>& actions) {
  Sha256 h;
  for (const auto& a : actions) {
    std::string line = a.repository + '\t' + a.digest + '\t' + action_kind_name(a.kind) + '\t' + a.storage_class + '\t';
    for (const auto& t : a.tags) line += t + ',';
    if (!a.untag.empty()) {  // (absent for the other kinds, so their digests are those of before untag existed)
      line += "\t-";
      for (const auto& t : a.untag) line += t + ',';
    }
    line += '\n';
    h.update(line);
  }
  return h.hex();
}

}  // namespace regpol
