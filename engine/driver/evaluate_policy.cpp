// The evaluation `plan --policy` and `apply --policy` share.
#include "driver/evaluate_policy.h"

#include <iostream>
#include <map>

#include "apply/freed_blobs.h"
#include "apply/plan_artifact.h"
#include "driver/exit_code.h"
#include "driver/settings_drift.h"
#include "driver/snapshots.h"
#include "interop/ecr_lifecycle.h"
#include "report/plan_report.h"
#include "settings/drift_report.h"
#include "util/atomic_file.h"
#include "util/read_file.h"
#include "util/signature.h"
#include "util/sha256.h"
#include "util/text.h"

namespace regpol {

// Prints evaluation errors (a `where` that needs a field an image lacks) and returns true
// when there were any: the report is then withheld, never printed in part. Each distinct
// error (same place, same message) is printed once, with how many images it hit and one of
// them: a rule that reads a missing field fails on every such image, and a thousand
// identical lines hide the one thing to fix.
bool report_evaluation_errors(const Registry& registry, const LifecycleResult& result,
                              const std::vector<const LifecyclePlan*>& plans) {
  struct Group {
    std::size_t count = 0;
    std::uint32_t example = 0;
  };
  std::map<std::pair<std::string, std::string>, Group> groups;  // (source, message), in source order
  for (const auto& e : result.errors) {
    const Image& img = registry.images[e.image];
    const LifecyclePlan* plan = plans[img.repo];
    std::string where = !plan ? "" : e.rule >= 0 ? plan->rules[static_cast<std::size_t>(e.rule)].source
                                                 : plan->protects[static_cast<std::size_t>(-1 - e.rule)].source;
    Group& g = groups[{where, e.message}];
    if (g.count++ == 0) g.example = e.image;
  }
  for (const auto& [key, g] : groups) {
    const Image& img = registry.images[g.example];
    std::cerr << key.first << ": error[E0601]: " << key.second << " (" << plural(g.count, "image") << ", such as "
              << registry.repo_name(img) << "@" << registry.str(img.digest) << ")\n";
  }
  return !result.errors.empty();
}

int evaluate_policy(const std::string& path, const std::vector<std::string>& snapshots, const PolicyInputs& inputs, const LifecycleOptions& lopt_in,
                    int policy_errors_exit, EvaluatedPolicy& ev) {
  LifecycleOptions lopt = lopt_in;
  if (int code = compile_policy_or_fail(path, ev.sources, inputs.compile, policy_errors_exit, "evaluated", ev.compiled); code != kOk) return code;
  LoadError lerr;
  if (!load_snapshots(snapshots, ev.registry, lerr, lopt.threads)) return fail(kBadInput, "[E0501] " + lerr.to_string());
  std::string err;
  if (!inputs.in_use.empty()) {
    if (int code = read_in_use(inputs.in_use, ev.registry, {inputs.strict_in_use, inputs.max_in_use_age}, lopt, ev.in_use); code != kOk) return code;
    ev.in_use_unmatched = static_cast<long>(ev.in_use.set.unmatched.size());
    ev.in_use_elsewhere = static_cast<long>(ev.in_use.set.elsewhere.size());
  }
  if (!run_policy_lifecycle(ev.compiled.plan, ev.registry, lopt, inputs.repository, ev.run, err, inputs.shard)) {
    return fail(kBadInput, err);
  }
  if (inputs.in_use.empty()) {
    // W2103: a `protect in_use` with nothing to say what is in use protects nothing.
    for (const LifecyclePlan* p : ev.run.plan_of_repo) {
      if (!p) continue;
      for (const auto& pc : p->protects) {
        if (pc.in_use && ev.in_use_warning.empty()) ev.in_use_warning = pc.source;
      }
    }
    if (!ev.in_use_warning.empty())
      std::cerr << "regpol: warning[W2103]: " << ev.in_use_warning
                << ": `protect in_use` without --in-use FILE protects nothing (pass the deployed images)\n";
  }
  if (report_evaluation_errors(ev.registry, ev.run.result, ev.run.plan_of_repo)) {
    return fail(kBadInput, "[E0601] some `where` or `per` expressions could not be evaluated; no report was produced");
  }
  ev.options = std::move(lopt);
  return kOk;
}

int compile_for_recheck(const std::string& path, const CompileOptions& compile, Micros now, int policy_errors_exit, EvaluatedPolicy& ev) {
  if (int code = compile_policy_or_fail(path, ev.sources, compile, policy_errors_exit, "evaluated", ev.compiled); code != kOk) return code;
  ev.options.now = now;
  return kOk;
}

FreshPlan fresh_plan_of(const EvaluatedPolicy& ev) {
  return [&ev](const Registry& now, std::set<std::pair<std::string, ActionKind>>& would, std::string& error) {
    PolicyRun run;
    LifecycleOptions options = ev.options;
    options.threads = 1;  // one repository
    if (!run_policy_lifecycle(ev.compiled.plan, now, options, "", run, error)) return false;
    if (!run.result.errors.empty()) {
      error = run.result.errors.front().message;
      return false;
    }
    for (const auto& a : planned_actions(now, run.result, run.plan_of_repo, options.now).actions) would.emplace(a.digest, a.kind);
    return true;
  };
}

std::vector<InUseSourceRecord> in_use_source_records(const EvaluatedPolicy& ev) {
  std::vector<InUseSourceRecord> out;
  for (const auto& f : ev.in_use.set.files) {
    out.push_back({f.path, f.read_at, static_cast<std::int64_t>(f.references), static_cast<std::int64_t>(f.images.size()),
                   static_cast<std::int64_t>(kept_by_in_use(ev.registry, ev.run.result, ev.run.plan_of_repo, f.images))});
  }
  return out;
}

int write_plan_artifact(const std::string& out, const std::string& policy, const std::vector<std::string>& snapshots, const Shard& shard,
                        const std::optional<std::string>& sign_key, Micros now, const EvaluatedPolicy& ev, const SettingsDrift& drift) {
  PlanArtifact a;
  a.now = now;
  a.captured_at = ev.registry.captured_at;
  a.source = ev.registry.source;
  a.store_id = ev.registry.store_id;
  a.policy_file = policy;
  std::string err;
  if (!sha256_files({policy}, a.policy_sha256, err) || !sha256_files(snapshots, a.snapshot_sha256, err)) return fail(kBadInput, err);
  a.snapshot_files = snapshots;
  a.shard = shard.text();
  a.plan = planned_actions(ev.registry, ev.run.result, ev.run.plan_of_repo, now);
  a.actions_sha256 = actions_digest(a.plan.actions);
  a.in_use = in_use_source_records(ev);
  a.blobs_known = ev.registry.has_blobs();
  a.freed_groups = freed_blob_groups(ev.registry, ev.run.result, a.plan.actions);
  // The settings drift the plan shows, so that a reviewed plan also fixes which settings
  // `apply --settings --plan` may write.
  if (drift.managed)
    a.settings = settings_drift_json(drift)["changes"];
  std::string signature, key_id;
  if (sign_key) {
    if (!ed25519_sign(*sign_key, artifact_canonical(a), signature, key_id, err)) return fail(kBadInput, err);
  }
  if (auto e = write_file_atomically(out, plan_artifact_text(a, signature, key_id)); !e.empty()) return fail(kInternal, e);
  return kOk;
}

int evaluate_ecr_lifecycle(const std::string& path, const std::vector<std::string>& snapshots, const std::string& repository,
                           const LifecycleOptions& options, EvaluatedEcrLifecycle& out) {
  ReadFileResult text = read_file_limited(path, kMaxDocumentBytes);
  if (!text.ok) return fail(kBadInput, text.error);
  std::vector<DocumentProblem> problems;
  if (!lifecycle_plan_from_ecr_json(path, text.text, out.plan, problems)) {
    for (const auto& p : problems) {
      std::cerr << path << "#" << p.pointer << ": error[E0404]: " << p.message << "\n";
    }
    return fail(kBadInput, "ECR would reject this lifecycle policy (" + std::to_string(problems.size()) + " problem" +
                               (problems.size() == 1 ? "" : "s") + ")");
  }
  LoadError lerr;
  if (!load_snapshots(snapshots, out.registry, lerr, options.threads)) return fail(kBadInput, "[E0501] " + lerr.to_string());
  ScopedPlan scope{&out.plan, {}};
  if (!repository.empty()) {
    StrId id = out.registry.strings.find(repository);
    auto it = id ? out.registry.repo_index.find(id) : out.registry.repo_index.end();
    if (it == out.registry.repo_index.end()) return fail(kBadInput, "repository `" + repository + "` is not in the snapshot");
    scope.repositories.push_back(it->second);
  } else {
    for (std::uint32_t r = 0; r < out.registry.repositories.size(); ++r) scope.repositories.push_back(r);
  }
  out.result = evaluate_lifecycle(out.registry, {scope}, options);
  out.plans.assign(out.registry.repositories.size(), &out.plan);
  return kOk;
}

}  // namespace regpol
