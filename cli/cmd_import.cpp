// `regpol import ecr`: ECR documents -> regpol source.
#include <fstream>
#include <iostream>

#include "cli/args.h"
#include "cli/commands.h"
#include "driver/compile.h"
#include "driver/snapshots.h"
#include "format/format.h"
#include "plan/ecr_export.h"
#include "plan/ecr_lifecycle.h"
#include "plan/iam_json.h"
#include "util/atomic_file.h"

namespace regpol::cli {

static const char* kImportHelp =
    "usage: regpol import ecr [--lifecycle L.json] [--repository-policy P.json] [--repository R.json] [--out FILE]\n"
    "\n"
    "Writes a regpol policy (to stdout, or FILE) that says what the ECR documents say:\n"
    "  --lifecycle L.json          an ECR lifecycle policy (rejected as ECR would reject it)\n"
    "  --repository-policy P.json  an ECR repository policy (an IAM policy document)\n"
    "  --repository R.json         `aws ecr describe-repositories` output: one block per\n"
    "                              repository, with its tag mutability\n"
    "Without --repository the block is `repository \"*\"`. The output is checked: it parses,\n"
    "is formatted, and compiles before it is written.\n";

int cmd_import(const Argv& argv) {
  Args args(argv, {"--lifecycle", "--repository-policy", "--repository", "--out"}, {"--help"});
  if (args.has("--help")) {
    std::cout << kImportHelp << "\n" << kExitCodesHelp;
    return kOk;
  }
  if (args.positionals().size() != 1 || args.positionals()[0] != "ecr") throw UsageError{"usage: regpol import ecr … (see --help)"};
  auto lifecycle = args.get("--lifecycle");
  auto repo_policy = args.get("--repository-policy");
  auto repos = args.get("--repository");
  if (!lifecycle && !repo_policy && !repos) throw UsageError{"give at least one of --lifecycle, --repository-policy, --repository"};

  std::string body, text, err;
  if (lifecycle) {
    if (!read_file(*lifecycle, text, err)) return fail(kBadInput, err);
    LifecyclePlan plan;
    std::vector<DocumentProblem> problems;
    if (!lifecycle_plan_from_ecr_json(*lifecycle, text, plan, problems)) {
      for (const auto& p : problems) std::cerr << *lifecycle << "#" << p.pointer << ": error[E0404]: " << p.message << "\n";
      return fail(kBadInput, "invalid ECR lifecycle policy");
    }
    body += lifecycle_to_regpol(plan);
  }
  if (repo_policy) {
    if (!read_file(*repo_policy, text, err)) return fail(kBadInput, err);
    AccessPlan plan;
    std::vector<DocumentProblem> problems;
    if (!access_plan_from_iam_json(*repo_policy, text, plan, problems)) {
      for (const auto& p : problems) std::cerr << *repo_policy << "#" << p.pointer << ": error[E0405]: " << p.message << "\n";
      return fail(kBadInput, "invalid IAM policy document");
    }
    std::string access;
    std::vector<ExportProblem> eprobs;
    if (!access_to_regpol(plan, access, eprobs)) {
      for (const auto& p : eprobs) std::cerr << p.source << ": error[E0403]: " << p.message << "\n";
      return fail(kBadInput, "the repository policy uses what regpol cannot express");
    }
    body += (body.empty() ? "" : "\n") + access;
  }
  std::string source = "# imported by `regpol import ecr`\n";
  if (repos) {
    Registry registry;
    LoadError lerr;
    if (!load_snapshots({*repos}, registry, lerr)) return fail(kBadInput, "[E0501] " + lerr.to_string());
    for (const auto& r : registry.repositories) {
      std::string block = "\nrepository \"" + std::string(registry.str(r.name)) + "\" {\n";
      if (r.mutability != Mutability::Unknown) {
        bool immutable = r.mutability == Mutability::Immutable || r.mutability == Mutability::ImmutableWithExclusion;
        block += std::string("  mutability ") + (immutable ? "immutable" : "mutable");
        for (std::size_t i = 0; i < r.mutability_exclusions.size(); ++i) {
          block += (i ? ", \"" : " except \"") + std::string(registry.str(r.mutability_exclusions[i])) + "\"";
        }
        block += "\n" + std::string(body.empty() ? "" : "\n");
      }
      source += block + body + "}\n";
    }
  } else {
    source += "\nrepository \"*\" {\n" + body + "}\n";
  }
  // The output must compile; format it canonically.
  SourceMap sources;
  DiagnosticSink sink;
  CompiledPolicy compiled = compile_policy_text("<import>", source, sources, sink);
  if (!compiled.ok) {
    for (const auto& d : sink.sorted()) std::cerr << "regpol: import produced invalid source: " << d.code << " " << d.message << "\n";
    return fail(kInternal, "import produced a policy that does not compile (please report this)");
  }
  std::string formatted = format_policy(*compiled.checked->files.front(), sources.file(compiled.loaded.file));
  if (auto out = args.get("--out")) {
    if (auto err = write_file_atomically(*out, formatted); !err.empty()) return fail(kInternal, err);
  } else {
    std::cout << formatted;
  }
  return kOk;
}

}  // namespace regpol::cli
