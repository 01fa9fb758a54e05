#pragma once
// --drain: a backlog larger than --max-delete (or --max-delete-per-repository) is carried
// out a slice a run instead of refusing the run. The deletions over the caps are deferred,
// and the next run (the same policy on a fresh snapshot) takes the next slice.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "store/state_store.h"

namespace regpol {

struct DrainCaps {
  std::optional<std::int64_t> per_run;         // --max-delete
  std::optional<std::int64_t> per_repository;  // --max-delete-per-repository
};

// Keeps at most the caps' pending deletions, chosen oldest first by push time (an unknown
// time counts as newest) after what references others (referrers, then indexes, as
// `graph_rank` orders them, so a slice never takes a child before the index that lists it);
// the others become Deferred with the reason. Returns how many were deferred.
std::size_t drain_deletions(std::vector<ActionRecord>& actions, const DrainCaps& caps);

}  // namespace regpol
