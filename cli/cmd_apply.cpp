// `regpol apply`: carries a plan out through a target, journaled in a state database,
// behind the safety rails (docs/apply.md).
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <set>

#include "apply/actions_target.h"
#include "apply/ecr_target.h"
#include "apply/oci_target.h"
#include "cli/oci_options.h"
#include "apply/plan_artifact.h"
#include "apply/rails.h"
#include "apply/run_apply.h"
#include "apply/store_target.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "cli/policy_run.h"
#include "report/plan_report.h"
#include "util/sha256.h"
#include "util/signature.h"
#include "util/text.h"

namespace regpol::cli {

static const char* kApplyHelp =
    "usage: regpol apply --policy FILE --snapshot SNAP... --state STATE.db --target TARGET [options]\n"
    "       regpol apply --plan PLAN.json --state STATE.db --target TARGET [options]\n"
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
    "  --now T                evaluate at this RFC 3339 instant (default: the current time)\n"
    "  --in-use FILE          deployed images for `protect in_use` (as for `plan`)\n"
    "  --strict-in-use        an in-use reference that matches no image is an error (exit 3)\n"
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
    "  --grace D                       two-phase deletion: delete an image only when it was already\n"
    "                                  a candidate in an earlier run at least D before (the rest are\n"
    "                                  deferred), so a one-off glitch in a snapshot deletes nothing\n"
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
    "  3  bad input (unreadable or malformed policy, snapshot, plan or target)\n"
    "  4  the run stopped (the target or the journal failed; run the same command to resume) or\n"
    "     the target refused some actions\n"
    "  5  another apply holds the state file\n";

namespace {

// The --max-gone-percent check needs a few deletions to judge by: one image deleted by hand
// between the snapshot and the run is not a wrong snapshot.
constexpr std::int64_t kMinDeletionsForGoneShare = 4;

std::string format_percent(double p) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g%%", p);
  return buf;
}

std::unique_ptr<Target> open_target(const std::string& spec, const Args& args, std::string& error, int& code) {
  code = kBadInput;
  if (spec.rfind("actions:", 0) == 0) {
    if (spec.size() == 8) {
      code = kUsage;
      error = "--target actions:DIR needs a folder";
      return nullptr;
    }
    return ActionsTarget::open(spec.substr(8), error);
  }
  if (spec == "ecr") {
    std::string profile = args.get("--profile").value_or("");
    aws::EcrEndpoint endpoint;
    endpoint.region = aws::resolve_region(args.get("--region").value_or(""), profile);
    endpoint.registry_id = args.get("--registry-id").value_or("");
    endpoint.endpoint_url = args.get("--endpoint-url").value_or("");
    auto chain = std::make_unique<aws::CredentialChain>(aws::ChainOptions{profile, endpoint.region});
    auto client = aws::EcrClient::create(endpoint, *chain, error);
    if (!client) {
      code = kUsage;
      return nullptr;
    }
    return std::make_unique<EcrTarget>(std::move(chain), std::move(client));
  }
  if (spec.rfind("oci://", 0) == 0) {
    auto client = open_oci_client(spec, args, error);
    if (!client) {
      code = kUsage;
      return nullptr;
    }
    return std::make_unique<OciTarget>(std::move(client), static_cast<unsigned>(integer_option(args, "--jobs", 1, 64).value_or(8)));
  }
  std::string path = spec.rfind("store:", 0) == 0 ? spec.substr(6) : spec;
  return StoreTarget::open(path, error);
}

std::optional<Micros> duration_option(const Args& args, const char* name) {
  auto text = args.get(name);
  if (!text) return std::nullopt;
  auto d = parse_duration_option(*text);
  if (!d) throw UsageError{std::string(name) + " needs a duration such as 30m, 6h, 2d or 1w, not `" + *text + "`"};
  return d;
}

bool interactive() { return isatty(STDIN_FILENO) == 1 && isatty(STDERR_FILENO) == 1; }

struct Tally {
  std::int64_t deletes = 0, transitions = 0, bytes = 0, deferred = 0, skipped = 0, already = 0;
};

Tally tally(const std::vector<ActionRecord>& actions) {
  Tally t;
  for (const auto& a : actions) {
    if (a.status == ActionStatus::Deferred) ++t.deferred;
    else if (a.status == ActionStatus::Skipped) ++t.skipped;
    else if (a.status == ActionStatus::AlreadyDone) ++t.already;
    else if (a.kind == ActionKind::Delete) {
      ++t.deletes;
      t.bytes += a.size_bytes;
    } else {
      ++t.transitions;
    }
  }
  return t;
}

std::string plan_line(const Tally& t) {
  std::string s = plural(static_cast<std::size_t>(t.deletes), "deletion") + " (" + human_bytes(static_cast<ByteTotal>(t.bytes)) + "), " +
                  plural(static_cast<std::size_t>(t.transitions), "transition") + " to archive";
  if (t.deferred) s += ", " + std::to_string(t.deferred) + " deferred by --grace";
  if (t.skipped) s += ", " + std::to_string(t.skipped) + " skipped (changed since the snapshot)";
  if (t.already) s += ", " + std::to_string(t.already) + " already gone";
  return s;
}

// Asks on the terminal; true to go on.
bool confirm(const std::string& question) {
  std::cerr << question << " [y/N] " << std::flush;
  std::string answer;
  if (!std::getline(std::cin, answer)) return false;
  return answer == "y" || answer == "Y" || answer == "yes";
}

class Progress {
 public:
  explicit Progress(bool live) : live_(live), start_(std::chrono::steady_clock::now()) {}
  void operator()(std::size_t done, std::size_t total) {
    if (!live_) return;
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    double rate = secs > 0 ? static_cast<double>(done) / secs : 0;
    double eta = rate > 0 ? static_cast<double>(total - done) / rate : 0;
    char buf[128];
    std::snprintf(buf, sizeof buf, "\rapplying: %zu/%zu actions, %.0f/s, ETA %.0fs   ", done, total, rate, eta);
    std::cerr << buf << std::flush;
  }
  void end() {
    if (live_) std::cerr << "\n";
  }
  double seconds() const { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count(); }

