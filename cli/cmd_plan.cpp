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
#include "plan/ecr_lifecycle.h"
#include "report/plan_report.h"
#include "cli/policy_run.h"
#include "apply/plan_artifact.h"
#include "util/atomic_file.h"
#include "util/sha256.h"

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
    "  --shard I/N            evaluate only the repositories of shard I of N (a stable hash of the\n"
    "                         name; 0 <= I < N): one worker each of an Indexed Job\n"
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

// Prices from --pricing (or the built-in defaults), turned into the rates of this plan: the
// archive tier depends on how much stays archived and how much moves there. --price-per-gb
// and --archive-price-per-gb override with flat prices. The notes say what the dollars
// leave out.
void apply_pricing(const Registry& reg, const LifecycleResult& res, const Args& args, ReportOptions& ropt) {
  Pricing pricing;
  if (auto file = args.get("--pricing")) {
    std::string err;
    load_pricing(*file, pricing, err);  // checked by cmd_plan before anything was read
  }
  double archived = 0, expired_archive = 0, transitioned = 0;
  for (auto r : res.repositories) {
    for (auto idx : reg.repositories[r].images) {
      const Image& img = reg.images[idx];
      double gb = static_cast<double>(std::max<std::int64_t>(0, img.size_bytes)) / kBytesPerGb;
      bool in_archive = img.storage_class() == StorageClass::Archive;
      archived += in_archive ? gb : 0;
      if (res.decisions[idx].verdict == Verdict::Expire && in_archive) expired_archive += gb;
      if (res.decisions[idx].verdict == Verdict::Transition) transitioned += gb;
    }
  }
  ArchiveRates rates = archive_rates(pricing, archived, expired_archive, transitioned);
  ropt.price_per_gb = pricing.standard_per_gb_month;
  ropt.archive_price_per_gb = rates.transition_per_gb;
  ropt.archive_expire_price_per_gb = rates.expire_per_gb;
  std::string prices = "prices: " + pricing.name + ": standard $" + format_usd(pricing.standard_per_gb_month) + "/GB-month; archive";
  for (std::size_t i = 0; i < pricing.archive.size(); ++i) {
    const auto& t = pricing.archive[i];
    prices += (i ? ", then " : " ") + std::string("$") + format_usd(t.per_gb_month) + "/GB-month" +
              (std::isfinite(t.up_to_gb) ? " up to " + std::to_string(static_cast<long long>(t.up_to_gb)) + " GB" : std::string());
  }
  if (args.get("--price-per-gb") && parse_price(args.get("--price-per-gb"), ropt.price_per_gb)) prices = "prices: --price-per-gb $" + format_usd(ropt.price_per_gb) + "/GB-month standard";
  if (args.get("--archive-price-per-gb") && parse_price(args.get("--archive-price-per-gb"), ropt.archive_price_per_gb)) {
    ropt.archive_expire_price_per_gb = ropt.archive_price_per_gb;
    prices += "; --archive-price-per-gb $" + format_usd(ropt.archive_price_per_gb) + "/GB-month archive (flat)";
  }
  ropt.pricing_notes.push_back(prices);
  if (transitioned > 0) {
    ropt.pricing_notes.push_back("archive transitions: at this volume a GB in archive costs $" + format_usd(ropt.archive_price_per_gb) +
                                 "/GB-month against $" + format_usd(ropt.price_per_gb) + " standard, so moving it saves $" +
                                 format_usd(std::max(0.0, ropt.price_per_gb - ropt.archive_price_per_gb)) + "/GB-month" +
                                 (ropt.price_per_gb - ropt.archive_price_per_gb <= 0 ? " (nothing below the archive tier)" : "") +
                                 "; archived images are billed for at least " + std::to_string(pricing.archive_minimum_days) +
                                 " days from the transition, and restoring one costs " +
                                 (pricing.restore_per_gb ? "$" + format_usd(*pricing.restore_per_gb) + "/GB" : std::string("extra (set restorePerGb in a --pricing file)")));
  }
  if (reg.has_blobs())
    ropt.pricing_notes.emplace_back("dollars are on summed image sizes, an upper bound: the bytes freed in storage are counted blob by blob above");
  else
    ropt.pricing_notes.emplace_back("sizes are summed per image: images that share layers store them once, so bytes and dollars reclaimed are an upper bound");
}

// `--out PLAN.json`: the plan artifact `regpol apply --plan` carries out (apply/plan_artifact.h).
static int write_plan_artifact(const std::string& out, const std::string& policy, const std::vector<std::string>& snapshots, const Args& args,
                               Micros now, const EvaluatedPolicy& ev) {
  PlanArtifact a;
  a.now = now;
  a.captured_at = ev.registry.captured_at;
  a.policy_file = policy;
  std::string err;
  if (!sha256_files({policy}, a.policy_sha256, err) || !sha256_files(snapshots, a.snapshot_sha256, err)) return fail(kBadInput, err);
  a.snapshot_files = snapshots;
  a.shard = shard_option(args).text();
  a.plan = planned_actions(ev.registry, ev.run.result, ev.run.plan_of_repo, now);
  a.actions_sha256 = actions_digest(a.plan.actions);
  if (auto e = write_file_atomically(out, plan_artifact_text(a)); !e.empty()) return fail(kInternal, e);
  return kOk;
}

int plan_policy(const std::string& path, const std::vector<std::string>& snapshots, const Args& args,
                const LifecycleOptions& lopt, const ReportOptions& ropt, ReportFormat format) {
  EvaluatedPolicy ev;
  if (int code = evaluate_policy(path, snapshots, args, lopt, kBadInput, ev); code != kOk) return code;
  ReportOptions report_options = ropt;
  report_options.in_use_unmatched = ev.in_use_unmatched;
  if (auto out = args.get("--out")) {
    if (int code = write_plan_artifact(*out, path, snapshots, args, lopt.now, ev); code != kOk) return code;
  }
  apply_pricing(ev.registry, ev.run.result, args, report_options);
  if (!ev.in_use_warning.empty())
    report_options.pricing_notes.push_back("warning[W2103]: `protect in_use` (" + ev.in_use_warning +
                                           ") protects nothing in this run: no --in-use FILE was given");
  if (report_options.summary_only) write_plan_summary(ev.registry, ev.run.result, ev.run.plan_of_repo, format, report_options, std::cout);
  else write_plan_report(ev.registry, ev.run.result, ev.run.plan_of_repo, format, report_options, std::cout);
  return kOk;
}

int cmd_plan(const Argv& argv) {
  Args args(argv, {"--import-root", "--policy", "--in-use", "--ecr-lifecycle", "--snapshot", "--repository", "--now", "--format", "--price-per-gb",
                   "--archive-price-per-gb", "--threads", "--pricing", "--out", "--shard"},
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
  double price = 0;
  if (!parse_price(args.get("--price-per-gb"), price)) throw UsageError{"--price-per-gb needs a non-negative number"};
  if (!parse_price(args.get("--archive-price-per-gb"), price)) throw UsageError{"--archive-price-per-gb needs a non-negative number"};
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

  if (auto file = args.get("--pricing")) {  // fail before reading a large snapshot
    Pricing pricing;
    std::string err;
    if (!load_pricing(*file, pricing, err)) return fail(kBadInput, err);
  }
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
  ReportOptions report_options = ropt;
  apply_pricing(registry, result, args, report_options);
  if (report_options.summary_only) write_plan_summary(registry, result, plans, format, report_options, std::cout);
  else write_plan_report(registry, result, plans, format, report_options, std::cout);
  return kOk;
}

}  // namespace regpol::cli
