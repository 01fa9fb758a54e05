// `regpol diff OLD NEW --snapshot SNAP…`: what changing a policy changes. Both versions are
// evaluated on the same snapshot (loaded once) with the same `now`; every image whose
// verdict differs is listed, grouped by repository, with counts, bytes and dollars; with
// --requests, every request whose access decision differs.
#include <iostream>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/policy_run.h"
#include "cli/price_options.h"
#include "diag/render.h"
#include "diff/compare.h"
#include "diff/render.h"
#include "driver/compile.h"
#include "driver/run_lifecycle.h"
#include "driver/snapshots.h"
#include "report/pricing.h"

namespace regpol::cli {

static const char* kDiffHelp =
    "usage: regpol diff OLD.regpol NEW.regpol --snapshot SNAP... [--requests LOG] [options]\n"
    "\n"
    "What changing a policy changes, for a pull-request review: both versions are evaluated\n"
    "on the same snapshot at the same instant, and every image whose verdict differs is\n"
    "listed (kept -> expire, expire -> kept, -> transition, ...), grouped by repository, with\n"
    "counts, bytes and the change in the monthly saving (what `plan` reports for NEW minus\n"
    "what it reports for OLD, each at its own archive tier). With --requests, every request\n"
    "whose access decision differs too. OLD may be `-` or /dev/stdin, so a git revision works:\n"
    "  git show HEAD~1:policy.regpol | regpol diff - policy.regpol --snapshot snap.json\n"
    "(imports of a policy read from a pipe resolve in the current folder).\n"
    "\n"
    "  --snapshot FILE     as for `plan`; repeat for several files\n"
    "  --requests LOG      JSON Lines requests or a CloudTrail log, as for `authorize`\n"
    "  --now T             evaluate at this RFC 3339 instant (default: the current time)\n"
    "  --repository NAME   only this repository\n"
    "  --format F          text (default), json (schema regpol.diff/v1, docs/diff.schema.json)\n"
    "                      or markdown (for a pull-request comment)\n"
    "  --pricing FILE      storage prices for the dollars, as for `plan`\n"
    "  --price-per-gb USD  override: a flat standard price per GB-month, as for `plan`\n"
    "  --archive-price-per-gb USD  override: a flat archive price per GB-month, as for `plan`\n"
    "  --fail-on-change    exit 1 when anything changes (a CI gate)\n";

namespace {

bool compile_side(const std::string& path, const Args& args, SourceMap& sources, CompiledPolicy& out, int& code) {
  DiagnosticSink sink;
  out = compile_policy_file(path, sources, sink, compile_options(args));
  if (out.ok) return true;
  std::cerr << render_human(sources, sink.sorted(), {false});
  code = fail(out.malformed ? kBadInput : kFindings, path + ": the policy has errors; nothing was compared");
  return false;
}

}  // namespace

int cmd_diff(const Argv& argv) {
  Args args(argv, {"--import-root", "--snapshot", "--requests", "--now", "--repository", "--format", "--pricing", "--price-per-gb", "--archive-price-per-gb"}, {"--help", "--fail-on-change"});
  if (args.has("--help")) {
    std::cout << kDiffHelp << kImportRootHelp << "\n" << kExitCodesHelp;
    return kOk;
  }
  if (args.positionals().size() != 2) throw UsageError{"`diff` needs two policy files: OLD.regpol NEW.regpol (see `regpol diff --help`)"};
  std::string old_path = args.positionals()[0], new_path = args.positionals()[1];
  if (old_path == "-") old_path = "/dev/stdin";
  if (new_path == "-") new_path = "/dev/stdin";
  if (old_path == "/dev/stdin" && new_path == "/dev/stdin") throw UsageError{"only one of OLD and NEW can come from stdin"};
  auto snapshots = args.all("--snapshot");
  if (snapshots.empty()) throw UsageError{"`diff` needs at least one --snapshot FILE"};
  std::string format = args.get("--format").value_or("text");
  if (format != "text" && format != "json" && format != "markdown") throw UsageError{"--format takes text, json or markdown"};
  LifecycleOptions lopt;
  lopt.now = now_option(args);
  PriceOptions prices;
  std::string err;
  if (!read_price_options(args, prices, err)) return fail(kBadInput, err);

  SourceMap old_sources, new_sources;
  CompiledPolicy old_policy, new_policy;
  int code = kOk;
  if (!compile_side(old_path, args, old_sources, old_policy, code)) return code;
  if (!compile_side(new_path, args, new_sources, new_policy, code)) return code;
  Registry registry;
  LoadError lerr;
  if (!load_snapshots(snapshots, registry, lerr, lopt.threads)) return fail(kBadInput, "[E0501] " + lerr.to_string());
  const std::string only = args.get("--repository").value_or("");
  PolicyRun old_run, new_run;
  if (!run_policy_lifecycle(old_policy.plan, registry, lopt, only, old_run, err)) return fail(kBadInput, old_path + ": " + err);
  if (!run_policy_lifecycle(new_policy.plan, registry, lopt, only, new_run, err)) return fail(kBadInput, new_path + ": " + err);
  if (report_evaluation_errors(registry, old_run.result, old_run.plan_of_repo) ||
      report_evaluation_errors(registry, new_run.result, new_run.plan_of_repo))
    return fail(kBadInput, "[E0601] some `where` or `per` expressions could not be evaluated; nothing was compared");

  // Each policy's dollars at the rates its own plan gets (the archive tier follows the volumes
  // it archives and expires), so the change in the saving is NEW's plan minus OLD's.
  ReportOptions old_prices, new_prices;
  apply_pricing(registry, old_run.result, prices, old_prices);
  apply_pricing(registry, new_run.result, prices, new_prices);
  PolicyDiff diff = compare_lifecycle(registry, {args.positionals()[0], &old_run.result, &old_run.plan_of_repo, &old_prices},
                                      {args.positionals()[1], &new_run.result, &new_run.plan_of_repo, &new_prices}, only, lopt.now);
  if (auto log = args.get("--requests")) {
    if (!compare_requests(registry, old_policy.plan, new_policy.plan, *log, diff, err)) return fail(kBadInput, err);
  }
  const std::string out = format == "json"       ? render_diff_json(registry, diff)
                          : format == "markdown" ? render_diff_markdown(registry, diff)
                                                 : render_diff_text(registry, diff);
  std::cout << out;
  std::cout.flush();
  if (!std::cout) return fail(kInternal, "cannot write the diff");
  return diff.changed() && args.has("--fail-on-change") ? kFindings : kOk;
}

}  // namespace regpol::cli