 private:
  bool live_;
  std::chrono::steady_clock::time_point start_;
};

int finish_message(StateStore& store, std::int64_t run, const ExecuteResult& r, const Progress& progress) {
  auto rec = store.run(run);
  if (!r.completed) {
    return fail(kInternal, "run " + std::to_string(run) + " stopped: " + r.error +
                               "; nothing after that point was done: run the same command again to resume");
  }
  char secs[32];
  std::snprintf(secs, sizeof secs, "%.1fs", progress.seconds());
  // Counts of what this run did; an actions:DIR target only wrote the requests down.
  const bool written = rec->target.rfind("actions:", 0) == 0;
  std::cout << "run " << run << " " << rec->status << ": ";
  if (written) {
    std::cout << rec->deleted << " deletions (" << human_bytes(static_cast<ByteTotal>(rec->bytes_deleted)) << ") and " << rec->transitioned
              << " transitions written, not carried out";
  } else {
    std::cout << rec->deleted << " deleted (" << human_bytes(static_cast<ByteTotal>(rec->bytes_deleted)) << "), " << rec->transitioned << " transitioned";
  }
  if (rec->already) std::cout << ", " << rec->already << " already so (gone or archived)";
  if (rec->skipped) std::cout << ", " << rec->skipped << " skipped";
  if (rec->deferred) std::cout << ", " << rec->deferred << " deferred";
  if (rec->failed) std::cout << ", " << rec->failed << " failed";
  std::cout << " in " << secs << " (`regpol runs show " << run << "` for details)\n";
  return rec->failed ? kInternal : kOk;
}

}  // namespace

