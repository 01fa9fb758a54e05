// `regpol runs`: the history a state database keeps, and what one run did and why.
#include <iostream>
#include <set>
#include <nlohmann/json.hpp>

#include "cli/args.h"
#include "cli/commands.h"
#include "report/plan_report.h"
#include "driver/apply_metrics.h"
#include "driver/state_lock.h"
#include "util/text.h"

namespace regpol::cli {

static const char* kRunsHelp =
    "usage: regpol runs --state STATE.db [--format text|json]\n"
    "       regpol runs show ID|last --state STATE.db [--status S] [--repository GLOB] [--limit N]\n"
    "                                [--format text|json]\n"
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
    "  --limit N        with show: at most N actions (text: default 100; json: default all)\n"
    "  --state FILE     the state database\n"
    "  --format F       text (default) or json (schema regpol.runs/v1)\n"
    "  --help           this text\n"
    "\n"
    "Runs of several shards (one state database each) merge with jq:\n"
    "  for s in state-*.db; do regpol runs show last --state \"$s\" --format json; done | jq -s .\n";

namespace {

// "[sha-1, sha-2]": the tags an untag action removes.
std::string removed_tags_text(const std::vector<std::string>& tags) {
  std::string out = "[";
  for (std::size_t i = 0; i < tags.size(); ++i) out += (i ? ", " : "") + tags[i];
  return out + "]";
}

nlohmann::json time_json(Micros t) { return t == kNoTime ? nlohmann::json(nullptr) : nlohmann::json(format_timestamp(t)); }

// As plan's summary.inUseSources: per --in-use file, what it named and what it kept.
nlohmann::json in_use_sources_json(const RunRecord& r) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& f : r.in_use) {
    list.push_back({{"file", f.file}, {"readAt", time_json(f.read_at)}, {"references", f.references}, {"images", f.images},
                    {"protected", f.protected_images}});
  }
  return list;
}

// "in use: FILE (read …): 12 references, naming 9 images, 3 of them kept from a rule".
std::string in_use_source_line(const InUseSourceRecord& f) {
  return "in use: " + f.file + " (read " + (f.read_at == kNoTime ? std::string("at an unknown time") : format_timestamp(f.read_at)) +
         "): " + plural(static_cast<std::size_t>(f.references), "reference") + ", naming " +
         plural(static_cast<std::size_t>(f.images), "image") + ", " + std::to_string(f.protected_images) +
         " of them kept from a rule by `protect in_use`";
}

nlohmann::json run_json(const RunRecord& r) {
  return {{"id", r.id},
          {"status", r.status},
          {"source", r.source},
          {"target", r.target},
          {"shard", r.shard},
          {"policySha256", r.policy_sha256},
          {"snapshotSha256", r.snapshot_sha256},
          {"planSha256", r.plan_sha256},
          {"now", time_json(r.now)},
          {"startedAt", time_json(r.started_at)},
          {"finishedAt", time_json(r.finished_at)},
          {"pid", r.pid},
          {"message", r.message},
          {"counts", run_counts_json(r)},
          {"inUseSources", in_use_sources_json(r)}};
}

