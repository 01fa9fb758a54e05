#pragma once
// The acting half: a run recorded in the state database is carried out through a target,
// batch by batch, journaled so that a run killed at any instant resumes where it stopped
// and each action happens once (store/state_store.h says how).
#include <functional>
#include <string>
#include <vector>

#include "apply/recheck.h"
#include "apply/target.h"

namespace regpol {

struct ExecuteOptions {
  std::size_t batch_size = 0;  // 0: the target's; otherwise at most the target's
  // Called after each batch with (actions finished, actions to do in this call).
  std::function<void(std::size_t, std::size_t)> progress;
  // Re-plans a repository as the target holds it now (apply --policy); null: only the
  // image-level checks of recheck.h.
  const FreshPlan* fresh = nullptr;
  // Called after each batch's outcomes are recorded, with what the target answered for each
  // of its actions (apply --events). A crash between the record and the call loses the
  // call: what was carried out is the journal's to say, not this.
  std::function<void(std::int64_t run, const std::vector<const ActionRecord*>& batch, const std::vector<TargetAnswer>& answers)> on_batch;
};

struct ExecuteResult {
  bool completed = false;  // every action has a final status; the run is closed
  Error error;             // why not (the target could not be reached or refused the caller, the journal failed)
  bool journal_failed = false;  // the error is the state database's, not the target's
};

// Carries out every pending or sent action of `run`, then closes the run. Right before a
// repository's first batch, the repository is read again from the target (targets that
// can be read) and each of its unfinished actions that no longer holds is recorded as
// already gone or skipped instead of being sent (recheck.h). The run ends "finished" (or
// "failed" when the target refused some actions). On an error the run stays open, to be
// resumed by the next apply.
ExecuteResult execute_run(StateStore& store, Target& target, std::int64_t run, const ExecuteOptions& options);

// Closes an unfinished run whose inputs have since changed (a new snapshot, policy or plan)
// so that the new inputs can be planned with no person needed after a crash. Each
// unfinished action is settled by what the target holds now: an image gone (or archived)
// is recorded already so (a batch sent before the crash may have done it), the rest as
// skipped, "superseded"; with a target that cannot be read (or null: the run's own target
// is not at hand) all are "superseded". The run ends "superseded". False with `error` when
// the target cannot be read (the run stays open).
bool supersede_run(StateStore& store, Target* target, std::int64_t run, const std::string& why, std::string& error);

}  // namespace regpol
