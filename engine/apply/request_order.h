#pragma once
// The order a run's requests go to the target in, shared by execute_run (which cuts it into
// batches) and the actions: target's commands.sh (which lists the requests to run by hand):
// what references another image goes before it, in an earlier request.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "store/state_store.h"

namespace regpol {

// ActionRecord::graph_rank as the order knows it (apply/recheck.h graph_ranks: by depth in
// the repository's index graph, then referrer, index, the rest; never below 0).
std::int64_t request_rank(const ActionRecord& action);

// Indices into `actions` (every action, whatever its status): each repository's run of
// actions in plan order, its deletions, then its transitions, each by request_rank, then
// in plan order. Consecutive actions of the same repository, kind and rank may share a
// request; any change between them starts a new one (ECR checks a request's images against
// the indexes present when it arrives, not in the request's order).
std::vector<std::size_t> request_order(const std::vector<ActionRecord>& actions);

// True when `a` and `b` (consecutive in request_order) may go in one request.
bool same_request_group(const ActionRecord& a, const ActionRecord& b);

}  // namespace regpol
