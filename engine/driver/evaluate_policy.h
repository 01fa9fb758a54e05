#pragma once
// What `plan --policy` and `apply --policy` share, so that apply acts on exactly what plan
// shows: compile, load the snapshots, read --in-use, evaluate (one repository, one shard),
// and withhold everything when an expression could not be evaluated.
#include <optional>
#include <string>
#include <vector>

#include "apply/recheck.h"
#include "diag/diagnostic.h"
#include "driver/compile.h"
#include "driver/in_use.h"
#include "driver/run_lifecycle.h"
#include "settings/drift.h"
#include "source/source_file.h"
#include "store/state_store.h"
#include "util/shard.h"

namespace regpol {

// What the command line adds to a policy and its snapshots.
struct PolicyInputs {
  CompileOptions compile;              // --import-root
  std::vector<std::string> in_use;     // --in-use FILE…
  bool strict_in_use = false;          // --strict-in-use
  std::optional<Micros> max_in_use_age;  // --max-in-use-age
  std::string repository;              // --repository: only this one, when not empty
  Shard shard;                         // --shard
};

struct EvaluatedPolicy {
  SourceMap sources;
  CompiledPolicy compiled;
  Registry registry;
  PolicyRun run;
  LifecycleOptions options;  // as evaluated: --now, threads, the --in-use digests
  InUseReading in_use;       // what --in-use named, matched against `registry`
  long in_use_unmatched = 0;
  long in_use_elsewhere = 0;  // references to other registries than the snapshot's
  std::string in_use_warning;  // W2103: where a `protect in_use` is that no --in-use feeds, or ""
};

// Prints diagnostics and errors to stderr. Returns kOk, or the exit code to end with:
// `policy_errors_exit` for a policy with (non-syntax) errors, kBadInput for a malformed
// policy, snapshot or in-use file.
int evaluate_policy(const std::string& path, const std::vector<std::string>& snapshots, const PolicyInputs& inputs, const LifecycleOptions& lopt_in,
                    int policy_errors_exit, EvaluatedPolicy& ev);

// Compiles the policy alone (no snapshot) for `apply --plan P --policy F`: the act-time
// recheck then re-plans each repository with it, at `now`. Same exit codes as above.
int compile_for_recheck(const std::string& path, const CompileOptions& compile, Micros now, int policy_errors_exit, EvaluatedPolicy& ev);

// The same policy, evaluated on one repository as a target holds it now (apply's act-time
// recheck, apply/recheck.h); `ev` must outlive the function.
FreshPlan fresh_plan_of(const EvaluatedPolicy& ev);

// Evaluation errors (a `where` that needs a field an image lacks), printed; true when any.
bool report_evaluation_errors(const Registry& registry, const LifecycleResult& result, const std::vector<const LifecyclePlan*>& plans);

// Per --in-use file of `ev`, in order: what it named and how many images `protect in_use`
// kept from a rule (plan's report, plan artifacts, and apply's runs).
std::vector<InUseSourceRecord> in_use_source_records(const EvaluatedPolicy& ev);

// `plan --out PLAN.json`: writes the plan artifact `apply --plan` carries out, signed with
// the Ed25519 private key at `sign_key` when given, with the settings `drift` the report shows. An exit code, the error said on stderr.
int write_plan_artifact(const std::string& out, const std::string& policy, const std::vector<std::string>& snapshots, const Shard& shard,
                        const std::optional<std::string>& sign_key, Micros now, const EvaluatedPolicy& ev,
                        const SettingsDrift& drift);

// `plan --ecr-lifecycle POLICY.json`: an ECR lifecycle policy document, evaluated as ECR
// would on every repository of the snapshots (or only `repository`). Fill it in place: the
// per-repository plans point into it.
struct EvaluatedEcrLifecycle {
  LifecyclePlan plan;
  Registry registry;
  LifecycleResult result;
  std::vector<const LifecyclePlan*> plans;  // per repository: &plan
};
// An exit code (kBadInput for a document ECR would reject, a bad snapshot or an unknown
// repository), the problems said on stderr.
int evaluate_ecr_lifecycle(const std::string& path, const std::vector<std::string>& snapshots, const std::string& repository,
                           const LifecycleOptions& options, EvaluatedEcrLifecycle& out);

}  // namespace regpol
