#pragma once
// `regpol apply` below the command line: opens the target, takes the state file's lock,
// resumes or supersedes an unfinished run, plans (from a policy or a reviewed plan
// artifact), checks the plan against what the target holds now and against the rails, and
// carries it out through the journal (docs/apply.md). The nightly job's changes land here.
#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "apply/rails.h"
#include "driver/evaluate_policy.h"
#include "driver/registry_connect.h"
#include "lifecycle/evaluate.h"

namespace regpol {

// --pull: the nightly job's one command. The target's registry (ecr or oci://) is pulled
// first, under the state file's lock, into a content-addressed folder beside the state
// (pulled_snapshots_folder), and that snapshot is planned and applied: snapshot and target
// are the same registry by construction, and each run names the snapshot it saw.
struct PullFirst {
  std::vector<std::string> repository_globs;  // empty: every repository
  unsigned jobs = 8;
  std::optional<Micros> deadline;             // for the pull
  std::size_t keep_snapshots = 10;            // pulled snapshots kept in the folder
  // --in-use-pull ecs|lambda: what runs, read right after the snapshot (same region and
  // credentials as --target ecr) into STATE.in-use/SERVICE.json, and given to --in-use.
  std::vector<std::string> in_use_services;
  std::string in_use_endpoint_url;            // --in-use-endpoint-url (VPC or test endpoints)
};

// STATE.snapshots: where --pull keeps what it pulled for the state file `state_path`.
std::string pulled_snapshots_folder(const std::string& state_path);

struct ApplyRequest {
  std::optional<std::string> policy;          // --policy with --snapshot: plan now
  std::optional<PullFirst> pull;              // --pull: --policy on a snapshot pulled now
  std::optional<std::string> plan_path;       // --plan: a reviewed plan artifact
  std::optional<std::string> recheck_policy;  // --plan P --policy F: F re-plans each repository at act time
  std::optional<std::string> verify_key;      // --verify-key: P must be signed by this key
  std::vector<std::string> snapshots;
  std::string state_path, target_spec;
  PolicyInputs inputs;                        // --import-root, --in-use, --repository, --shard
  LifecycleOptions lifecycle;                 // --now, --threads
  Rails rails;
  bool drain = false;                         // --drain: --max-delete(-per-repository) cap the run instead of refusing it
  double max_gone_percent = 50;
  std::optional<Micros> grace;
  std::size_t batch_size = 0;                 // 0: the target's
  bool yes = false;                           // do not ask
  EcrConnectOptions ecr;                      // --target ecr
  OciConnectOptions oci;                      // --target oci://…
  unsigned oci_jobs = 8;
  // Without a terminal, a progress line on stderr this often (pull and actions; 0: none).
  std::chrono::milliseconds progress_interval{10000};
  std::optional<std::string> metrics_file;    // --metrics-file: Prometheus text, written whatever the outcome
  std::optional<std::string> metrics_push;    // --metrics-push: the same, PUT to a Pushgateway
  std::optional<std::string> notify;          // --notify: a JSON summary POSTed on every outcome
  std::optional<std::string> events_bus;      // --events eventbridge[:BUS]: "" the default bus
};

// How apply talks to the person (or the job log) that runs it.
struct ApplyConsole {
  std::function<bool(const std::string& question)> confirm;  // asked only without `yes`
  bool stderr_is_terminal = false;                           // live progress; else one line per run
};

// The exit code of docs/apply.md (0 finished or nothing to do, 1 refused, 3 bad input,
// 4 stopped or some actions refused by the target, 5 the state file is busy); what
// happened is said on stdout and stderr.
int run_apply_command(const ApplyRequest& request, const ApplyConsole& console);

}  // namespace regpol
