// `regpol export ecr`: regpol -> the ECR documents of one repository.
#include <filesystem>
#include <iostream>
#include <optional>

#include "cli/args.h"
#include "cli/commands.h"
#include "diag/render.h"
#include "driver/compile.h"
#include "interop/ecr_export.h"
#include "util/atomic_file.h"

namespace regpol::cli {

static const char* kExportHelp =
    "usage: regpol export ecr FILE.regpol [--repository NAME] [--out-dir DIR]\n"
    "\n"
    "Prints, as one JSON object, what ECR needs for a repository: \"lifecyclePolicy\" (an ECR\n"
    "lifecycle policy), \"repositoryPolicy\" (an IAM policy document) and \"imageTagMutability\"\n"
    "(with \"imageTagMutabilityExclusionFilters\"); a part the policy does not set is null.\n"
    "NAME picks the blocks as `plan` does; without it the file must have exactly one\n"
    "repository block. Anything ECR or IAM cannot express (`where`, `by semver`, `per`,\n"
    "`protect`, `on tags`, ages that are not whole days, more than five exclusion filters,\n"
    "the ECR rule constraints) is an error at its source location (E0403), exit 1.\n"
    "\n"
    "  --repository NAME  the repository whose blocks are exported (see above)\n"
    "  --out-dir DIR      write the documents ECR takes, one file each, instead of the\n"
    "                     combined object: DIR/lifecycle-policy.json (for `aws ecr\n"
    "                     put-lifecycle-policy --lifecycle-policy-text file://…`),\n"
    "                     DIR/repository-policy.json (for `aws ecr set-repository-policy\n"
    "                     --policy-text file://…`) and DIR/image-tag-mutability.json\n"
    "                     (imageTagMutability and its exclusion filters); a part the\n"
    "                     policy does not set is not written. `regpol import ecr --from\n"
    "                     DIR` reads the folder back, as it reads the combined object.\n";

// "file:LINE:COL" (a plan node's source) -> the span it names, for caret rendering.
static std::optional<Span> span_of(const SourceMap& sources, const std::string& location) {
  auto c2 = location.rfind(':');
  auto c1 = c2 == std::string::npos || c2 == 0 ? std::string::npos : location.rfind(':', c2 - 1);
  if (c1 == std::string::npos) return std::nullopt;
  std::string file = location.substr(0, c1);
  std::uint32_t line = 0, col = 0;
  try {
    line = static_cast<std::uint32_t>(std::stoul(location.substr(c1 + 1, c2 - c1 - 1)));
    col = static_cast<std::uint32_t>(std::stoul(location.substr(c2 + 1)));
  } catch (...) {
    return std::nullopt;
  }
  for (FileId id = 0; id < sources.size(); ++id) {
    const SourceFile& f = sources.file(id);
    if (f.name() != file || line == 0 || line > f.line_count()) continue;
    std::string_view text = f.line_text(line);
    std::size_t at = 0;
    for (std::uint32_t k = 1; k < col && at < text.size(); ++k) at += utf8_sequence_length(static_cast<unsigned char>(text[at]));
    auto begin = static_cast<std::uint32_t>(text.data() - f.text().data() + at);
    return Span{id, begin, begin + 1};
  }
  return std::nullopt;
}

int cmd_export(const Argv& argv) {
  Args args(argv, {"--import-root", "--repository", "--out-dir"}, {"--help"});
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
    // The same rendering as lint: carets under the source, in source order.
    DiagnosticSink esink;
    for (const auto& p : problems) {
      if (auto sp = span_of(sources, p.source)) esink.error("E0403", *sp, p.message);
      else esink.error("E0403", {}, p.source + ": " + p.message).has_span = false;
    }
    std::cerr << render_human(sources, esink.sorted(), {use_color()});
    return fail(kFindings, "the policy uses what ECR cannot express; nothing was exported");
  }
  if (auto dir = args.get("--out-dir")) {
    std::error_code ec;
    std::filesystem::create_directories(*dir, ec);
    if (ec) return fail(kInternal, "cannot create `" + *dir + "`: " + ec.message());
    const std::pair<const char*, nlohmann::json> files[] = {
        {"lifecycle-policy.json", out["lifecyclePolicy"]},
        {"repository-policy.json", out["repositoryPolicy"]},
        {"image-tag-mutability.json",
         out["imageTagMutability"].is_null() ? nlohmann::json() : nlohmann::json{{"imageTagMutability", out["imageTagMutability"]}}},
    };
    for (auto [name, doc] : files) {
      if (doc.is_null()) continue;
      if (std::string(name) == "image-tag-mutability.json" && out.contains("imageTagMutabilityExclusionFilters"))
        doc["imageTagMutabilityExclusionFilters"] = out["imageTagMutabilityExclusionFilters"];
      std::string path = (std::filesystem::path(*dir) / name).string();
      if (auto err = write_file_atomically(path, doc.dump(2) + "\n"); !err.empty()) return fail(kInternal, err);
      std::cerr << "regpol: wrote " << path << "\n";
    }
    return kOk;
  }
  std::cout << out.dump(2) << "\n";
  return kOk;
}

}  // namespace regpol::cli
