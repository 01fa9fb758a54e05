// `regpol export ecr`: regpol -> the ECR documents of one repository.
#include <iostream>

#include "cli/args.h"
#include "cli/commands.h"
#include "diag/render.h"
#include "driver/compile.h"
#include "plan/ecr_export.h"

namespace regpol::cli {

static const char* kExportHelp =
    "usage: regpol export ecr FILE.regpol [--repository NAME]\n"
    "\n"
    "Prints, as one JSON object, what ECR needs for a repository: \"lifecyclePolicy\" (an ECR\n"
    "lifecycle policy), \"repositoryPolicy\" (an IAM policy document) and \"imageTagMutability\"\n"
    "(with \"imageTagMutabilityExclusionFilters\"); a part the policy does not set is null.\n"
    "NAME picks the blocks as `plan` does; without it the file must have exactly one\n"
    "repository block. Anything ECR or IAM cannot express (`where`, `by semver`, `per`,\n"
    "`protect`, `on tags`, ages that are not whole days, more than five exclusion filters,\n"
    "the ECR rule constraints) is an error at its source location (E0403), exit 1.\n";

int cmd_export(const Argv& argv) {
  Args args(argv, {"--import-root", "--repository"}, {"--help"});
  if (args.has("--help")) {
    std::cout << kExportHelp << kImportRootHelp << "\n" << kExitCodesHelp;
    return kOk;
  }
  const auto& pos = args.positionals();
  if (pos.size() != 2 || pos[0] != "ecr") throw UsageError{"usage: regpol export ecr FILE.regpol [--repository NAME]"};
  SourceMap sources;
  DiagnosticSink sink;
  CompiledPolicy compiled = compile_policy_file(pos[1], sources, sink, compile_options(args));
  if (!compiled.ok) {
    std::cerr << render_human(sources, sink.sorted(), {use_color()});
    return compiled.malformed ? kBadInput : kFindings;
  }
  const PolicyPlan& plan = compiled.plan;
  const LifecyclePlan* lifecycle = nullptr;
  const MutabilityPlan* mutability = nullptr;
  AccessPlan access;
  if (auto name = args.get("--repository")) {
    for (Concern c : {Concern::Lifecycle, Concern::Mutability}) {
      ScopeChoice ch = choose_scope(plan, *name, c);
      if (ch.tied_with >= 0) return fail(kFindings, "[E0401] `" + *name + "` matches two blocks equally well: " +
                                                        plan.scopes[static_cast<std::size_t>(ch.scope)].source + " and " +
                                                        plan.scopes[static_cast<std::size_t>(ch.tied_with)].source);
      if (ch.scope < 0) continue;
      const ScopePlan& s = plan.scopes[static_cast<std::size_t>(ch.scope)];
      if (c == Concern::Lifecycle) lifecycle = &s.lifecycle;
      else mutability = &*s.mutability;
    }
    access = access_for(plan, *name);
  } else {
    std::vector<const ScopePlan*> blocks;
    for (const auto& s : plan.scopes) {
      if (!s.is_defaults) blocks.push_back(&s);
    }
    if (blocks.size() != 1) throw UsageError{"the policy has " + std::to_string(blocks.size()) + " repository blocks; pick one with --repository NAME"};
    if (blocks[0]->has_lifecycle) lifecycle = &blocks[0]->lifecycle;
    if (blocks[0]->mutability) mutability = &*blocks[0]->mutability;
    access = blocks[0]->access;
  }
  std::vector<ExportProblem> problems;
  nlohmann::json out = {{"lifecyclePolicy", nullptr}, {"repositoryPolicy", nullptr}, {"imageTagMutability", nullptr}};
  if (lifecycle) out["lifecyclePolicy"] = lifecycle_to_ecr_json(*lifecycle, problems);
  if (!access.statements.empty()) out["repositoryPolicy"] = access_to_iam_json(access, problems);
  if (mutability) {
    auto m = mutability_to_ecr_json(*mutability, problems);
    for (auto it = m.begin(); it != m.end(); ++it) out[it.key()] = it.value();
  }
  if (!problems.empty()) {
    for (const auto& p : problems) std::cerr << p.source << ": error[E0403]: " << p.message << "\n";
    return fail(kFindings, "the policy uses what ECR cannot express; nothing was exported");
  }
  std::cout << out.dump(2) << "\n";
  return kOk;
}

}  // namespace regpol::cli
