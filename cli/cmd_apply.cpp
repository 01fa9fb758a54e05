// `regpol apply`: carries a plan out through a target, journaled in a state database,
// behind the safety rails (docs/apply.md).
#include <unistd.h>

#include <chrono>
#include <iostream>
#include <optional>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/registry_options.h"
#include "driver/apply_events.h"
#include "driver/apply_run.h"
#include "driver/apply_settings.h"
#include "util/json_log.h"
#include "util/time.h"

namespace regpol::cli {

static const char* kApplyHelp =
    "usage: regpol apply --policy FILE --snapshot SNAP... --state STATE.db --target TARGET [options]\n"
    "       regpol apply --plan PLAN.json --state STATE.db --target TARGET [options]\n"
    "       regpol apply --pull --policy FILE --state STATE.db --target ecr|oci://… [options]\n"
    "       regpol apply --settings --policy FILE (--snapshot SNAP | --plan PLAN.json | --pull) --state STATE.db --target ecr\n"
    "                    [--allow-wider-access] [--now T] [--yes] [--region R …]\n"
    "\n"
    "Carries a lifecycle plan out: plans exactly as `regpol plan` does, records the plan in the\n"
    "state database, checks the safety rails, then deletes or archives image by image through\n"
    "the target, journaling each step. Killed at any moment, the next apply with the same state\n"
    "file resumes the unfinished run; each action happens once. Re-running a finished run on the\n"
    "same policy and snapshot does nothing. docs/apply.md explains the journal and the rails.\n"
    "\n"
    "  --policy FILE          the regpol policy (with --snapshot), evaluated as `plan` does\n"
    "  --snapshot FILE        the registry snapshot(s), as for `plan`; repeat for several files\n"
    "  --plan PLAN.json       instead: a reviewed plan written by `regpol plan --out`; refused when\n"
    "                         the target no longer holds the images as the plan saw them, or the\n"
    "                         artifact was edited (its artifactSha256 covers all of it)\n"
    "  --pull                 instead of --snapshot: pull the target's registry first (ecr or\n"
    "                         oci://, with the target's options), under the state file's lock,\n"
    "                         into STATE.db.snapshots/sha256-HEX.json, and plan and apply that:\n"
    "                         the nightly job's one command (docs/scheduling.md). The run names\n"
    "                         the snapshot it saw (`regpol runs`); the newest --keep-snapshots N\n"
    "                         (default 10) pulled snapshots are kept. With --pull:\n"
    "                           --repository GLOB  pull (and so plan) only the repositories\n"
    "                                              matching (repeatable; * and ?)\n"
    "                           --jobs N           as for `regpol snapshot pull` (default 8)\n"
    "                           --deadline D       give up the pull (nothing done, exit 4)\n"
    "                                              after D (30m, 6h)\n"    "                           --in-use-pull ecs|lambda  with --target ecr: read what runs\n"
    "                                              on ECS or Lambda right after the pull,\n"
    "                                              with the target's region and credentials,\n"
    "                                              into STATE.db.in-use/SERVICE.json, and\n"
    "                                              protect it (`protect in_use`; repeatable;\n"
    "                                              as `regpol in-use pull`, docs/in-use.md)\n"
    "                           --in-use-endpoint-url URL  the endpoint for those reads (a\n"
    "                                              VPC or test endpoint)\n"
    "  --verify-key PUB.pem   with --plan: carry it out only if it is signed (`plan --sign-key`)\n"
    "                         by this Ed25519 key; otherwise exit 3, nothing done\n"
    "  --plan P --policy F    the reviewed plan, checked again with the policy: each repository is\n"
    "                         planned anew as the target holds it, and an action of P that F would\n"
    "                         not take now refuses the run (exit 1, nothing changed)\n"
    "  --state STATE.db       the state database (created when missing): runs, actions, audit log\n"
    "  --target TARGET        where the actions go:\n"
    "                           SNAP.db       a SQLite snapshot store (`regpol snapshot import`),\n"
    "                                         changed in place, one transaction per batch\n"
    "                           ecr           Amazon ECR through its API: BatchDeleteImage (100 ids a\n"
    "                                         call), UpdateImageStorageClass; each repository is read\n"
    "                                         again first, and an image whose tags or storage class\n"
    "                                         changed since the snapshot is skipped and reported\n"
    "                           oci://HOST[:PORT][/PREFIX]\n"
    "                                         an OCI Distribution registry: DELETE of each manifest\n"
    "                                         by digest (every tag on it goes too); each repository\n"
    "                                         is read again first and an image whose tags changed\n"
    "                                         is skipped; blob space returns at the registry's\n"
    "                                         garbage collection (docs/registries.md)\n"
    "                           actions:DIR   ECR BatchDeleteImage / UpdateImageStorageClass request\n"
    "                                         documents and `ECR Image Action` events under\n"
    "                                         DIR/run-ID-UID/ (UID unique to the run), with\n"
    "                                         commands.sh to carry them out\n"
    "  --yes                  do not ask; needed when stdin or stderr is not a terminal (a job)\n"
    "  --progress-every D     without a terminal (a job's log), a progress line on stderr every D\n"
    "                         while pulling and acting: done/total, rate, ETA (default 10s; 0s:\n"
    "                         none); on a terminal, one line kept up to date\n"
    "  --log-format F         text (default) or json: every line on stderr one JSON object,\n"
    "                         {\"time\", \"level\": error|warning|info, \"message\"}, for log collectors\n"
    "  --metrics-file PATH    after the run, whatever its outcome, write its metrics there in the\n"
    "                         Prometheus text format (node_exporter's textfile collector: a\n"
    "                         *.prom file in its folder; replaced atomically): exit code, end\n"
    "                         time, duration, last success, the run's actions by outcome, images\n"
    "                         and bytes deleted (docs/scheduling.md)\n"
    "  --metrics-push URL     the same metrics PUT to a Prometheus Pushgateway at URL (group: job\n"
    "                         regpol_apply and the target); a failed push is a warning\n"
    "  --notify URL           POST a JSON summary of the outcome (finished, refused, stopped,\n"
    "                         busy) to URL, with a `text` line chat webhooks show; https, or\n"
    "                         http to a loopback address; a failed delivery is a warning\n"
    "  --events eventbridge[:BUS]\n"
    "                         put one event per carried-out batch on an Amazon EventBridge bus\n"
    "                         (default: the account's default bus; BUS a name or ARN) with\n"
    "                         PutEvents: source `regpol`, detail-type `ECR Image Action`, the\n"
    "                         detail's result, action-type, repository-name, image-digests\n"
    "                         (docs/scheduling.md). Region and credentials as for ECR; the\n"
    "                         endpoint AWS_ENDPOINT_URL_EVENTBRIDGE when set. Best effort: an\n"
    "                         event not delivered is a warning (the journal has every outcome)\n"
    "  --now T                evaluate at this RFC 3339 instant (default: the current time)\n"
    "  --in-use FILE          deployed images for `protect in_use` (as for `plan`; repeatable)\n"
    "  --strict-in-use        an in-use reference that matches no image is an error (exit 3)\n"
    "  --max-in-use-age D     refuse an in-use file read longer than D before the run (exit 3)\n"
    "  --shard I/N            only the repositories of shard I of N (as for `plan`)\n"
    "  --batch-size N         at most N actions per target call and journal transaction\n"
    "                         (default and maximum: the target's; 100 for BatchDeleteImage)\n"
    "  --threads N            threads for loading and evaluating (default: all cores)\n"
    "  --region R, --registry-id ID, --profile P, --endpoint-url URL\n"
    "                         with --target ecr: as for `regpol snapshot pull ecr` (docs/ecr.md)\n"
    "  --username U, --password-stdin, --insecure\n"
    "                         with --target oci://: as for `regpol snapshot pull oci://`\n"
    "  --jobs N               with --target oci://: requests at once, 1 to 64 (default 8): the\n"
    "                         tags of a repository read again, the deletes of a batch\n"
    "\n"
    "Settings (--settings, docs/enforce.md): writes what the policy sets beyond lifecycles: tag\n"
    "mutability, scan on push, repository policies, the registry's scanning and replication;\n"
    "removes ECR lifecycle policies where regpol runs the lifecycle. Only changes `regpol plan`\n"
    "showed on the snapshot (or a reviewed `plan --out` artifact holds, with its --policy) and\n"
    "that the registry, read again now, still needs are written; an\n"
    "encryption requirement is checked, never written (exit 1 while one is unmet). Its rails:\n"
    "  lockout                a repository policy that would deny the applying principal (sts:\n"
    "                         GetCallerIdentity) an action regpol needs refuses the run\n"
    "  --allow-wider-access   write repository policies that allow a request denied now (else\n"
    "                         refused, with an example request)\n"
    "Killed, the same command again reads the registry and writes what is left.\n"
    "\n"
    "Safety rails (checked before the first action; any that trips refuses the whole run,\n"
    "changes nothing, and exits 1):\n"
    "  --max-delete N                  at most N deletions in the run\n"
    "  --max-delete-per-repository N   at most N deletions in any one repository\n"
    "  --max-delete-percent P          at most P% of the images, in the run and in each repository\n"
    "  --max-snapshot-age D            refuse a snapshot captured more than D before now (30m, 6h,\n"
    "                                  2d, 1w); a snapshot without capturedAt is refused too\n"
    "  --max-gone-percent P            refuse when more than P% (default 50) of the run's deletions\n"
    "                                  (at least 4) are of images no longer in the target: the\n"
    "                                  snapshot does not describe it\n"
    "  --drain                         with --max-delete and/or --max-delete-per-repository: carry\n"
    "                                  out at most that many deletions and defer the rest to later\n"
    "                                  runs (oldest first; an index or referrer before what it\n"
    "                                  lists), instead of refusing the run: a backlog drains N a\n"
    "                                  night. The other rails still judge the whole plan\n"
    "  --grace D                       two-phase deletion: delete an image only when it was already\n"
    "                                  a candidate in an earlier run at least D before (the rest are\n"
    "                                  deferred), so a one-off glitch in a snapshot deletes nothing;\n"
    "                                  only runs that passed the rails count\n"
    "  Always: a run never empties a repository unless its lifecycle says `allow_empty`, a\n"
    "  policy with errors is refused, and so is a snapshot whose source (ECR region and account,\n"
    "  OCI host, snapshot store) is not the target's, or a plan that acts outside the target's\n"
    "  oci:// prefix. Right before each repository's first batch (also on a resume) apply reads\n"
    "  it again and drops every action a plan made then would not take (docs/apply.md).\n";

static const char* kApplyExitHelp =
    "Exit codes:\n"
    "  0  the run finished (or there was nothing to do)\n"
    "  1  refused: a rail tripped, the policy has errors, the target changed under a --plan, the\n"
    "     snapshot does not describe the target, or the question was answered no\n"
    "  2  usage error (also: no --yes without a terminal)\n"
    "  3  bad input (unreadable or malformed policy, snapshot, plan or target; with --pull, a\n"
    "     registry that refused the credentials or answered out of bounds)\n"
    "  4  the run stopped (the target or the journal failed; run the same command to resume),\n"
    "     the target refused some actions, or with --pull the registry could not answer now\n"
    "     (throttling, network or server errors after the retries, the --deadline)\n"
    "  5  another apply holds the state file\n";

namespace {

bool interactive() { return isatty(STDIN_FILENO) == 1 && isatty(STDERR_FILENO) == 1; }

// Asks on the terminal; true to go on.
bool confirm(const std::string& question) {
  std::cerr << question << " [y/N] " << std::flush;
  std::string answer;
  if (!std::getline(std::cin, answer)) return false;
  return answer == "y" || answer == "Y" || answer == "yes";
}

// apply --settings: the repository and registry settings (driver/apply_settings.h).
int apply_settings(const Args& args) {
  static const std::vector<const char*> allowed = {"--settings", "--allow-wider-access", "--policy", "--snapshot", "--pull", "--state", "--target",
                                                   "--now", "--yes", "--import-root", "--region", "--registry-id", "--profile", "--endpoint-url",
                                                   "--log-format", "--plan", "--verify-key"};
  for (const auto& name : args.given()) {
    bool ok = false;
    for (const char* a : allowed) ok = ok || name == a;
    if (!ok) throw UsageError{name + " does not go with --settings (see `regpol apply --help`)"};
  }
  if (!args.positionals().empty()) throw UsageError{"unexpected argument `" + args.positionals().front() + "` (see `regpol apply --help`)"};
  SettingsApplyRequest request;
  auto policy = args.get("--policy");
  if (!policy) throw UsageError{"`apply --settings` needs --policy FILE"};
  request.policy = *policy;
  if (args.get("--target").value_or("") != "ecr") throw UsageError{"`apply --settings` writes ECR settings: it needs --target ecr"};
  auto state_path = args.get("--state");
  if (!state_path) throw UsageError{"`apply` needs --state STATE.db (the journal; created when missing)"};
  request.state_path = *state_path;
  request.pull = args.has("--pull");
  request.snapshots = args.all("--snapshot");
  request.plan_path = args.get("--plan");
  request.verify_key = args.get("--verify-key");
  if (int(request.pull) + int(!request.snapshots.empty()) + int(request.plan_path.has_value()) != 1)
    throw UsageError{"`apply --settings` needs one of --snapshot SNAP (the dry run's), --plan PLAN.json (a reviewed plan) and --pull"};
  if (request.verify_key && !request.plan_path) throw UsageError{"--verify-key checks a signed plan artifact: it goes with --plan PLAN.json"};
  request.ecr = ecr_connect_options(args);
  request.compile.import_root = args.get("--import-root").value_or("");
  request.now = now_option(args);
  request.yes = args.has("--yes");
  request.allow_wider_access = args.has("--allow-wider-access");
  if (!request.yes && !interactive()) throw UsageError{"apply changes a registry: pass --yes to run without a terminal (a job)"};
  return run_settings_apply(request, confirm);
}

}  // namespace

int cmd_apply(const Argv& argv) {
  Args args(argv,
            {"--import-root", "--policy", "--snapshot", "--plan", "--state", "--target", "--now", "--in-use", "--max-in-use-age", "--shard", "--batch-size",
             "--threads", "--max-delete", "--max-delete-per-repository", "--max-delete-percent", "--max-gone-percent", "--max-snapshot-age", "--grace",
             "--repository", "--region", "--registry-id", "--profile", "--endpoint-url", "--username", "--jobs", "--verify-key",
             "--deadline", "--keep-snapshots", "--in-use-pull", "--in-use-endpoint-url", "--metrics-file", "--metrics-push", "--notify", "--events", "--progress-every", "--log-format"},
            {"--help", "--yes", "--strict-in-use", "--insecure", "--password-stdin", "--pull", "--drain", "--settings", "--allow-wider-access"});
  if (args.has("--help")) {
    std::cout << kApplyHelp << kImportRootHelp << "\n" << kApplyExitHelp;
    return kOk;
  }
  // From here on, with --log-format json, every line on stderr is a JSON object.
  std::optional<JsonLogLines> json_log;
  log_format_option(args, json_log);
  if (args.has("--settings")) return apply_settings(args);
  if (args.has("--allow-wider-access")) throw UsageError{"--allow-wider-access goes with --settings"};
  auto policy = args.get("--policy");
  auto plan_path = args.get("--plan");
  std::vector<std::string> snapshots = args.all("--snapshot");
  if (!args.positionals().empty()) throw UsageError{"unexpected argument `" + args.positionals().front() + "` (see `regpol apply --help`)"};
  if (!policy && !plan_path) throw UsageError{"`apply` needs --policy FILE (with --snapshot or --pull) or --plan PLAN.json"};
  const bool pull = args.has("--pull");
  if (pull) {
    if (plan_path) throw UsageError{"--pull does not go with --plan: a reviewed plan fixed its snapshot"};
    if (!snapshots.empty()) throw UsageError{"--pull takes the snapshot from the target: it does not go with --snapshot"};
    auto target = args.get("--target").value_or("");
    if (target != "ecr" && target.rfind("oci://", 0) != 0) throw UsageError{"--pull reads a registry: it needs --target ecr or --target oci://…"};
  } else {
    for (const char* o : {"--deadline", "--keep-snapshots", "--in-use-pull", "--in-use-endpoint-url"}) {
      if (args.has(o)) throw UsageError{std::string(o) + " goes with --pull"};
    }
  }
  if (policy && !plan_path && !pull && snapshots.empty()) throw UsageError{"`apply --policy` needs at least one --snapshot FILE, or --pull"};
  // --plan with --policy: the reviewed plan is carried out, and the policy re-plans each
  // repository as it is when apply reaches it; an action it would not take refuses the run.
  const std::optional<std::string> recheck_policy = plan_path ? policy : std::nullopt;
  if (plan_path) policy.reset();
  if (args.has("--verify-key") && !plan_path) throw UsageError{"--verify-key checks a signed plan artifact: it goes with --plan PLAN.json"};
  if (plan_path) {
    for (const char* o : {"--snapshot", "--in-use", "--max-in-use-age", "--shard", "--grace", "--now", "--repository", "--strict-in-use"}) {
      if (args.has(o)) throw UsageError{std::string(o) + " does not go with --plan: the plan artifact fixed what it decides"};
    }
  }
  ApplyRequest request;
  request.policy = policy;
  request.plan_path = plan_path;
  request.recheck_policy = recheck_policy;
  request.verify_key = args.get("--verify-key");
  request.snapshots = snapshots;
  auto state_path = args.get("--state");
  if (!state_path) throw UsageError{"`apply` needs --state STATE.db (the journal; created when missing)"};
  request.state_path = *state_path;
  auto target_spec = args.get("--target");
  if (!target_spec) throw UsageError{"`apply` needs --target SNAP.db or --target actions:DIR"};
  request.target_spec = *target_spec;
  request.rails.max_delete = integer_option(args, "--max-delete", 0);
  request.rails.max_delete_per_repository = integer_option(args, "--max-delete-per-repository", 0);
  request.rails.max_delete_percent = number_option(args, "--max-delete-percent", 0, 100);
  request.rails.max_snapshot_age = duration_option(args, "--max-snapshot-age");
  request.metrics_file = args.get("--metrics-file");
  request.metrics_push = args.get("--metrics-push");
  request.notify = args.get("--notify");
  if (auto events = args.get("--events")) {
    std::string bus, why;
    if (!parse_events_option(*events, bus, why)) throw UsageError{why};
    request.events_bus = bus;
  }
  if (auto every = duration_option(args, "--progress-every")) request.progress_interval = std::chrono::milliseconds(*every / 1000);
  request.drain = args.has("--drain");
  if (request.drain && !request.rails.max_delete && !request.rails.max_delete_per_repository)
    throw UsageError{"--drain needs --max-delete N and/or --max-delete-per-repository N: the deletions a run carries out"};
  request.max_gone_percent = number_option(args, "--max-gone-percent", 0, 100).value_or(50);
  request.grace = duration_option(args, "--grace");
  if (auto b = integer_option(args, "--batch-size", 1)) request.batch_size = static_cast<std::size_t>(*b);
  if (pull) {
    PullFirst first;
    first.repository_globs = args.all("--repository");
    first.jobs = static_cast<unsigned>(integer_option(args, "--jobs", 1, 64).value_or(8));
    first.deadline = duration_option(args, "--deadline");
    first.keep_snapshots = static_cast<std::size_t>(integer_option(args, "--keep-snapshots", 1, 100000).value_or(10));
    first.in_use_services = args.all("--in-use-pull");
    for (const auto& service : first.in_use_services) {
      if (service != "ecs" && service != "lambda") throw UsageError{"--in-use-pull takes ecs or lambda, not `" + service + "`"};
    }
    if (!first.in_use_services.empty() && *args.get("--target") != "ecr")
      throw UsageError{"--in-use-pull reads ECS and Lambda with the ECR target's region and credentials: it goes with --target ecr"};
    first.in_use_endpoint_url = args.get("--in-use-endpoint-url").value_or("");
    request.pull = first;
    // What was pulled is what is planned: --repository chose it already.
    request.inputs = policy_inputs(args, /*repository_option=*/false);
  } else {
    request.inputs = policy_inputs(args);
  }
  request.lifecycle.now = now_option(args);
  if (auto t = integer_option(args, "--threads", 1, 256)) request.lifecycle.threads = static_cast<unsigned>(*t);
  const bool yes = request.yes = args.has("--yes");
  if (!yes && !interactive()) throw UsageError{"apply changes a registry: pass --yes to run without a terminal (a job)"};

  for (const char* o : {"--region", "--registry-id", "--profile", "--endpoint-url"}) {
    if (args.has(o) && *target_spec != "ecr") throw UsageError{std::string(o) + " goes with --target ecr"};
  }
  for (const char* o : {"--username", "--password-stdin", "--insecure", "--jobs"}) {
    if (pull && std::string(o) == "--jobs") continue;  // the pull's, for either registry
    if (args.has(o) && target_spec->rfind("oci://", 0) != 0) throw UsageError{std::string(o) + " goes with --target oci://…"};
  }
  if (args.has("--password-stdin") && !yes) throw UsageError{"--password-stdin reads stdin: pass --yes as well"};
  request.ecr = ecr_connect_options(args);
  if (target_spec->rfind("oci://", 0) == 0) request.oci = oci_connect_options(args);
  request.oci_jobs = static_cast<unsigned>(integer_option(args, "--jobs", 1, 64).value_or(8));
  ApplyConsole console;
  console.confirm = confirm;
  console.stderr_is_terminal = isatty(STDERR_FILENO) == 1 && !json_log;  // JSON lines are never rewritten in place
  return run_apply_command(request, console);
}

}  // namespace regpol::cli
