// `regpol explain`: every rule's verdict on one image, and the final decision, with reasons.
#include <algorithm>
#include <chrono>
#include <iostream>

#include "cli/args.h"
#include "cli/commands.h"
#include "diag/render.h"
#include "driver/compile.h"
#include "driver/in_use.h"
#include "driver/run_lifecycle.h"
#include "driver/snapshots.h"

namespace regpol::cli {

static const char* kExplainHelp =
    "usage: regpol explain --policy FILE.regpol --snapshot SNAP... --image REPO:TAG|REPO@DIGEST [--now T] [--in-use FILE]\n"
    "\n"
    "Shows which block's lifecycle applies to the image's repository, then for every rule in\n"
    "priority order whether the image is in the rule's selection, whether the rule would act on\n"
    "it, whether a higher rule had claimed it, and finally what happens to it and why.\n"
    "\n"
    "  --policy FILE       the regpol policy (the lifecycle of the image's repository block)\n"
    "  --snapshot FILE     a snapshot in any format `plan` reads; repeat for several files\n"
    "  --image REF         the image: REPO:TAG or REPO@DIGEST, as the snapshot names it\n"
    "  --now T             evaluate at this RFC 3339 instant (default: the current time)\n"
    "  --in-use FILE       deployed images for `protect in_use`, as for `plan` (repeatable);\n"
    "                      the workloads that use the image are listed under it\n"
    "  --max-in-use-age D  refuse an in-use file read longer than D before --now (exit 3)\n";

int cmd_explain(const Argv& argv) {
  Args args(argv, {"--import-root", "--policy", "--snapshot", "--image", "--now", "--in-use", "--max-in-use-age"}, {"--help"});
  if (args.has("--help")) {
    std::cout << kExplainHelp << kImportRootHelp << "\n" << kExitCodesHelp;
    return kOk;
  }
  auto policy = args.get("--policy");
  auto image = args.get("--image");
  if (!policy || !image || !args.has("--snapshot")) throw UsageError{"`explain` needs --policy, --snapshot and --image"};
  LifecycleOptions lopt;
  lopt.now = now_option(args);
  SourceMap sources;
  DiagnosticSink sink;
  CompiledPolicy compiled = compile_policy_file(*policy, sources, sink, compile_options(args));
  if (!compiled.ok) {
    std::cerr << render_human(sources, sink.sorted(), {false});
    return fail(kBadInput, *policy + ": the policy has errors");
  }
  Registry registry;
  LoadError lerr;
  if (!load_snapshots(args.all("--snapshot"), registry, lerr)) return fail(kBadInput, "[E0501] " + lerr.to_string());
  std::string err;
  InUseReading in_use;
  if (int code = read_in_use(args.all("--in-use"), registry, {false, duration_option(args, "--max-in-use-age")}, lopt, in_use); code != kOk) return code;
  const ImageRef ref = parse_image_ref(*image);
  const std::string& repo = ref.repository;
  StrId repo_id = registry.strings.find(repo);
  if (!repo_id || !registry.repo_index.count(repo_id)) return fail(kBadInput, "repository `" + repo + "` is not in the snapshot");
  std::uint32_t found = find_image(registry, ref, false);
  if (found == UINT32_MAX) return fail(kBadInput, "image `" + *image + "` is not in the snapshot");
  std::vector<RuleTrace> trace;
  lopt.trace_image = found;
  lopt.trace = &trace;
  PolicyRun run;
  if (!run_policy_lifecycle(compiled.plan, registry, lopt, repo, run, err)) return fail(kBadInput, err);
  const Image& img = registry.images[found];
  const LifecyclePlan* plan = run.plan_of_repo[img.repo];
  std::cout << repo << "@" << registry.str(img.digest) << "\n  tags: ";
  for (std::uint32_t t = 0; t < img.tag_count; ++t) std::cout << (t ? ", " : "") << registry.str(registry.tags_of(img)[t]);
  std::cout << (img.tag_count ? "" : "(untagged)") << "\n  pushed: " << format_timestamp(img.pushed_at)
            << "  storage: " << (img.storage_class() == StorageClass::Archive ? "archive" : "standard") << "\n";
  if (auto users = in_use.set.users.find(found); users != in_use.set.users.end()) {
    std::cout << "  in use by:";
    for (const auto& user : users->second) std::cout << "\n    " << user;
    std::cout << "\n";
  }
  ScopeChoice choice = choose_scope(compiled.plan, repo, Concern::Lifecycle);
  if (!plan || choice.scope < 0) {
    std::cout << "no lifecycle block applies to `" << repo << "`: kept\n";
    return kOk;
  }
  const ScopePlan& scope = compiled.plan.scopes[static_cast<std::size_t>(choice.scope)];
  std::cout << "lifecycle from " << (scope.is_defaults ? "defaults" : "repository block") << " at " << scope.source << "\n\n";
  const LifecycleRule* claimer = nullptr;  // the first rule whose selection matched the image
  for (const auto& t : trace) {
    const LifecycleRule& r = plan->rules[static_cast<std::size_t>(t.rule)];
    std::cout << "rule " << r.priority << (r.description.empty() ? "" : " \"" + r.description + "\"") << " (" << r.source << "): ";
    if (!t.matched) {
      std::cout << "not in its selection\n";
      continue;
    }
    ImageDecision d;
    d.rule = t.rule;
    d.reason = t.reason;
    d.reference_time = t.reference_time;
    d.verdict = t.candidate ? Verdict::Expire : Verdict::Keep;
    std::string why = describe_decision(registry, *plan, d, lopt.now);
    // One decision per line: a claimed image is decided by the claiming rule; what this rule
    // would have done alone is said as that, never as this rule's verdict.
    if (r.action == LifecycleAction::Untag) {
      // Untag rules run after every other rule, over the images those keep, and claim none.
      std::cout << (t.candidate ? "removes the tags it names: " : "in its selection, removes no tag: ") << why << "\n";
      continue;
    }
    if (t.claimed_before) {
      std::cout << "in its selection, but rule " << (claimer ? std::to_string(claimer->priority) : std::string("?"))
                << " matched it first, so this rule does not decide it (alone it would "
                << (t.candidate ? "act on it: " : "keep it: ") << why << ")\n";
    } else {
      std::cout << (t.candidate ? "acts on it: " : "in its selection, keeps it: ") << why << "\n";
    }
    if (!claimer) claimer = &r;
  }
  const ImageDecision& final_decision = run.result.decisions[found];
  const char* verdict = final_decision.verdict == Verdict::Expire       ? "expire"
                        : final_decision.verdict == Verdict::Transition ? "transition"
                        : final_decision.verdict == Verdict::Untag      ? "untag"
                                                                        : "keep";
  std::cout << "\ndecision: " << verdict << " — " << describe_decision(registry, *plan, final_decision, lopt.now) << "\n";
  if (const TagRemoval* removal = removal_of(run.result, found)) {
    std::cout << "  removes:";
    for (StrId tag : removal->tags) std::cout << " " << registry.str(tag);
    std::cout << (removal->all ? " (every tag it has: it stays, untagged)" : "") << "\n";
  }
  return kOk;
}

}  // namespace regpol::cli
