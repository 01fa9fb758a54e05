// `regpol runs`: the history a state database keeps, and what one run did and why.
#include <iostream>
#include <set>

#include "cli/args.h"
#include "cli/commands.h"
#include "report/runs_html.h"
#include "report/runs_report.h"
#include "driver/apply_metrics.h"
#include "driver/state_lock.h"
#include "util/text.h"

namespace regpol::cli {

static const char* kRunsHelp =
    "usage: regpol runs --state STATE.db [--format text|json|html]\n"
    "       regpol runs show ID|last --state STATE.db [--status S] [--repository GLOB] [--limit N]\n"
    "                                [--format text|json|html]\n"
    "       regpol runs abandon ID --state STATE.db\n"
    "\n"
    "The runs `regpol apply` recorded in a state database.\n"
    "  (no subcommand)  one line per run: id, status, when, what, counts (a refused run: what\n"
    "                   it had planned, none of it carried out)\n"
    "  show ID|last     one run (`last`: the newest): its inputs (policy and snapshot digests,\n"
    "                   each --in-use file with what it kept from a rule),\n"
    "                   a summary (counts by outcome; by repository, most bytes deleted first),\n"
    "                   then its actions with rule, reason and outcome, and the audit log of\n"
    "                   the run and of the actions shown\n"
    "  abandon ID       give up an unfinished run (its remaining actions are never sent), so that\n"
    "                   apply plans anew; the audit log records it\n"
    "  --status S       with show: only actions with this outcome (pending, sent, done,\n"
    "                   already-done, skipped, failed, deferred)\n"
    "  --repository GLOB  with show: only actions in matching repositories (* and ?)\n"
    "  --limit N        with show: at most N actions (text: default 100; json and html: default all)\n"
    "  --state FILE     the state database\n"
    "  --format F       text (default), json (schema regpol.runs/v1) or html (one self-contained\n"
    "                   page: the runs list charts the bytes and images each run deleted over\n"
    "                   time above a table of the runs; one run charts its repositories and lists\n"
    "                   its actions and audit log in sortable, filterable tables; docs/reports.md)\n"
    "  --help           this text\n"
    "\n"
    "Runs of several shards (one state database each) merge with jq:\n"
    "  for s in state-*.db; do regpol runs show last --state \"$s\" --format json; done | jq -s .\n";

namespace {

std::int64_t run_id(const std::string& text) {
  try {
    std::size_t used = 0;
    long long v = std::stoll(text, &used);
    if (used == text.size() && v > 0) return v;
  } catch (...) {
  }
  throw UsageError{"a run id is a number (see `regpol runs --state FILE`), not `" + text + "`"};
}

}  // namespace

int cmd_runs(const Argv& argv) {
  Args args(argv, {"--state", "--format", "--status", "--repository", "--limit"}, {"--help"});
  if (args.has("--help")) {
    std::cout << kRunsHelp << "\n" << exit_codes_help("", {}, "runs abandon: an apply holds the state file");
    return kOk;
  }
  auto state = args.get("--state");
  if (!state) throw UsageError{"`runs` needs --state STATE.db"};
  std::string format = args.get("--format").value_or("text");
  if (format != "text" && format != "json" && format != "html") throw UsageError{"unknown format `" + format + "` (expected text, json or html)"};
  const auto& pos = args.positionals();
  std::string sub = pos.empty() ? "" : pos[0];
  if (!sub.empty() && sub != "show" && sub != "abandon") throw UsageError{"unknown `runs` subcommand `" + sub + "` (expected show or abandon)"};
  if (!sub.empty() && pos.size() != 2) throw UsageError{"see `regpol runs --help`"};
  if (sub != "show") {
    for (const char* o : {"--status", "--repository", "--limit"}) {
      if (args.has(o)) throw UsageError{std::string(o) + " goes with `runs show`"};
    }
  }
  StateStore::ActionFilter filter;
  if (auto status = args.get("--status")) {
    filter.status = action_status_from(*status);
    if (!filter.status)
      throw UsageError{"--status takes pending, sent, done, already-done, skipped, failed or deferred, not `" + *status + "`"};
  }
  filter.repository_glob = args.get("--repository").value_or("");
  const auto limit = integer_option(args, "--limit", 0);
  filter.limit = limit ? *limit : format == "text" ? 100 : -1;

  std::string err;
  if (sub == "abandon") {
    std::int64_t id = run_id(pos[1]);
    std::unique_ptr<StateLock> lock;
    if (int locked = lock_state_file(*state, lock); locked != kOk) return locked;
    auto store = StateStore::open(*state, err);
    if (!store) return fail(kBadInput, err);
    auto r = store->run(id);
    if (!r) return fail(kBadInput, "no run " + std::to_string(id) + " in " + *state);
    if (r->status != "running") return fail(kBadInput, "run " + std::to_string(id) + " is " + r->status + ", not unfinished");
    store->finish_run(id, "abandoned", "abandoned by `regpol runs abandon`: " + std::to_string(r->pending) + " actions never sent");
    std::cout << "run " << id << " abandoned; " << r->pending << " actions were not sent\n";
    return kOk;
  }

  auto store = StateStore::open_read_only(*state, err);
  if (!store) return fail(kBadInput, err);
  if (sub.empty()) {
    auto runs = store->runs();
    if (format == "html") {
      std::string page;
      if (!render_runs_html(runs, *state, page, err)) return fail(kInternal, err);
      std::cout << page;
      return kOk;
    }
    render_runs(runs, format == "json", std::cout);
    return kOk;
  }
  std::int64_t id = 0;
  if (pos[1] == "last") {
    auto last = store->last_run_id();
    if (!last) return fail(kBadInput, "no runs yet in " + *state);
    id = *last;
  } else {
    id = run_id(pos[1]);
  }
  auto r = store->run(id);
  if (!r) return fail(kBadInput, "no run " + std::to_string(id) + " in " + *state);
  std::int64_t matching = 0;
  auto actions = store->actions(id, filter, matching);
  auto by_repository = store->repository_counts(id);
  // The audit log of the run itself, and of the actions shown (all of it when nothing is
  // filtered out).
  const bool everything = matching == static_cast<std::int64_t>(actions.size()) && !filter.status && filter.repository_glob.empty();
  std::set<std::int64_t> shown;
  for (const auto& a : actions) shown.insert(a.seq);
  std::vector<AuditEntry> audit;
  for (auto& e : store->audit(id)) {
    if (everything || e.seq == 0 || shown.count(e.seq)) audit.push_back(std::move(e));
  }
  RunShow show{*r, std::move(by_repository), std::move(actions), matching, std::move(audit), everything, filter.status, filter.repository_glob};
  if (format == "html") {
    std::string page;
    if (!render_run_show_html(show, *state, page, err)) return fail(kInternal, err);
    std::cout << page;
    return kOk;
  }
  render_run_show(show, format == "json", std::cout);
  return kOk;
}

}  // namespace regpol::cli