std::string run_line(const RunRecord& r) {
  std::string s = "run " + std::to_string(r.id) + "  " + r.status + "  " + (r.started_at == kNoTime ? "" : format_timestamp(r.started_at)) +
                  "  " + r.source + " → " + r.target + (r.shard.empty() || r.shard == "0/1" ? "" : " shard " + r.shard) + "\n    ";
  if (r.status == "refused") {
    // Nothing was carried out: say what the refused plan held.
    s += "nothing carried out; the plan held " + std::to_string(r.planned_deletions) + " deletions (" +
         human_bytes(static_cast<ByteTotal>(r.planned_bytes)) + ") and " + std::to_string(r.planned_transitions) + " transitions";
    if (r.planned_untags) s += " and " + std::to_string(r.planned_untags) + " tag removals";
    if (r.deferred) s += ", " + std::to_string(r.deferred) + " of them deferred";
    s += "\n";
  } else {
    s += std::to_string(r.deleted) + " deleted (" + human_bytes(static_cast<ByteTotal>(r.bytes_deleted)) + "), " + std::to_string(r.transitioned) +
         " transitioned";
    if (r.untagged || r.planned_untags) s += ", " + std::to_string(r.untagged) + " untagged";
    if (r.already) s += ", " + std::to_string(r.already) + " already so";
    if (r.skipped) s += ", " + std::to_string(r.skipped) + " skipped";
    if (r.deferred) s += ", " + std::to_string(r.deferred) + " deferred";
    if (r.failed) s += ", " + std::to_string(r.failed) + " failed";
    if (r.pending) s += ", " + std::to_string(r.pending) + " not done yet";
    s += " of " + std::to_string(r.planned) + " planned\n";
  }
  if (!r.in_use.empty()) {
    std::int64_t kept = 0;
    for (const auto& f : r.in_use) kept += f.protected_images;
    s += "    in use: " + plural(r.in_use.size(), "source") + ", " + plural(static_cast<std::size_t>(kept), "image") +
         " kept from a rule by `protect in_use`\n";
  }
  if (!r.message.empty()) s += "    " + r.message.substr(0, r.message.find('\n')) + "\n";
  return s;
}

nlohmann::json repository_json(const StateStore::RepositoryCounts& c) {
  return {{"repository", c.repository}, {"planned", c.planned},   {"deleted", c.deleted}, {"bytesDeleted", c.bytes_deleted},
          {"transitioned", c.transitioned}, {"untagged", c.untagged}, {"alreadyDone", c.already}, {"skipped", c.skipped}, {"deferred", c.deferred},
          {"failed", c.failed},         {"pending", c.pending}};
}