int cmd_apply(const Argv& argv) {
  Args args(argv,
            {"--import-root", "--policy", "--snapshot", "--plan", "--state", "--target", "--now", "--in-use", "--shard", "--batch-size",
             "--threads", "--max-delete", "--max-delete-per-repository", "--max-delete-percent", "--max-gone-percent", "--max-snapshot-age", "--grace",
             "--repository", "--region", "--registry-id", "--profile", "--endpoint-url", "--username", "--jobs", "--verify-key"},
            {"--help", "--yes", "--strict-in-use", "--insecure", "--password-stdin"});
  if (args.has("--help")) {
    std::cout << kApplyHelp << kImportRootHelp << "\n" << kApplyExitHelp;
    return kOk;
  }
  auto policy = args.get("--policy");
  auto plan_path = args.get("--plan");
  std::vector<std::string> snapshots = args.all("--snapshot");
  if (!args.positionals().empty()) throw UsageError{"unexpected argument `" + args.positionals().front() + "` (see `regpol apply --help`)"};
  if (!policy && !plan_path) throw UsageError{"`apply` needs --policy FILE (with --snapshot) or --plan PLAN.json"};
  if (policy && !plan_path && snapshots.empty()) throw UsageError{"`apply --policy` needs at least one --snapshot FILE"};
  // --plan with --policy: the reviewed plan is carried out, and the policy re-plans each
  // repository as it is when apply reaches it; an action it would not take refuses the run.
  const std::optional<std::string> recheck_policy = plan_path ? policy : std::nullopt;
  if (plan_path) policy.reset();
  if (args.has("--verify-key") && !plan_path) throw UsageError{"--verify-key checks a signed plan artifact: it goes with --plan PLAN.json"};
  if (plan_path) {
    for (const char* o : {"--snapshot", "--in-use", "--shard", "--grace", "--now", "--repository", "--strict-in-use"}) {
      if (args.has(o)) throw UsageError{std::string(o) + " does not go with --plan: the plan artifact fixed what it decides"};
    }
  }
  auto state_path = args.get("--state");
  if (!state_path) throw UsageError{"`apply` needs --state STATE.db (the journal; created when missing)"};
  auto target_spec = args.get("--target");
  if (!target_spec) throw UsageError{"`apply` needs --target SNAP.db or --target actions:DIR"};
  Rails rails;
  rails.max_delete = integer_option(args, "--max-delete", 0);
  rails.max_delete_per_repository = integer_option(args, "--max-delete-per-repository", 0);
  rails.max_delete_percent = number_option(args, "--max-delete-percent", 0, 100);
  rails.max_snapshot_age = duration_option(args, "--max-snapshot-age");
  const double max_gone_percent = number_option(args, "--max-gone-percent", 0, 100).value_or(50);
  auto grace = duration_option(args, "--grace");
  ExecuteOptions exec;
  if (auto b = integer_option(args, "--batch-size", 1)) exec.batch_size = static_cast<std::size_t>(*b);
  Shard shard = shard_option(args);
  LifecycleOptions lopt;
  lopt.now = now_option(args);
  if (auto t = integer_option(args, "--threads", 1, 256)) lopt.threads = static_cast<unsigned>(*t);
  bool yes = args.has("--yes");
  if (!yes && !interactive()) throw UsageError{"apply changes a registry: pass --yes to run without a terminal (a job)"};

  std::string err;
  int code = kOk;
  for (const char* o : {"--region", "--registry-id", "--profile", "--endpoint-url"}) {
    if (args.has(o) && *target_spec != "ecr") throw UsageError{std::string(o) + " goes with --target ecr"};
  }
  for (const char* o : {"--username", "--password-stdin", "--insecure", "--jobs"}) {
    if (args.has(o) && target_spec->rfind("oci://", 0) != 0) throw UsageError{std::string(o) + " goes with --target oci://…"};
  }
  if (args.has("--password-stdin") && !yes) throw UsageError{"--password-stdin reads stdin: pass --yes as well"};
  std::unique_ptr<Target> target = open_target(*target_spec, args, err, code);
  if (!target) return fail(code, err);

  std::unique_ptr<StateLock> lock;
  if (int locked = lock_state_file(*state_path, lock); locked != kOk) return locked;
  auto store = StateStore::open(*state_path, err);
  if (!store) return fail(kBadInput, err);

  // The inputs' identity: what decides whether this is the unfinished run again, or a run
  // already done.
  RunRecord rec;
  rec.target = target->name();
  rec.shard = plan_path ? "" : shard.text();
  rec.now = lopt.now;
  rec.source = policy ? "policy " + *policy : "plan " + *plan_path;
  if (policy) {
    if (!sha256_files({*policy}, rec.policy_sha256, err) || !sha256_files(snapshots, rec.snapshot_sha256, err)) return fail(kBadInput, err);
  } else {
    if (!sha256_files({*plan_path}, rec.plan_sha256, err)) return fail(kBadInput, err);
  }

  Progress progress(isatty(STDERR_FILENO) == 1);
  exec.progress = [&](std::size_t d, std::size_t t) { progress(d, t); };

  if (auto open = store->unfinished_run()) {
    bool same = open->target == rec.target && (policy ? open->shard == rec.shard && open->policy_sha256 == rec.policy_sha256 &&
                                                            open->snapshot_sha256 == rec.snapshot_sha256 && open->plan_sha256.empty()
                                                      : open->plan_sha256 == rec.plan_sha256);
    if (!same) {
      // Its inputs changed (a nightly job pulls a new snapshot): settle it by what the target
      // holds now and plan the new inputs; no person is needed after a crash.
      std::string why = "the next apply came with other inputs (" + rec.source + " → " + rec.target + ")";
      // Its actions are settled by reading its own target; another target cannot tell.
      if (!supersede_run(*store, open->target == rec.target ? target.get() : nullptr, open->id, why, err))
        return fail(kInternal, err + "; run the same command again");
      auto settled = store->run(open->id);
      std::cerr << "regpol: run " << open->id << " (" << open->source << " → " << open->target << ") did not finish and its inputs changed: "
                << "superseded (" << settled->already << " found already so, " << settled->skipped << " not carried out); planning the new inputs\n";
    } else {
      auto actions = store->actions(open->id);
      std::size_t left = 0;
      for (const auto& a : actions) left += (a.status == ActionStatus::Pending || a.status == ActionStatus::Sent) ? 1 : 0;
      std::cerr << "regpol: resuming run " << open->id << " (stopped" << (lock->previous_holder().empty() ? "" : ", held by " + lock->previous_holder())
                << "): " << left << " of " << actions.size() << " actions left\n";
      if (!yes && !confirm("Resume run " + std::to_string(open->id) + " on " + rec.target + "?")) return fail(kFindings, "not resumed");
      // The policy, evaluated as the run was (same files, the run's instant), re-plans each
      // repository as the target holds it when the resume reaches it.
      EvaluatedPolicy resumed;
      FreshPlan fresh;
      if (policy) {
        LifecycleOptions again = lopt;
        again.now = open->now;
        if (int c = evaluate_policy(*policy, snapshots, args, again, kFindings, resumed); c != kOk) return c;
        fresh = fresh_plan_of(resumed);
        exec.fresh = &fresh;
      } else if (recheck_policy) {
        if (int c = compile_for_recheck(*recheck_policy, args, open->now, kFindings, resumed); c != kOk) return c;
        fresh = fresh_plan_of(resumed);
        exec.fresh = &fresh;
      }
      store->audit_run_event(open->id, "run-resumed", "pid " + std::to_string(getpid()));
      ExecuteResult r = execute_run(*store, *target, open->id, exec);
      progress.end();
      return finish_message(*store, open->id, r, progress);
    }
  }

  ActionPlan plan;
  Micros captured_at = kNoTime;
  SnapshotOrigin origin;
  bool mixed_sources = false;
  EvaluatedPolicy ev;
  FreshPlan fresh;
  if (policy) {
    if (int c = evaluate_policy(*policy, snapshots, args, lopt, kFindings, ev); c != kOk) return c;
    fresh = fresh_plan_of(ev);
    exec.fresh = &fresh;
    plan = planned_actions(ev.registry, ev.run.result, ev.run.plan_of_repo, lopt.now);
    rank_actions(ev.registry, plan.actions);  // the target's graph, where it can be read, decides below
    captured_at = ev.registry.captured_at;
    origin.source = ev.registry.source;
    origin.store_id = ev.registry.store_id;
    mixed_sources = ev.registry.mixed_sources;
    std::set<std::string> ids;
    for (const auto& r : ev.registry.repositories) {
      if (r.registry_id != kNoStr) ids.emplace(ev.registry.str(r.registry_id));
    }
    origin.registry_ids.assign(ids.begin(), ids.end());
  } else {
    PlanArtifact artifact;
    if (!read_plan_artifact(*plan_path, artifact, err)) return fail(kBadInput, err);
    if (auto key = args.get("--verify-key")) {
      // A reviewed plan is carried out only as signed: by the holder of the key's private half.
      if (artifact.signature.empty()) return fail(kBadInput, *plan_path + " is not signed, and --verify-key asks for a signed plan (`plan --out --sign-key`)");
      bool valid = false;
      std::string key_id;
      if (!ed25519_verify(*key, artifact.canonical, artifact.signature, valid, key_id, err)) return fail(kBadInput, err);
      if (!valid)
        return fail(kBadInput, *plan_path + ": the signature (key " + artifact.signature_key_id + ") does not verify with " + *key + " (key " + key_id +
                                   "): the plan was changed after it was signed, or signed by another key");
    }
    plan = std::move(artifact.plan);
    captured_at = artifact.captured_at;
    origin.source = artifact.source;
    origin.store_id = artifact.store_id;
    std::set<std::string> ids;
    for (const auto& a : plan.actions) {
      if (!a.registry_id.empty()) ids.insert(a.registry_id);
    }
    origin.registry_ids.assign(ids.begin(), ids.end());
    rec.now = artifact.now;
    rec.policy_sha256 = artifact.policy_sha256;
    rec.snapshot_sha256 = artifact.snapshot_sha256;
    rec.shard = artifact.shard;
    if (recheck_policy) {
      if (int c = compile_for_recheck(*recheck_policy, args, artifact.now, kFindings, ev); c != kOk) return c;
      fresh = fresh_plan_of(ev);
      exec.fresh = &fresh;
    }
  }
  // A run from a policy is the same run when the policy and the snapshots are (plan_sha256
  // stays empty); a run from a plan artifact, when the artifact is.
  if (auto done = store->finished_run(rec.policy_sha256, rec.snapshot_sha256, rec.plan_sha256, rec.target, rec.shard)) {
    std::cout << "nothing to do: run " << done->id << " already applied this " << (policy ? "policy and snapshot" : "plan") << " to "
              << rec.target << "\n";
    return kOk;
  }

  if (grace && policy) {
    std::vector<std::string> repos;
    for (const auto& r : plan.repositories) repos.push_back(r.name);
    std::vector<std::pair<std::string, std::string>> candidates;
    std::vector<ActionRecord*> deletes;
    for (auto& a : plan.actions) {
      if (a.kind != ActionKind::Delete) continue;
      candidates.emplace_back(a.repository, a.digest);
      deletes.push_back(&a);
    }
    auto first = store->note_candidates(repos, candidates, lopt.now);
    for (std::size_t i = 0; i < deletes.size(); ++i) {
      if (lopt.now - first[i] >= *grace) continue;
      deletes[i]->status = ActionStatus::Deferred;
      deletes[i]->answer = "a candidate since " + format_timestamp(first[i]) + "; --grace " + format_duration_option(*grace) +
                           " lets it go from " + format_timestamp(first[i] + *grace);
    }
  }

  auto refuse = [&](const std::vector<std::string>& why, const std::string& headline) {
    rec.message = headline;
    for (const auto& w : why) rec.message += "\n" + w;
    std::int64_t id = store->record_refused_run(rec);
    for (const auto& w : why) std::cerr << "regpol: refused: " << w << "\n";
    return fail(kFindings, "run " + std::to_string(id) + " refused: " + headline + "; nothing was changed");
  };

  // The snapshot must describe this target: its source names it, and every action lies
  // within the target's address (an oci:// prefix).
  if (mixed_sources) return refuse({"the snapshot files come from different registries or stores"}, "the snapshot does not describe one target");
  if (std::string why = target->mismatch(origin); !why.empty()) return refuse({why}, "the snapshot does not describe the target " + rec.target);
  {
    std::vector<std::string> outside;
    for (const auto& a : plan.actions) {
      if (!target->in_scope(a.repository) && (outside.empty() || outside.back() != a.repository)) outside.push_back(a.repository);
    }
    if (!outside.empty()) {
      for (auto& o : outside) o = "repository `" + o + "` is outside " + rec.target;
      return refuse(outside, "the plan acts outside the target");
    }
  }

  // What the target holds now decides, before the rails: each action checked as it will be
  // again right before its batch (recheck.h), and each repository's image count read from
  // the target (the plan's count where the target cannot be read).
  std::vector<Recheck> dropped;
  std::map<std::string, std::int64_t> target_images;
  if (!recheck_against_target(*target, plan.actions, lopt.now, exec.fresh, dropped, target_images, err))
    return fail(kInternal, "cannot read the target: " + err);
  // Emptying a repository is the never-empty rail's to refuse, for the whole run.
  dropped.erase(std::remove_if(dropped.begin(), dropped.end(), [](const Recheck& d) { return d.would_empty; }), dropped.end());
  if (!dropped.empty() && plan_path) {
    std::vector<std::string> why;
    for (const auto& d : dropped) {
      if (why.size() == 20) {
        why.push_back("… and " + std::to_string(dropped.size() - 20) + " more");
        break;
      }
      const ActionRecord& a = plan.actions[d.action];
      why.push_back(a.repository + "@" + a.digest + ": " + d.answer);
    }
    return refuse(why, "the target no longer matches the plan for " + plural(dropped.size(), "image"));
  }
  for (const auto& d : dropped) {
    ActionRecord* a = &plan.actions[d.action];
    if (a->status == ActionStatus::Deferred) continue;
    a->status = d.status;
    a->answer = d.answer;
  }
  count_for_rails(plan, target_images);
  // A snapshot of another registry, or of this one long ago, finds its images gone: past a
  // share of the run's deletions, it is not this target's snapshot.
  {
    std::int64_t deletions = 0, gone = 0;
    for (const auto& a : plan.actions) {
      if (a.kind != ActionKind::Delete || a.status == ActionStatus::Deferred) continue;
      ++deletions;
      if (a.status == ActionStatus::AlreadyDone) ++gone;
    }
    if (gone > 0 && deletions >= kMinDeletionsForGoneShare && 100.0 * static_cast<double>(gone) > max_gone_percent * static_cast<double>(deletions)) {
      return refuse({std::to_string(gone) + " of the " + std::to_string(deletions) + " images the plan deletes are not in the target (more than --max-gone-percent " +
                     format_percent(max_gone_percent) + ")"},
                    "the snapshot does not describe the target " + rec.target + " as it is now; take a new snapshot");
    }
  }
  std::vector<std::string> trips = check_rails(rails, plan, captured_at, lopt.now);
  if (!trips.empty()) return refuse(trips, plural(trips.size(), "safety rail") + " tripped");

  Tally t = tally(plan.actions);
  if (!yes) {
    std::cerr << "regpol apply: " << plan_line(t) << " on " << rec.target << "\n";
    if ((t.deletes || t.transitions) && !confirm("Carry these out?")) return fail(kFindings, "not applied (answered no); nothing was changed");
  }
  std::int64_t run = store->begin_run(rec, plan.actions);
  if (!isatty(STDERR_FILENO)) std::cerr << "regpol: run " << run << ": " << plan_line(t) << " on " << rec.target << "\n";
  ExecuteResult r = execute_run(*store, *target, run, exec);
  progress.end();
  return finish_message(*store, run, r, progress);
}

}  // namespace regpol::cli
