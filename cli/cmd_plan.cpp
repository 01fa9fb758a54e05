// `regpol plan`: the dry-run report of a lifecycle policy against registry snapshots.
#include <chrono>
#include <cmath>
#include <iostream>
#include <map>

#include "cli/args.h"
#include "cli/commands.h"
#include "report/plan_summary.h"
#include "report/pricing.h"
#include "util/text.h"
#include "diag/render.h"
#include "driver/compile.h"
#include "driver/run_lifecycle.h"
#include "driver/snapshots.h"
#include "interop/ecr_lifecycle.h"
#include "report/plan_report.h"
#include "cli/policy_run.h"
#include "cli/price_options.h"
#include "apply/plan_artifact.h"
#include "util/atomic_file.h"
#include "util/sha256.h"
#include "util/signature.h"

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
    "  --pricing FILE         storage prices (docs/pricing.md): standard, archive tiers, restore,\n"
    "                         archive minimum days; default: us-east-1 list prices, where archive\n"
    "                         costs what standard does for the first 150 TB\n"
    "  --price-per-gb USD     override: a flat standard price per GB-month\n"
    "  --archive-price-per-gb USD  override: a flat archive price per GB-month\n"
    "  --out PLAN.json        also write the plan artifact (schema regpol.plan-artifact/v1) that\n"
    "                         `regpol apply --plan PLAN.json` carries out exactly, after review\n"
    "  --sign-key KEY.pem     sign the artifact with this Ed25519 private key (`openssl genpkey\n"
    "                         -algorithm ed25519`); `apply --plan --verify-key` checks it\n"
    "  --shard I/N            evaluate only the repositories of shard I of N (a stable hash of the\n"
    "                         name; 0 <= I < N): one worker each of an Indexed Job\n"
    "  --threads N            threads for loading, evaluating and rendering (default: all\n"
    "                         cores; the output is identical at any count)\n"
    "  --help                 this text\n";

// `--out PLAN.json`: the plan artifact `regpol apply --plan` carries out (apply/plan_artifact.h).
static int write_plan_artifact(const std::string& out, const std::string& policy, const std::vector<std::string>& snapshots, const Args& args,
                               Micros now, const EvaluatedPolicy& ev) {
  PlanArtifact a;
  a.now = now;
  a.captured_at = ev.registry.captured_at;
  a.source = ev.registry.source;
  a.store_id = ev.registry.store_id;
  a.policy_file = policy;
  std::string err;
  if (!sha256_files({policy}, a.policy_sha256, err) || !sha256_files(snapshots, a.snapshot_sha256, err)) return fail(kBadInput, err);
  a.snapshot_files = snapshots;
  a.shard = shard_option(args).text();
  a.plan = planned_actions(ev.registry, ev.run.result, ev.run.plan_of_repo, now);
  a.actions_sha256 = actions_digest(a.plan.actions);
  std::string signature, key_id;
  if (auto key = args.get("--sign-key")) {
    if (!ed25519_sign(*key, artifact_canonical(a), signature, key_id, err)) return fail(kBadInput, err);
  }
  if (auto e = write_file_atomically(out, plan_artifact_text(a, signature, key_id)); !e.empty()) return fail(kInternal, e);
  return kOk;
}

static int plan_policy(const std::string& path, const std::vector<std::string>& snapshots, const Args& args, const LifecycleOptions& lopt,
                       const PriceOptions& prices, const ReportOptions& ropt, ReportFormat format) {
  EvaluatedPolicy ev;
  if (int code = evaluate_policy(path, snapshots, args, lopt, kBadInput, ev); code != kOk) return code;
  ReportOptions report_options = ropt;
  report_options.in_use_unmatched = ev.in_use_unmatched;
  if (auto out = args.get("--out")) {
    if (int code = write_plan_artifact(*out, path, snapshots, args, lopt.now, ev); code != kOk) return code;
  }
  apply_pricing(ev.registry, ev.run.result, prices, report_options);
  if (!ev.in_use_warning.empty())
    report_options.pricing_notes.push_back("warning[W2103]: `protect in_use` (" + ev.in_use_warning +
                                           ") protects nothing in this run: no --in-use FILE was given");
  if (report_options.summary_only) write_plan_summary(ev.registry, ev.run.result, ev.run.plan_of_repo, format, report_options, std::cout);
  else write_plan_report(ev.registry, ev.run.result, ev.run.plan_of_repo, format, report_options, std::cout);
  return kOk;
}

int cmd_plan(const Argv& argv) {
  Args args(argv, {"--import-root", "--policy", "--in-use", "--ecr-lifecycle", "--snapshot", "--repository", "--now", "--format", "--price-per-gb",
                   "--archive-price-per-gb", "--threads", "--pricing", "--out", "--shard", "--sign-key"},
            {"--help", "--strict-in-use", "--summary", "--changes-only"});
  if (args.has("--help")) {
    std::cout << kPlanHelp << kImportRootHelp << "\n" << kExitCodesHelp;
    return kOk;
  }
  auto policy_path = args.get("--ecr-lifecycle");
  auto regpol_path = args.get("--policy");
  if (!policy_path == !regpol_path) throw UsageError{"`plan` needs one of --policy FILE and --ecr-lifecycle FILE (see `regpol plan --help`)"};
  if (args.has("--in-use") && !regpol_path) throw UsageError{"--in-use works with --policy (ECR documents cannot say `protect in_use`)"};
  if ((args.has("--out") || args.has("--shard")) && !regpol_path) throw UsageError{"--out and --shard work with --policy"};
  if (args.has("--sign-key") && !args.has("--out")) throw UsageError{"--sign-key signs the plan artifact: it goes with --out PLAN.json"};
  shard_option(args);  // a malformed --shard is a usage error before anything is read
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
  LifecycleOptions lopt;
  lopt.now = now_option(args);
  if (auto t = integer_option(args, "--threads", 1, 256)) {
    lopt.threads = static_cast<unsigned>(*t);
    ropt.threads = lopt.threads;
  }
  ropt.now = lopt.now;
  ropt.summary_only = args.has("--summary");
  ropt.changes_only = args.has("--changes-only");
  if (ropt.summary_only && ropt.changes_only) throw UsageError{"--summary and --changes-only cannot be combined"};

  PriceOptions prices;
  std::string err;
  if (!read_price_options(args, prices, err)) return fail(kBadInput, err);  // before reading a large snapshot
  if (regpol_path) return plan_policy(*regpol_path, snapshots, args, lopt, prices, ropt, format);

  std::string text;
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
  ReportOptions report_options = ropt;
  apply_pricing(registry, result, prices, report_options);
  if (report_options.summary_only) write_plan_summary(registry, result, plans, format, report_options, std::cout);
  else write_plan_report(registry, result, plans, format, report_options, std::cout);
  return kOk;
}

}  // namespace regpol::cli
