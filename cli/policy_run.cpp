// The evaluation `plan --policy` and `apply --policy` share (cli/policy_run.h).
#include "cli/policy_run.h"

#include <iostream>
#include <map>

#include "apply/plan_artifact.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "diag/render.h"
#include "driver/snapshots.h"
#include "util/atomic_file.h"
#include "util/sha256.h"
#include "util/text.h"

namespace regpol::cli {

Shard shard_option(const Args& args) {
  auto text = args.get("--shard");
  if (!text) return {};
  auto s = Shard::parse(*text);
  if (!s) throw UsageError{"--shard needs I/N with 0 <= I < N <= 10000 (e.g. 0/4 … 3/4), not `" + *text + "`"};
  return *s;
}

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

int evaluate_policy(const std::string& path, const std::vector<std::string>& snapshots, const Args& args, const LifecycleOptions& lopt_in,
                    int policy_errors_exit, EvaluatedPolicy& ev) {
  LifecycleOptions lopt = lopt_in;
  DiagnosticSink sink;
  ev.compiled = compile_policy_file(path, ev.sources, sink, compile_options(args));
  if (!ev.compiled.ok) {
    std::cerr << render_human(ev.sources, sink.sorted(), {false});
    return fail(ev.compiled.malformed ? kBadInput : policy_errors_exit, path + ": the policy has errors; nothing was evaluated");
  }
  LoadError lerr;
  if (!load_snapshots(snapshots, ev.registry, lerr, lopt.threads)) return fail(kBadInput, "[E0501] " + lerr.to_string());
  std::string err;
  if (auto in_use = args.get("--in-use")) {
    std::vector<UnmatchedReference> unmatched;
    if (!load_in_use(*in_use, ev.registry, lopt.in_use, err, &unmatched)) return fail(kBadInput, err);
    for (const auto& u : unmatched)
      std::cerr << "regpol: warning: " << u.where << ": in-use reference `" << u.reference << "` matches no image of the snapshot\n";
    if (!unmatched.empty() && args.has("--strict-in-use"))
      return fail(kBadInput, plural(unmatched.size(), "in-use reference") + " matched no image (--strict-in-use); nothing was evaluated");
    ev.in_use_unmatched = static_cast<long>(unmatched.size());
  }
  if (!run_policy_lifecycle(ev.compiled.plan, ev.registry, lopt, args.get("--repository").value_or(""), ev.run, err, shard_option(args))) {
    return fail(kBadInput, err);
  }
  if (!args.has("--in-use")) {
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

int compile_for_recheck(const std::string& path, const Args& args, Micros now, int policy_errors_exit, EvaluatedPolicy& ev) {
  DiagnosticSink sink;
  ev.compiled = compile_policy_file(path, ev.sources, sink, compile_options(args));
  if (!ev.compiled.ok) {
    std::cerr << render_human(ev.sources, sink.sorted(), {false});
    return fail(ev.compiled.malformed ? kBadInput : policy_errors_exit, path + ": the policy has errors; nothing was evaluated");
  }
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

}  // namespace regpol::cli
