// `regpol apply` below the command line (driver/apply_run.h).
#include "driver/apply_run.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <set>

#include "apply/actions_target.h"
#include "apply/drain.h"
#include "apply/freed_blobs.h"
#include "apply/ecr_target.h"
#include "apply/oci_target.h"
#include "apply/plan_artifact.h"
#include "apply/run_apply.h"
#include "apply/store_target.h"
#include "driver/apply_events.h"
#include "driver/apply_metrics.h"
#include "driver/exit_code.h"
#include "driver/in_use_pull.h"
#include "driver/pull.h"
#include "driver/state_lock.h"
#include "report/plan_report.h"
#include "report/runs_report.h"
#include "store/state_store.h"
#include "util/atomic_file.h"
#include "util/progress.h"
#include "util/sha256.h"
#include "util/signature.h"
#include "util/text.h"

namespace regpol {

namespace {

// The --max-gone-percent check needs a few deletions to judge by: one image deleted by hand
// between the snapshot and the run is not a wrong snapshot.
constexpr std::int64_t kMinDeletionsForGoneShare = 4;

std::string format_percent(double p) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g%%", p);
  return buf;
}

std::unique_ptr<Target> open_target(const ApplyRequest& request, std::string& error, int& code) {
  const std::string& spec = request.target_spec;
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
    EcrConnection ecr;
    if (!open_ecr(request.ecr, ecr, error)) {
      code = kUsage;
      return nullptr;
    }
    return std::make_unique<EcrTarget>(std::move(ecr.credentials), std::move(ecr.client));
  }
  if (spec.rfind("oci://", 0) == 0) {
    auto client = open_oci(spec, request.oci, error);
    if (!client) {
      code = kUsage;
      return nullptr;
    }
    return std::make_unique<OciTarget>(std::move(client), request.oci_jobs);
  }
  std::string path = spec.rfind("store:", 0) == 0 ? spec.substr(6) : spec;
  return StoreTarget::open(path, error);
}

struct Tally {
  std::int64_t deletes = 0, transitions = 0, untags = 0, bytes = 0, deferred = 0, skipped = 0, already = 0;
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
    } else if (a.kind == ActionKind::Untag) {
      ++t.untags;
    } else {
      ++t.transitions;
    }
  }
  return t;
}

std::string plan_line(const Tally& t) {
  std::string s = plural(static_cast<std::size_t>(t.deletes), "deletion") + " (" + human_bytes(static_cast<ByteTotal>(t.bytes)) + "), " +
                  plural(static_cast<std::size_t>(t.transitions), "transition") + " to archive";
  if (t.untags) s += ", " + plural(static_cast<std::size_t>(t.untags), "image") + " losing tags";
  if (t.deferred) s += ", " + std::to_string(t.deferred) + " deferred to later runs (--grace, --drain)";
  if (t.skipped) s += ", " + std::to_string(t.skipped) + " skipped (changed since the snapshot)";
  if (t.already) s += ", " + std::to_string(t.already) + " already gone";
  return s;
}


int finish_message(StateStore& store, std::int64_t run, const ExecuteResult& r, const ProgressLine& progress) {
  auto rec = store.run(run);
  if (!r.completed) {
    // What to do before resuming depends on the kind of failure, never on its wording.
    std::string resume = "run the same command again to resume";
    if (r.error.kind == ErrorKind::Denied) {
      resume = r.journal_failed ? "make the state database writable for this user, then " + resume
                                : "fix the credentials or permissions the target refused, then " + resume;
    } else if (r.journal_failed && r.error.kind == ErrorKind::BadInput) {
      resume = "the state database holds what this regpol cannot read (`regpol runs --state FILE` shows the runs): "
               "restore it or use the regpol that wrote it, then " + resume;
    }
    return fail(kInternal, "run " + std::to_string(run) + " stopped: " + r.error.message + "; nothing after that point was done: " + resume);
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
    std::cout << rec->deleted << " deleted (" << run_deleted_bytes_text(*rec) << "), " << rec->transitioned << " transitioned";
  }
  if (rec->untagged || rec->planned_untags) std::cout << ", " << rec->untagged << (written ? " tag removals written" : " untagged");
  if (rec->already) std::cout << ", " << rec->already << " already so (gone or archived)";
  if (rec->skipped) std::cout << ", " << rec->skipped << " skipped";
  if (rec->deferred) std::cout << ", " << rec->deferred << " deferred";
  if (rec->failed) std::cout << ", " << rec->failed << " failed";
  std::cout << " in " << secs << " (`regpol runs show " << run << "` for details)\n";
  return rec->failed ? kInternal : kOk;
}

