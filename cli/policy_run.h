#pragma once
// What `plan --policy` and `apply --policy` share, so that apply acts on exactly what plan
// shows: compile, load the snapshots, read --in-use, evaluate (one repository, one shard),
// and withhold everything when an expression could not be evaluated.
#include <string>
#include <vector>

#include "apply/recheck.h"
#include "diag/diagnostic.h"
#include "driver/compile.h"
#include "driver/run_lifecycle.h"
#include "source/source_file.h"

namespace regpol::cli {

class Args;

struct EvaluatedPolicy {
  SourceMap sources;
  CompiledPolicy compiled;
  Registry registry;
  PolicyRun run;
  LifecycleOptions options;  // as evaluated: --now, threads, the --in-use digests
  long in_use_unmatched = 0;
  std::string in_use_warning;  // W2103: where a `protect in_use` is that no --in-use feeds, or ""
};

// The --shard option ("I/N"), or all repositories; a UsageError when malformed.
Shard shard_option(const Args& args);

// Prints diagnostics and errors to stderr. Returns kOk, or the exit code to end with:
// `policy_errors_exit` for a policy with (non-syntax) errors, kBadInput for a malformed
// policy, snapshot or in-use file.
int evaluate_policy(const std::string& path, const std::vector<std::string>& snapshots, const Args& args, const LifecycleOptions& lopt_in,
                    int policy_errors_exit, EvaluatedPolicy& ev);

// Compiles the policy alone (no snapshot) for `apply --plan P --policy F`: the act-time
// recheck then re-plans each repository with it, at `now`. Same exit codes as above.
int compile_for_recheck(const std::string& path, const Args& args, Micros now, int policy_errors_exit, EvaluatedPolicy& ev);

// The same policy, evaluated on one repository as a target holds it now (apply's act-time
// recheck, apply/recheck.h); `ev` must outlive the function.
FreshPlan fresh_plan_of(const EvaluatedPolicy& ev);

// Evaluation errors (a `where` that needs a field an image lacks), printed; true when any.
bool report_evaluation_errors(const Registry& registry, const LifecycleResult& result, const std::vector<const LifecyclePlan*>& plans);

}  // namespace regpol::cli