std::string repository_line(const StateStore::RepositoryCounts& c) {
  std::string s = c.repository + ": " + std::to_string(c.deleted) + " deleted (" + human_bytes(static_cast<ByteTotal>(c.bytes_deleted)) + ")";
  if (c.transitioned) s += ", " + std::to_string(c.transitioned) + " transitioned";
  if (c.untagged) s += ", " + std::to_string(c.untagged) + " untagged";
  if (c.already) s += ", " + std::to_string(c.already) + " already so";
  if (c.skipped) s += ", " + std::to_string(c.skipped) + " skipped";
  if (c.deferred) s += ", " + std::to_string(c.deferred) + " deferred";
  if (c.failed) s += ", " + std::to_string(c.failed) + " failed";
  if (c.pending) s += ", " + std::to_string(c.pending) + " not done";
  return s + " of " + std::to_string(c.planned);
}

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
    std::cout << kRunsHelp << "\n" << kExitCodesHelp;
    return kOk;
  }
  auto state = args.get("--state");
  if (!state) throw UsageError{"`runs` needs --state STATE.db"};
  std::string format = args.get("--format").value_or("text");
  if (format != "text" && format != "json") throw UsageError{"unknown format `" + format + "` (expected text or json)"};
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
    if (format == "json") {
      nlohmann::json list = nlohmann::json::array();
      for (const auto& r : runs) list.push_back(run_json(r));
      std::cout << nlohmann::json({{"schema", "regpol.runs/v1"}, {"runs", list}}).dump(2) << "\n";
    } else {
      if (runs.empty()) std::cout << "no runs yet\n";
      for (const auto& r : runs) std::cout << run_line(r);
    }
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
  const bool refused = r->status == "refused";
  if (format == "json") {
    nlohmann::json j = run_json(*r);
    nlohmann::json repos = nlohmann::json::array();
    for (const auto& c : by_repository) repos.push_back(repository_json(c));
    j["byRepository"] = std::move(repos);
    nlohmann::json list = nlohmann::json::array();
    for (const auto& a : actions) {
      nlohmann::json x = {{"seq", a.seq}, {"repository", a.repository}, {"digest", a.digest}, {"tags", a.tags},
                          {"action", action_kind_name(a.kind)}, {"sizeBytes", a.size_bytes},
                          {"rule", {{"priority", a.rule_priority}, {"source", a.rule_source}}}, {"reason", a.reason},
                          {"status", action_status_name(a.status)}, {"answer", a.answer}};
      if (a.kind == ActionKind::Untag) x["untagTags"] = a.untag;
      list.push_back(std::move(x));
    }
    j["actions"] = std::move(list);
    j["actionsMatching"] = matching;
    nlohmann::json log = nlohmann::json::array();
    for (const auto& e : audit) {
      log.push_back({{"id", e.id}, {"at", time_json(e.at)}, {"seq", e.seq}, {"event", e.event}, {"repository", e.repository},
                     {"digest", e.digest}, {"rule", e.rule}, {"detail", e.detail}});
    }
    j["audit"] = std::move(log);
    j["schema"] = "regpol.runs/v1";
    std::cout << j.dump(2) << "\n";
    return kOk;
  }
  std::cout << run_line(*r);
  std::cout << "  policy sha256 " << r->policy_sha256 << "\n  snapshot sha256 " << r->snapshot_sha256 << "\n";
  if (!r->plan_sha256.empty()) std::cout << "  plan sha256 " << r->plan_sha256 << "\n";
  if (r->now != kNoTime) std::cout << "  evaluated at " << format_timestamp(r->now) << "\n";
  if (!r->message.empty()) std::cout << "  " << r->message << "\n";
  for (const auto& f : r->in_use) std::cout << "  " << in_use_source_line(f) << "\n";
  constexpr std::size_t kRepositoriesShown = 10;
  std::cout << "  by repository (" << by_repository.size() << (by_repository.size() > kRepositoriesShown ? ", the first 10" : "") << "):\n";
  for (std::size_t i = 0; i < by_repository.size() && i < kRepositoriesShown; ++i) std::cout << "    " << repository_line(by_repository[i]) << "\n";
  std::cout << "  actions (" << actions.size() << " shown of " << matching;
  if (filter.status) std::cout << " with status " << action_status_name(*filter.status);
  if (!filter.repository_glob.empty()) std::cout << " in " << filter.repository_glob;
  std::cout << (matching > static_cast<std::int64_t>(actions.size()) ? "; --limit N shows more" : "") << "):\n";
  for (const auto& a : actions) {
    // A refused run carried nothing out: its pending actions were never sent.
    const std::string status = refused && a.status == ActionStatus::Pending ? "not carried out" : action_status_name(a.status);
    std::cout << "  " << a.seq << ". " << status << "  " << action_kind_name(a.kind) << " " << a.repository << "@"
              << a.digest.substr(0, 19) << (a.tags.empty() ? "" : " [" + a.tags.front() + (a.tags.size() > 1 ? ", …" : "") + "]")
              << (a.kind == ActionKind::Untag ? " removes " + removed_tags_text(a.untag) : std::string())
              << "\n      " << a.reason << (a.rule_source.empty() ? "" : " (" + a.rule_source + ")")
              << (a.answer.empty() ? "" : "\n      → " + a.answer) << "\n";
  }
  std::cout << "  audit log (" << audit.size() << " entries" << (everything ? "" : ": the run's, and the actions shown") << "):\n";
  for (const auto& e : audit) {
    std::cout << "    " << format_timestamp(e.at) << "  " << e.event;
    if (e.seq) std::cout << "  #" << e.seq << " " << e.repository << "@" << e.digest.substr(0, 19);
    if (!e.detail.empty()) std::cout << "  " << e.detail.substr(0, e.detail.find('\n'));
    std::cout << "\n";
  }
  return kOk;
}

}  // namespace regpol::cli