// --pull: the target's registry into the folder beside the state; the snapshot's path in
// `snapshot`.
int pull_target_registry(const ApplyRequest& request, bool console_terminal, std::string& snapshot) {
  const PullFirst& first = *request.pull;
  PullRequest pull;
  pull.repository_globs = first.repository_globs;
  pull.jobs = first.jobs;
  pull.deadline = first.deadline;
  pull.out = pulled_snapshots_folder(request.state_path);
  pull.terminal = console_terminal;
  pull.progress_interval = request.progress_interval;
  pull.content_addressed = true;
  PullSummary summary;
  int code = kOk;
  if (request.target_spec == "ecr") {
    code = pull_ecr(request.ecr, pull, summary);
  } else {
    pull.state = request.state_path;  // first sightings and the manifest cache, as `snapshot pull --state`
    code = pull_oci(request.target_spec, request.oci, pull, summary);
  }
  if (code != kOk) return code;
  snapshot = summary.path;
  std::cerr << "regpol: pulled " << plural(summary.repositories, "repository", "repositories") << ", " << plural(summary.images, "image") << " from "
            << request.target_spec << " (" << plural(static_cast<std::size_t>(summary.calls), "call") << ") into " << snapshot << "\n";
  prune_pulled_snapshots(pull.out, first.keep_snapshots, snapshot);
  return kOk;
}

}  // namespace

std::string pulled_snapshots_folder(const std::string& state_path) { return state_path + ".snapshots"; }

