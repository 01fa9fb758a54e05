#include "driver/explain.h"

#include <iostream>

#include "diag/render.h"
#include "driver/exit_code.h"
#include "driver/in_use.h"
#include "driver/run_lifecycle.h"
#include "driver/snapshots.h"
#include "report/explain_report.h"

namespace regpol {

int explain_image(const ExplainRequest& request, std::ostream& out) {
  LifecycleOptions lopt;
  lopt.now = request.now;
  SourceMap sources;
  DiagnosticSink sink;
  CompiledPolicy compiled = compile_policy_file(request.policy, sources, sink, request.compile);
  if (!compiled.ok) {
    std::cerr << render_human(sources, sink.sorted(), {false});
    return fail(kBadInput, request.policy + ": the policy has errors");
  }
  Registry registry;
  LoadError lerr;
  if (!load_snapshots(request.snapshots, registry, lerr)) return fail(kBadInput, "[E0501] " + lerr.to_string());
  InUseReading in_use;
  if (int code = read_in_use(request.in_use, registry, {false, request.max_in_use_age}, lopt, in_use); code != kOk) return code;
  const ImageRef ref = parse_image_ref(request.image);
  const std::string& repo = ref.repository;
  StrId repo_id = registry.strings.find(repo);
  if (!repo_id || !registry.repo_index.count(repo_id)) return fail(kBadInput, "repository `" + repo + "` is not in the snapshot");
  const std::uint32_t found = find_image(registry, ref, false);
  if (found == UINT32_MAX) return fail(kBadInput, "image `" + request.image + "` is not in the snapshot");
  std::vector<RuleTrace> trace;
  lopt.trace_image = found;
  lopt.trace = &trace;
  PolicyRun run;
  std::string err;
  if (!run_policy_lifecycle(compiled.plan, registry, lopt, repo, run, err)) return fail(kBadInput, err);
  ImageExplanation e;
  e.registry = &registry;
  e.image = found;
  e.now = lopt.now;
  if (auto users = in_use.set.users.find(found); users != in_use.set.users.end()) e.users = &users->second;
  e.plan = run.plan_of_repo[registry.images[found].repo];
  const ScopeChoice choice = choose_scope(compiled.plan, repo, Concern::Lifecycle);
  if (choice.scope >= 0) e.scope = &compiled.plan.scopes[static_cast<std::size_t>(choice.scope)];
  e.trace = &trace;
  e.result = &run.result;
  out << render_explanation(e);
  return kOk;
}

}  // namespace regpol
