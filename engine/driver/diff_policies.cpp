// `regpol diff` below the command line (driver/diff_policies.h).
#include "sema/check.h"
#include "driver/diff_policies.h"

#include <algorithm>
#include <iostream>

#include "diff/compare.h"
#include "diag/render.h"
#include "diff/render.h"
#include "driver/evaluate_policy.h"
#include "driver/exit_code.h"
#include "driver/in_use.h"
#include "driver/run_lifecycle.h"
#include "driver/snapshots.h"
#include "report/plan_report.h"

namespace regpol {

namespace {

// One side of the diff. A file that holds no declaration (E0108: the side a pull request adds
// or deletes a policy file on, given as `git show REV:FILE` or an empty file) is a policy
// with no rules, under which every image is kept: the diff shows the whole policy as new.
int compile_side(const std::string& path, SourceMap& sources, const CompileOptions& options, CompiledPolicy& out) {
  DiagnosticSink sink;
  out = compile_policy_file(path, sources, sink, options);
  if (out.ok) return kOk;
  const std::vector<Diagnostic> found = sink.sorted();
  const bool only_empty = std::all_of(found.begin(), found.end(), [](const Diagnostic& d) { return d.severity != Severity::Error || d.code == "E0108"; });
  if (only_empty && std::any_of(found.begin(), found.end(), [](const Diagnostic& d) { return d.code == "E0108"; })) {
    out = CompiledPolicy{};
    out.ok = true;
    return kOk;
  }
  std::cerr << render_human(sources, found, {false});
  return fail(out.malformed ? kBadInput : kFindings, path + ": the policy has errors; nothing was compared");
}

}  // namespace

int diff_policies(const DiffRequest& request, std::string& out, bool& changed) {
  LifecycleOptions lopt = request.lifecycle;
  std::string err;
  SourceMap old_sources, new_sources;
  CompiledPolicy old_policy, new_policy;
  if (int code = compile_side(request.old_path, old_sources, request.compile, old_policy); code != kOk) return code;
  if (int code = compile_side(request.new_path, new_sources, request.compile, new_policy); code != kOk) return code;
  Registry registry;
  LoadError lerr;
  if (!load_snapshots(request.snapshots, registry, lerr, lopt.threads)) return fail(kBadInput, "[E0501] " + lerr.to_string());
  InUseReading in_use;
  if (int code = read_in_use(request.in_use, registry, {request.strict_in_use, request.max_in_use_age}, lopt, in_use); code != kOk) return code;
  const std::string& only = request.repository;
  PolicyRun old_run, new_run;
  if (!run_policy_lifecycle(old_policy.plan, registry, lopt, only, old_run, err)) return fail(kBadInput, request.old_path + ": " + err);
  if (!run_policy_lifecycle(new_policy.plan, registry, lopt, only, new_run, err)) return fail(kBadInput, request.new_path + ": " + err);
  if (report_evaluation_errors(registry, old_run.result, old_run.plan_of_repo) ||
      report_evaluation_errors(registry, new_run.result, new_run.plan_of_repo))
    return fail(kBadInput, "[E0601] some `where` or `per` expressions could not be evaluated; nothing was compared");

  // Each policy's dollars at the rates its own plan gets (the archive tier follows the volumes
  // it archives and expires), so the change in the saving is NEW's plan minus OLD's.
  ReportOptions old_prices, new_prices;
  apply_pricing(registry, old_run.result, request.prices, old_prices);
  apply_pricing(registry, new_run.result, request.prices, new_prices);
  PolicyDiff diff = compare_lifecycle(registry, {request.old_name, &old_run.result, &old_run.plan_of_repo, &old_prices},
                                      {request.new_name, &new_run.result, &new_run.plan_of_repo, &new_prices}, only, lopt.now);
  diff.snapshot_files = request.snapshots;
  for (const auto& f : in_use.set.files)
    diff.in_use_sources.push_back({f.path, f.read_at, f.references, f.images.size(), kept_by_in_use(registry, old_run.result, old_run.plan_of_repo, f.images),
                                   kept_by_in_use(registry, new_run.result, new_run.plan_of_repo, f.images)});
  diff.setting_changes = policy_settings_changes(old_policy.plan, new_policy.plan, registry, sema::ecr_action_names(), lopt.now, only);
  if (const auto& log = request.requests) {
    if (!compare_requests(registry, old_policy.plan, new_policy.plan, *log, diff, err)) return fail(kBadInput, err);
  }
  const std::string& format = request.format;
  if (format == "html") {
    if (!render_diff_html(registry, diff, out, err)) return fail(kInternal, err);
  } else {
    out = format == "json"       ? render_diff_json(registry, diff)
          : format == "markdown" ? render_diff_markdown(registry, diff)
                                 : render_diff_text(registry, diff);
  }
  changed = diff.changed();
  return kOk;
}

}  // namespace regpol
