#pragma once
// The acting half: a run recorded in the state database is carried out through a target,
// batch by batch, journaled so that a run killed at any instant resumes where it stopped
// and each action happens once (store/state_store.h says how).
#include <functional>
#include <string>
#include <vector>

#include "apply/target.h"

namespace regpol {

// What the target holds now that differs from what the plan saw for one action.
struct TargetMismatch {
  std::size_t action;    // index into the actions compared
  bool missing = false;  // the image is not in the target
  std::string detail;    // "tags now [a, b]", "now in the archive class", "not in the target"
};

// Compares each action's image with the target's current state (targets that cannot list
// give none). False with `error` when the target cannot be read.
bool compare_with_target(Target& target, const std::vector<ActionRecord>& actions, std::vector<TargetMismatch>& out, std::string& error);

struct ExecuteOptions {
  std::size_t batch_size = 0;  // 0: the target's; otherwise at most the target's
  // Called after each batch with (actions finished, actions to do in this call).
  std::function<void(std::size_t, std::size_t)> progress;
};

struct ExecuteResult {
  bool completed = false;  // every action has a final status; the run is closed
  std::string error;       // why not (the target could not be reached, the journal failed)
};

// Carries out every pending or sent action of `run`, then closes the run ("finished", or
// "failed" when the target refused some actions). On an error the run stays open, to be
// resumed by the next apply.
ExecuteResult execute_run(StateStore& store, Target& target, std::int64_t run, const ExecuteOptions& options);

}  // namespace regpol
