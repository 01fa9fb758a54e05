// `regpol diff OLD NEW --snapshot SNAP…`: what changing a policy changes. Both versions are
// evaluated on the same snapshot (loaded once) with the same `now`; every image whose
// verdict differs is listed, grouped by repository, with counts, bytes and dollars; with
// --requests, every request whose access decision differs.
#include <iostream>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/price_options.h"
#include "driver/diff_policies.h"
#include "driver/diff_symbolic.h"

namespace regpol::cli {

static const char* kDiffHelp =
    "usage: regpol diff OLD.regpol NEW.regpol --snapshot SNAP... [--requests LOG] [options]\n"
    "\n"
    "What changing a policy changes, for a pull-request review: both versions are evaluated\n"
    "on the same snapshot at the same instant, and every image whose verdict differs is\n"
    "listed (kept -> expire, expire -> kept, -> transition, ...), grouped by repository, with\n"
    "counts, bytes and the change in the monthly saving (what `plan` reports for NEW minus\n"
    "what it reports for OLD, each at its own archive tier). With --requests, every request\n"
    "whose access decision differs too. And the settings each would put on the snapshot's\n"
    "repositories and registry (mutability, scan on push, encryption requirement, access\n"
    "compared by what it decides, registry scanning and replication) where they differ.\n"
    "OLD may be `-` or /dev/stdin, so a git revision works:\n"
    "  git show HEAD~1:policy.regpol | regpol diff - policy.regpol --snapshot snap.json\n"
    "(imports of a policy read from a pipe resolve in the current folder).\n"
    "\n"
    "  --snapshot FILE     as for `plan`; repeat for several files\n"
    "  --requests LOG      JSON Lines requests or a CloudTrail log, as for `authorize`\n"
    "  --now T             evaluate at this RFC 3339 instant (default: the current time)\n"
    "  --in-use FILE       deployed images for `protect in_use`, as for `plan` (repeatable;\n"
    "                      both policies see the same ones)\n"
    "  --strict-in-use     an in-use reference that matches no image is an error (exit 3)\n"
    "  --max-in-use-age D  refuse an in-use file read longer than D before --now (exit 3)\n"
    "  --repository NAME   only this repository\n"
    "  --format F          text (default), json (schema regpol.diff/v1, docs/diff.schema.json)\n"
    "                      markdown (for a pull-request comment) or html (one self-contained\n"
    "                      page: old verdicts against new, the changes by repository as a chart,\n"
    "                      and a sortable, filterable table of every changed image with both\n"
    "                      reasons; docs/reports.md)\n"
    "  --pricing FILE      storage prices for the dollars, as for `plan`\n"
    "  --price-per-gb USD  override: a flat standard price per GB-month, as for `plan`\n"
    "  --archive-price-per-gb USD  override: a flat archive price per GB-month, as for `plan`\n"
    "  --fail-on-change    exit 1 when anything changes (a CI gate; with --symbolic, also\n"
    "                      when a difference could not be decided)\n"
    "\n"
    "usage: regpol diff OLD NEW --symbolic [--repository NAME] [--format text|json] [--timeout MS]\n"
    "\n"
    "With --symbolic, no snapshot: the access rules are compared for every possible request\n"
    "(the prover of `regpol prove`, docs/verify.md). For each class of repository names the\n"
    "two policies' blocks tell apart (or only --repository), one request NEW allows and OLD\n"
    "denies (added), and one OLD allows and NEW denies (removed), when there is one; each\n"
    "replays through `regpol authorize --request`. OLD and NEW are regpol policies or ECR\n"
    "repository-policy documents (*.json). JSON: {\"old\", \"new\", \"result\":\n"
    "\"equivalent|different|unknown\", \"repositories\": [{\"repository\", \"added\": {\"result\":\n"
    "\"none|failed|unknown\", \"request\", \"allowedBy\", \"why\"}, \"removed\": {…}}]}.\n"
    "  --timeout MS        the solver's time limit per direction (default 2000)\n";

// `diff --symbolic`: only the options that compare access rules for every request.
static int diff_symbolic_command(const Args& args, const std::string& old_path, const std::string& new_path) {
  for (const char* o : {"--snapshot", "--requests", "--now", "--pricing", "--price-per-gb", "--archive-price-per-gb", "--in-use", "--max-in-use-age"}) {
    if (args.has(o)) throw UsageError{std::string(o) + " does not apply to --symbolic (it compares access rules for every request, without a snapshot)"};
  }
  if (args.has("--strict-in-use")) throw UsageError{"--strict-in-use does not apply to --symbolic"};
  SymbolicDiffRequest request;
  request.old_path = old_path;
  request.new_path = new_path;
  request.old_name = args.positionals()[0];
  request.new_name = args.positionals()[1];
  request.repository = args.get("--repository").value_or("");
  const std::string format = args.get("--format").value_or("text");
  if (format != "text" && format != "json") throw UsageError{"--symbolic takes --format text or json"};
  request.json = format == "json";
  request.timeout_ms = proof_timeout_option(args);
  request.compile = compile_options(args);
  bool changed = false, unknown = false;
  if (int code = diff_symbolic(request, changed, unknown); code != kOk) return code;
  return (changed || unknown) && args.has("--fail-on-change") ? kFindings : kOk;
}

int cmd_diff(const Argv& argv) {
  Args args(argv, {"--import-root", "--snapshot", "--requests", "--now", "--repository", "--format", "--pricing", "--price-per-gb", "--archive-price-per-gb", "--in-use",
             "--max-in-use-age", "--timeout"},
            {"--help", "--fail-on-change", "--strict-in-use", "--symbolic"});
  if (args.has("--help")) {
    std::cout << kDiffHelp << kImportRootHelp << "\n" << exit_codes_help("a policy has errors, or the decisions changed, with --fail-on-change");
    return kOk;
  }
  if (args.positionals().size() != 2) throw UsageError{"`diff` needs two policy files: OLD.regpol NEW.regpol (see `regpol diff --help`)"};
  std::string old_path = args.positionals()[0], new_path = args.positionals()[1];
  if (old_path == "-") old_path = "/dev/stdin";
  if (new_path == "-") new_path = "/dev/stdin";
  if (old_path == "/dev/stdin" && new_path == "/dev/stdin") throw UsageError{"only one of OLD and NEW can come from stdin"};
  if (args.has("--symbolic")) return diff_symbolic_command(args, old_path, new_path);
  if (args.has("--timeout")) throw UsageError{"--timeout applies to --symbolic"};
  auto snapshots = args.all("--snapshot");
  if (snapshots.empty()) throw UsageError{"`diff` needs at least one --snapshot FILE (or --symbolic, to compare access for every request)"};
  std::string format = args.get("--format").value_or("text");
  if (format != "text" && format != "json" && format != "markdown" && format != "html")
    throw UsageError{"--format takes text, json, markdown or html"};
  DiffRequest request;
  request.old_path = old_path;
  request.new_path = new_path;
  request.old_name = args.positionals()[0];
  request.new_name = args.positionals()[1];
  request.snapshots = snapshots;
  request.requests = args.get("--requests");
  request.repository = args.get("--repository").value_or("");
  request.format = format;
  request.compile = compile_options(args);
  request.lifecycle.now = now_option(args);
  request.in_use = args.all("--in-use");
  request.strict_in_use = args.has("--strict-in-use");
  request.max_in_use_age = duration_option(args, "--max-in-use-age");
  std::string err;
  if (!read_price_options(args, request.prices, err)) return fail(kBadInput, err);
  std::string out;
  bool changed = false;
  if (int code = diff_policies(request, out, changed); code != kOk) return code;
  std::cout << out;
  std::cout.flush();
  if (!std::cout) return fail(kInternal, "cannot write the diff");
  return changed && args.has("--fail-on-change") ? kFindings : kOk;
}

}  // namespace regpol::cli