namespace {

// --in-use-pull: each service read now into STATE.in-use/SERVICE.json (replaced every run),
// and those files added to the in-use files the policy is evaluated with.
int pull_in_use_now(const ApplyRequest& request, PolicyInputs& inputs) {
  const std::string folder = request.state_path + ".in-use";
  std::error_code ec;
  std::filesystem::create_directories(folder, ec);
  if (ec) return fail(kInternal, "cannot create " + folder + ": " + ec.message());
  for (const auto& service : request.pull->in_use_services) {
    InUsePullRequest pull;
    pull.service = service;
    if (!request.ecr.region.empty()) pull.regions = {request.ecr.region};
    pull.profile = request.ecr.profile;
    pull.endpoint_url = request.pull->in_use_endpoint_url;
    pull.jobs = request.pull->jobs;
    pull.out = folder + "/" + service + ".json";
    pull.replace = true;
    if (int code = pull_in_use(pull); code != kOk) return code;
    inputs.in_use.push_back(pull.out);
  }
  return kOk;
}

// The command itself; `run_id` gets the run it records or resumes (0: none).
int apply_once(const ApplyRequest& request, const ApplyConsole& console, std::int64_t& run_id) {
  const std::optional<std::string>& policy = request.policy;
  const std::optional<std::string>& plan_path = request.plan_path;
  const std::optional<std::string>& recheck_policy = request.recheck_policy;
  std::vector<std::string> snapshots = request.snapshots;
  const Rails& rails = request.rails;
  const double max_gone_percent = request.max_gone_percent;
  const std::optional<Micros>& grace = request.grace;
  const LifecycleOptions& lopt = request.lifecycle;
  const bool yes = request.yes;
  ExecuteOptions exec;
  exec.batch_size = request.batch_size;

  std::string err;
  int code = kOk;
  std::unique_ptr<Target> target = open_target(request, err, code);
  if (!target) return fail(code, err);
  std::unique_ptr<ApplyEvents> events;
  if (request.events_bus) {
    events = ApplyEvents::open(*request.events_bus, request.ecr, request.target_spec, err);
    if (!events) return fail(kUsage, err);
    exec.on_batch = [&events](std::int64_t run, const std::vector<const ActionRecord*>& batch, const std::vector<TargetAnswer>& answers) {
      events->batch(run, batch, answers);
    };
  }
  auto say_events = [&events] {
    if (!events) return;
    if (std::string line = events->summary(); !line.empty())
      std::cerr << "regpol: " << (events->all_delivered() ? "" : "warning: ") << "--events: " << line << "\n";
  };

  PolicyInputs inputs = request.inputs;  // --in-use-pull adds the files it reads
  std::unique_ptr<StateLock> lock;
  if (int locked = lock_state_file(request.state_path, lock); locked != kOk) return locked;
  // Pulled under the lock: two jobs never pull into one folder, and the snapshot that is
  // planned is the one this run pulled.
  if (request.pull) {
    std::string pulled;
    if (int c = pull_target_registry(request, console.stderr_is_terminal, pulled); c != kOk) return c;
    snapshots = {pulled};
    if (int c = pull_in_use_now(request, inputs); c != kOk) return c;
  }
  auto store = StateStore::open(request.state_path, err);
  if (!store) return fail(kBadInput, err);

  // The inputs' identity: what decides whether this is the unfinished run again, or a run
  // already done.
  RunRecord rec;
  rec.target = target->name();
  rec.shard = plan_path ? "" : inputs.shard.text();
  rec.now = lopt.now;
  rec.source = policy ? "policy " + *policy : "plan " + *plan_path;
  if (request.pull) rec.source += " on the snapshot pulled to " + snapshots.front();
  if (policy) {
    if (!sha256_files({*policy}, rec.policy_sha256, err) || !sha256_files(snapshots, rec.snapshot_sha256, err)) return fail(kBadInput, err);
  } else {
    if (!sha256_files({*plan_path}, rec.plan_sha256, err)) return fail(kBadInput, err);
  }

  ProgressLine progress("applying", "actions", console.stderr_is_terminal, request.progress_interval);
  exec.progress = [&](std::size_t d, std::size_t t) { progress.update(d, t); };

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
      if (!yes && !console.confirm("Resume run " + std::to_string(open->id) + " on " + rec.target + "?")) return fail(kFindings, "not resumed");
      // The policy, evaluated as the run was (same files, the run's instant), re-plans each
      // repository as the target holds it when the resume reaches it.
      EvaluatedPolicy resumed;
      FreshPlan fresh;
      if (policy) {
        LifecycleOptions again = lopt;
        again.now = open->now;
        if (int c = evaluate_policy(*policy, snapshots, inputs, again, kFindings, resumed); c != kOk) return c;
        fresh = fresh_plan_of(resumed);
        exec.fresh = &fresh;
      } else if (recheck_policy) {
        if (int c = compile_for_recheck(*recheck_policy, request.inputs.compile, open->now, kFindings, resumed); c != kOk) return c;
        fresh = fresh_plan_of(resumed);
        exec.fresh = &fresh;
      }
      run_id = open->id;
      store->audit_run_event(open->id, "run-resumed", "pid " + std::to_string(getpid()));
      ExecuteResult r = execute_run(*store, *target, open->id, exec);
      progress.end();
      say_events();
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
    if (int c = evaluate_policy(*policy, snapshots, inputs, lopt, kFindings, ev); c != kOk) return c;
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
    rec.in_use = in_use_source_records(ev);  // recorded with the run, for `regpol runs`
    rec.blobs_known = ev.registry.has_blobs();
    rec.freed_groups = freed_blob_groups(ev.registry, ev.run.result, plan.actions);
  } else {
    PlanArtifact artifact;
    if (!read_plan_artifact(*plan_path, artifact, err)) return fail(kBadInput, err);
    if (const auto& key = request.verify_key) {
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
    rec.in_use = artifact.in_use;
    rec.blobs_known = artifact.blobs_known;
    rec.freed_groups = std::move(artifact.freed_groups);
    if (recheck_policy) {
      if (int c = compile_for_recheck(*recheck_policy, request.inputs.compile, artifact.now, kFindings, ev); c != kOk) return c;
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

  // --grace: the deferrals are decided from the candidates earlier runs recorded; this
  // run's are recorded only once the rails pass (below), so a refused run starts no clock.
  std::vector<std::string> grace_repositories;
  std::vector<std::pair<std::string, std::string>> grace_candidates;
  if (grace && policy) {
    for (const auto& r : plan.repositories) grace_repositories.push_back(r.name);
    std::vector<ActionRecord*> deletes;
    for (auto& a : plan.actions) {
      if (a.kind != ActionKind::Delete) continue;
      grace_candidates.emplace_back(a.repository, a.digest);
      deletes.push_back(&a);
    }
    auto first = store->candidates_first_seen(grace_candidates, lopt.now);
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
    std::int64_t id = run_id = store->record_refused_run(rec, plan.actions);
    for (const auto& w : why) std::cerr << "regpol: refused: " << w << "\n";
    return fail(kFindings, "run " + std::to_string(id) + " refused: " + headline + "; nothing was changed (the plan held " +
                               plan_line(tally(plan.actions)) + "; `regpol runs show " + std::to_string(id) + "` lists it)");
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
  if (Error read_error; !recheck_against_target(*target, plan.actions, lopt.now, exec.fresh, dropped, target_images, read_error))
    return fail(kInternal, "cannot read the target: " + read_error.message);
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
  // --drain: the count caps shape the run (below) instead of judging it; the other rails
  // judge the whole plan, so a plan that looks wrong is still refused.
  Rails judged = rails;
  if (request.drain) judged.max_delete.reset(), judged.max_delete_per_repository.reset();
  std::vector<std::string> trips = check_rails(judged, plan, captured_at, lopt.now);
  if (!trips.empty()) return refuse(trips, plural(trips.size(), "safety rail") + " tripped");
  if (request.drain) {
    if (std::size_t later = drain_deletions(plan.actions, {rails.max_delete, rails.max_delete_per_repository}))
      std::cerr << "regpol: --drain: " << plural(later, "deletion") << " left for later runs\n";
  }
  if (grace && policy) store->note_candidates(grace_repositories, grace_candidates, lopt.now);

  Tally t = tally(plan.actions);
  if (!yes) {
    std::cerr << "regpol apply: " << plan_line(t) << " on " << rec.target << "\n";
    if ((t.deletes || t.transitions) && !console.confirm("Carry these out?")) return fail(kFindings, "not applied (answered no); nothing was changed");
  }
  std::int64_t run = run_id = store->begin_run(rec, plan.actions);
  if (!console.stderr_is_terminal) std::cerr << "regpol: run " << run << ": " << plan_line(t) << " on " << rec.target << "\n";
  ExecuteResult r = execute_run(*store, *target, run, exec);
  progress.end();
  say_events();
  return finish_message(*store, run, r, progress);
}

}  // namespace

int run_apply_command(const ApplyRequest& request, const ApplyConsole& console) {
  const auto started = std::chrono::steady_clock::now();
  std::int64_t run_id = 0;
  const int code = apply_once(request, console, run_id);
  if (!request.metrics_file && !request.metrics_push && !request.notify) return code;
  ApplyOutcome outcome;
  outcome.target = request.target_spec;
  outcome.exit_code = code;
  outcome.duration_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  outcome.finished_at = current_time();
  std::string err;
  if (auto store = std::filesystem::exists(request.state_path) ? StateStore::open_read_only(request.state_path, err) : nullptr) {
    if (run_id) outcome.run = store->run(run_id);
    outcome.last_success = store->last_finished_at();
  }
  // The metrics say what happened; failing to deliver them changes nothing about the run.
  const std::string text = apply_metrics_text(outcome);
  if (request.metrics_file) {
    if (std::string e = write_file_atomically(*request.metrics_file, text); !e.empty()) std::cerr << "regpol: warning: --metrics-file: " << e << "\n";
  }
  if (request.metrics_push) {
    if (std::string e = push_apply_metrics(*request.metrics_push, request.target_spec, text); !e.empty())
      std::cerr << "regpol: warning: --metrics-push: " << e << "\n";
  }
  if (request.notify) {
    if (std::string e = post_apply_notification(*request.notify, apply_notification_json(outcome)); !e.empty())
      std::cerr << "regpol: warning: --notify: " << e << "\n";
  }
  return code;
}

}  // namespace regpol
