// `regpol plan`: the dry-run report of a lifecycle policy against registry snapshots.
#include <iostream>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/price_options.h"
#include "driver/evaluate_policy.h"
#include "driver/settings_drift.h"
#include "report/plan_report.h"
#include "report/plan_summary.h"
#include "report/pricing.h"
#include "util/text.h"

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
    "  --in-use FILE          deployed images for `protect in_use` (repeat for several files):\n"
    "                         `kubectl get KIND,… -A -o json` output of any workload kind, or\n"
    "                         one image reference per line (HOST/REPO:TAG, HOST/REPO@DIGEST);\n"
    "                         a reference matches only the registry it names (docs/in-use.md);\n"
    "                         one to this registry that matches no image is a warning on stderr\n"
    "                         and is counted in the report (inUseUnmatched)\n"
    "  --strict-in-use        such a reference is an error instead (exit 3)\n"
    "  --max-in-use-age D     refuse an in-use file read longer than D before --now (exit 3):\n"
    "                         the readAt of `regpol in-use pull`, else the file's modification time\n"
    "  --snapshot FILE        describe-images / describe-repositories output, a regpol snapshot\n"
    "                         JSON or SQLite store (`snapshot import`); repeat for several files\n"
    "                         (merged by repository); /dev/stdin reads a pipe\n"
    "  --repository NAME      evaluate only this repository (default: every repository)\n"
    "  --now T                evaluate at this RFC 3339 instant (default: the current time)\n"
    "  --format F             text (default), json (schema regpol.plan/v1, docs/plan.schema.json)\n"
    "                         or markdown (for a pull-request comment: the totals, repositories\n"
    "                         with changes, the largest changes while under 60,000 characters,\n"
    "                         then how many more) or html (one self-contained page to open in a\n"
    "                         browser or keep as a CI artifact: the totals, charts of bytes and\n"
    "                         images by repository, ages against the rules' thresholds and what\n"
    "                         each rule did, and a table of every image with its reason, sorted\n"
    "                         and filtered in the page; write it with > plan.html)\n"
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
    "\n"
    "When the policy sets anything beyond lifecycles (mutability, scan, require encryption,\n"
    "access, a registry block), the report also lists the settings the snapshot holds\n"
    "otherwise (settingsDrift in JSON): each with the ECR call `regpol apply --target ecr\n"
    "--settings` would make, or \"not written\" for what only ECR's creation sets (docs/enforce.md).\n"
    "  --help                 this text\n";

static int plan_policy(const std::string& path, const std::vector<std::string>& snapshots, const Args& args, const LifecycleOptions& lopt,
                       const PriceOptions& prices, const ReportOptions& ropt, ReportFormat format) {
  EvaluatedPolicy ev;
  if (int code = evaluate_policy(path, snapshots, policy_inputs(args), lopt, kBadInput, ev); code != kOk) return code;
  ReportOptions report_options = ropt;
  report_options.in_use_unmatched = ev.in_use_unmatched;
  report_options.in_use_elsewhere = ev.in_use_elsewhere;
  report_options.in_use_sources = in_use_source_records(ev);
  if (!ev.in_use.set.files.empty()) report_options.in_use_users = &ev.in_use.set.users;
  // Computed once: the report shows the drift the artifact fixes (both for --repository alone
  // when it is given, as the lifecycle actions are).
  const SettingsDrift drift = drift_of(ev.compiled.plan, ev.registry, lopt.now, args.get("--repository").value_or(""));
  if (auto out = args.get("--out")) {
    if (int code = write_plan_artifact(*out, path, snapshots, shard_option(args), args.get("--sign-key"), lopt.now, ev, drift); code != kOk)
      return code;
  }
  apply_pricing(ev.registry, ev.run.result, prices, report_options);
  add_settings_drift(report_options, format, drift);
  if (!ev.in_use_warning.empty())
    report_options.pricing_notes.push_back("warning[W2103]: `protect in_use` (" + ev.in_use_warning +
                                           ") protects nothing in this run: no --in-use FILE was given");
  if (report_options.summary_only) write_plan_summary(ev.registry, ev.run.result, ev.run.plan_of_repo, format, report_options, std::cout);
  else write_plan_report(ev.registry, ev.run.result, ev.run.plan_of_repo, format, report_options, std::cout);
  return kOk;
}

int cmd_plan(const Argv& argv) {
  Args args(argv, {"--import-root", "--policy", "--in-use", "--max-in-use-age", "--ecr-lifecycle", "--snapshot", "--repository", "--now", "--format", "--price-per-gb",
                   "--archive-price-per-gb", "--threads", "--pricing", "--out", "--shard", "--sign-key"},
            {"--help", "--strict-in-use", "--summary", "--changes-only"});
  if (args.has("--help")) {
    std::cout << kPlanHelp << kImportRootHelp << "\n" << exit_codes_help("");
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
    else if (*f == "html") format = ReportFormat::Html;
    else throw UsageError{"unknown format `" + *f + "` (expected text, json, markdown or html)"};
  }
  if (format == ReportFormat::Html && args.has("--summary"))
    throw UsageError{"--summary is for text, json and markdown: the html report opens with the summary and charts them"};
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

  EvaluatedEcrLifecycle ecr;
  if (int code = evaluate_ecr_lifecycle(*policy_path, snapshots, args.get("--repository").value_or(""), lopt, ecr); code != kOk) return code;
  ReportOptions report_options = ropt;
  apply_pricing(ecr.registry, ecr.result, prices, report_options);
  if (report_options.summary_only) write_plan_summary(ecr.registry, ecr.result, ecr.plans, format, report_options, std::cout);
  else write_plan_report(ecr.registry, ecr.result, ecr.plans, format, report_options, std::cout);
  return kOk;
}

}  // namespace regpol::cli
