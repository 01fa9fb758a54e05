#pragma once
// The actions a lifecycle result asks for, in report order (repository, then newest
// first): `expire` → delete, `transition` → move to archive, `untag` → remove tags. Kept
// and protected images give none. Also each evaluated repository's counts, which the rails read.
#include <string>
#include <vector>

#include "lifecycle/evaluate.h"
#include "store/state_store.h"

namespace regpol {

struct RepositoryCounts {
  std::string name;
  std::int64_t images = 0;    // in the snapshot, both storage classes
  std::int64_t deletes = 0;   // planned deletions
  std::string allow_empty;    // the `allow_empty` source of its lifecycle, or ""
};

struct ActionPlan {
  std::vector<ActionRecord> actions;          // seq 1 … n
  std::vector<RepositoryCounts> repositories;  // every evaluated repository, in order
};

ActionPlan planned_actions(const Registry& registry, const LifecycleResult& result, const std::vector<const LifecyclePlan*>& plan_of_repo,
                           Micros now);

// SHA-256 of the actions' identity (repository, digest, kind, tags, storage class, tags removed, in order):
// two plans that would do the same thing have the same digest.
std::string actions_digest(const std::vector<ActionRecord>& actions);

}  // namespace regpol
