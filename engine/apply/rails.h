#pragma once
// Safety rails: checked on the whole plan before the first action; any rail that trips
// refuses the whole run (nothing is changed) with an explanation per trip.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "apply/planned_actions.h"

namespace regpol {

struct Rails {
  std::optional<std::int64_t> max_delete;                 // deletions per run
  std::optional<std::int64_t> max_delete_per_repository;  // deletions per repository
  std::optional<double> max_delete_percent;               // of the images, per run and per repository
  std::optional<Micros> max_snapshot_age;
};

// Sets each repository's counts from what the rails may trust: `deletes` from the plan's
// own delete actions that still go ahead (pending, or deferred by --grace), `images` from
// `target_images` (the target now) where it has the repository, else the plan's count.
void count_for_rails(ActionPlan& plan, const std::map<std::string, std::int64_t>& target_images);

// Each trip, one line ("repository `a` would lose 12 of 12 images …"). `captured_at` is the
// snapshot's capture time (kNoTime: unknown), `now` the run's instant.
std::vector<std::string> check_rails(const Rails& rails, const ActionPlan& plan, Micros captured_at, Micros now);

}  // namespace regpol
