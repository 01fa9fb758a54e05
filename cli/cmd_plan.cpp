// `regpol plan`: the dry-run report of a lifecycle policy against registry snapshots.
#include <chrono>
#include <iostream>
#include <map>

#include "cli/args.h"
#include "cli/commands.h"
#include "report/plan_summary.h"
#include "util/text.h"
#include "diag/render.h"
#include "driver/compile.h"
#include "driver/run_lifecycle.h"
#include "driver/snapshots.h"
#include "plan/ecr_lifecycle.h"
#include "report/plan_report.h"

namespace regpol::cli {

static const char* kPlanHelp =
    "usage: regpol plan (--policy FILE.regpol | --ecr-lifecycle POLICY.json) --snapshot SNAP... [options]\n"
    "\n"
    "Dry run: shows, per repository, which images the lifecycle policy would expire or\n"
    "move to archive, which it keeps, and why. Nothing is deleted.\n"
    "\n"
    "  --policy FILE          a regpol policy; each repository gets the lifecycle of its most\n"
    "                         specific matching block (docs/language.md), else `defaults`\n"
    "  --ecr-lifecycle FILE   an ECR lifecycle policy document, evaluated exactly as ECR would\n"
    "                         (a document ECR would reject is rejected, with ECR's reason)\n"
    "  --in-use FILE          deployed images for `protect in_use`: one reference per line\n"
    "                         (REPO:TAG, REPO@DIGEST) or `kubectl get pods -A -o json` output;\n"
    "                         a reference that matches no image is a warning on stderr and is\n"
    "                         counted in the report (inUseUnmatched)\n"
    "  --strict-in-use        such a reference is an error instead (exit 3)\n"
    "  --snapshot FILE        describe-images / describe-repositories output, a regpol snapshot\n"
    "                         JSON or SQLite store (`snapshot import`); repeat for several files\n"
    "                         (merged by repository); /dev/stdin reads a pipe\n"
    "  --repository NAME      evaluate only this repository (default: every repository)\n"
    "  --now T                evaluate at this RFC 3339 instant (default: the current time)\n"
    "  --format F             text (default), json (schema regpol.plan/v1, docs/plan.schema.json)\n"
    "                         or markdown (for a pull-request comment: the totals, repositories\n"
    "                         with changes, the largest changes while under 60,000 characters,\n"
    "                         then how many more)\n"
    "  --summary              per repository: counts (protected too), bytes, dollars and the rules\n"
    "                         that decided most images; JSON schema regpol.plan-summary/v1\n"
    "  --changes-only         list only images that expire or transition\n"
    "  --price-per-gb USD     standard storage price per GB-month (default 0.10)\n"
    "  --archive-price-per-gb USD  archive storage price per GB-month (default 0.00)\n"
    "  --threads N            threads for loading, evaluating and rendering (default: all\n"
    "                         cores; the output is identical at any count)\n"
    "  --help                 this text\n";

static bool parse_price(const std::optional<std::string>& text, double& out) {
  if (!text) return true;
  try {
    std::size_t used = 0;
    out = std::stod(*text, &used);
    return used == text->size() && out >= 0;
  } catch (...) {
    return false;
  }
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

int plan_policy(const std::string& path, const std::vector<std::string>& snapshots, const Args& args,
                LifecycleOptions lopt, const ReportOptions& ropt, ReportFormat format) {
  SourceMap sources;
  DiagnosticSink sink;
  CompiledPolicy compiled = compile_policy_file(path, sources, sink, compile_options(args));
  if (!compiled.ok) {
    std::cerr << render_human(sources, sink.sorted(), {false});
    return fail(kBadInput, path + ": the policy has errors; nothing was evaluated");
  }
  Registry registry;
  LoadError lerr;
  if (!load_snapshots(snapshots, registry, lerr, lopt.threads)) return fail(kBadInput, "[E0501] " + lerr.to_string());
  std::string err;
  ReportOptions report_options = ropt;
  if (auto in_use = args.get("--in-use")) {
    std::vector<UnmatchedReference> unmatched;
    if (!load_in_use(*in_use, registry, lopt.in_use, err, &unmatched)) return fail(kBadInput, err);
    for (const auto& u : unmatched)
      std::cerr << "regpol: warning: " << u.where << ": in-use reference `" << u.reference << "` matches no image of the snapshot\n";
    if (!unmatched.empty() && args.has("--strict-in-use"))
      return fail(kBadInput, plural(unmatched.size(), "in-use reference") + " matched no image (--strict-in-use); nothing was evaluated");
    report_options.in_use_unmatched = static_cast<long>(unmatched.size());
  }
  PolicyRun run;
  if (!run_policy_lifecycle(compiled.plan, registry, lopt, args.get("--repository").value_or(""), run, err)) {
    return fail(kBadInput, err);
  }
  if (report_evaluation_errors(registry, run.result, run.plan_of_repo)) {
    return fail(kBadInput, "[E0601] some `where` or `per` expressions could not be evaluated; no report was produced");
  }
  if (report_options.summary_only) write_plan_summary(registry, run.result, run.plan_of_repo, format, report_options, std::cout);
  else write_plan_report(registry, run.result, run.plan_of_repo, format, report_options, std::cout);
  return kOk;
}

int cmd_plan(const Argv& argv) {
  Args args(argv, {"--import-root", "--policy", "--in-use", "--ecr-lifecycle", "--snapshot", "--repository", "--now", "--format", "--price-per-gb",
                   "--archive-price-per-gb", "--threads"},
            {"--help", "--strict-in-use", "--summary", "--changes-only"});
  if (args.has("--help")) {
    std::cout << kPlanHelp << kImportRootHelp << "\n" << kExitCodesHelp;
    return kOk;
  }
  auto policy_path = args.get("--ecr-lifecycle");
  auto regpol_path = args.get("--policy");
  if (!policy_path == !regpol_path) throw UsageError{"`plan` needs one of --policy FILE and --ecr-lifecycle FILE (see `regpol plan --help`)"};
  if (args.has("--in-use") && !regpol_path) throw UsageError{"--in-use works with --policy (ECR documents cannot say `protect in_use`)"};
  std::vector<std::string> snapshots = args.all("--snapshot");
  for (const auto& p : args.positionals()) snapshots.push_back(p);
  if (snapshots.empty()) throw UsageError{"`plan` needs at least one --snapshot FILE"};

  ReportFormat format = ReportFormat::Text;
  if (auto f = args.get("--format")) {
    if (*f == "text") format = ReportFormat::Text;
    else if (*f == "json") format = ReportFormat::Json;
    else if (*f == "markdown") format = ReportFormat::Markdown;
    else throw UsageError{"unknown format `" + *f + "` (expected text, json or markdown)"};
  }
  ReportOptions ropt;
  ropt.color = format == ReportFormat::Text && use_color();
  if (!parse_price(args.get("--price-per-gb"), ropt.price_per_gb)) throw UsageError{"--price-per-gb needs a non-negative number"};
  if (!parse_price(args.get("--archive-price-per-gb"), ropt.archive_price_per_gb)) throw UsageError{"--archive-price-per-gb needs a non-negative number"};
  LifecycleOptions lopt;
  lopt.now = now_option(args);
  if (auto t = args.get("--threads")) {
    try {
      int n = std::stoi(*t);
      if (n < 1 || n > 256) throw std::out_of_range("threads");
      lopt.threads = static_cast<unsigned>(n);
      ropt.threads = lopt.threads;
    } catch (...) {
      throw UsageError{"--threads needs a number from 1 to 256"};
    }
  }
  ropt.now = lopt.now;
  ropt.summary_only = args.has("--summary");
  ropt.changes_only = args.has("--changes-only");
  if (ropt.summary_only && ropt.changes_only) throw UsageError{"--summary and --changes-only cannot be combined"};

  if (regpol_path) return plan_policy(*regpol_path, snapshots, args, lopt, ropt, format);

  std::string text, err;
  if (!read_file(*policy_path, text, err)) return fail(kBadInput, err);
  LifecyclePlan plan;
  std::vector<DocumentProblem> problems;
  if (!lifecycle_plan_from_ecr_json(*policy_path, text, plan, problems)) {
    for (const auto& p : problems) {
      std::cerr << *policy_path << "#" << p.pointer << ": error[E0404]: " << p.message << "\n";
    }
    return fail(kBadInput, "ECR would reject this lifecycle policy (" + std::to_string(problems.size()) + " problem" +
                               (problems.size() == 1 ? "" : "s") + ")");
  }

  Registry registry;
  LoadError lerr;
  if (!load_snapshots(snapshots, registry, lerr, lopt.threads)) return fail(kBadInput, "[E0501] " + lerr.to_string());

  ScopedPlan scope{&plan, {}};
  if (auto name = args.get("--repository")) {
    StrId id = registry.strings.find(*name);
    auto it = id ? registry.repo_index.find(id) : registry.repo_index.end();
    if (it == registry.repo_index.end()) return fail(kBadInput, "repository `" + *name + "` is not in the snapshot");
    scope.repositories.push_back(it->second);
  } else {
    for (std::uint32_t r = 0; r < registry.repositories.size(); ++r) scope.repositories.push_back(r);
  }
  LifecycleResult result = evaluate_lifecycle(registry, {scope}, lopt);
  std::vector<const LifecyclePlan*> plans(registry.repositories.size(), &plan);
  if (ropt.summary_only) write_plan_summary(registry, result, plans, format, ropt, std::cout);
  else write_plan_report(registry, result, plans, format, ropt, std::cout);
  return kOk;
}

}  // namespace regpol::cli
