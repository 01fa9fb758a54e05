#pragma once
// What a run's deletions free in the registry's storage, journaled with the run so that
// `apply`, `regpol runs` and the metrics report the bytes really freed by the actions that
// were carried out, not only the summed image sizes (a Distribution registry's garbage
// collection frees a blob once no manifest references it; shared layers count once).
#include <vector>

#include "lifecycle/evaluate.h"
#include "store/state_store.h"

namespace regpol {

// The blobs that the delete actions free, grouped by the actions that reference them (each
// group's seqs ascending): a blob some image that stays references (kept, archived, losing
// tags, expiring but not in `actions`, as another shard's) is never in a group. Empty
// without blobs in the snapshot (ECR: the registry's storage is not the client's to count).
std::vector<FreedBlobGroup> freed_blob_groups(const Registry& registry, const LifecycleResult& result, const std::vector<ActionRecord>& actions);

}  // namespace regpol
