#include "report/runs_report.h"

#include <nlohmann/json.hpp>

#include "report/plan_report.h"
#include "util/text.h"

namespace regpol {

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
    s += std::to_string(r.deleted) + " deleted (" + run_deleted_bytes_text(r) + "), " + std::to_string(r.transitioned) +
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

}  // namespace

std::string run_deleted_bytes_text(const RunRecord& r) {
  std::string s = human_bytes(static_cast<ByteTotal>(std::max<std::int64_t>(0, r.bytes_deleted)));
  if (r.bytes_freed >= 0) s += " summed sizes, " + human_bytes(static_cast<ByteTotal>(r.bytes_freed)) + " freed in storage";
  return s;
}

nlohmann::json run_counts_json(const RunRecord& r) {
  return {{"planned", r.planned},
          {"deleted", r.deleted},
          {"transitioned", r.transitioned},
          {"untagged", r.untagged},
          {"alreadyDone", r.already},
          {"skipped", r.skipped},
          {"deferred", r.deferred},
          {"failed", r.failed},
          {"pending", r.pending},
          {"bytesDeleted", r.bytes_deleted},
          {"bytesFreed", r.bytes_freed >= 0 ? nlohmann::json(r.bytes_freed) : nlohmann::json(nullptr)},
          {"plannedDeletions", r.planned_deletions},
          {"plannedTransitions", r.planned_transitions},
          {"plannedUntags", r.planned_untags},
          {"plannedBytes", r.planned_bytes}};
}

void render_runs(const std::vector<RunRecord>& runs, bool json, std::ostream& out) {
  if (json) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& r : runs) list.push_back(run_json(r));
    out << nlohmann::json({{"schema", "regpol.runs/v1"}, {"runs", list}}).dump(2) << "\n";
  } else {
    if (runs.empty()) out << "no runs yet\n";
    for (const auto& r : runs) out << run_line(r);
  }
}

void render_run_show(const RunShow& show, bool json, std::ostream& out) {
  const RunRecord& r = show.run;
  const bool refused = r.status == "refused";
  if (json) {
    nlohmann::json j = run_json(r);
    nlohmann::json repos = nlohmann::json::array();
    for (const auto& c : show.by_repository) repos.push_back(repository_json(c));
    j["byRepository"] = std::move(repos);
    nlohmann::json list = nlohmann::json::array();
    for (const auto& a : show.actions) {
      nlohmann::json x = {{"seq", a.seq}, {"repository", a.repository}, {"digest", a.digest}, {"tags", a.tags},
                          {"action", action_kind_name(a.kind)}, {"sizeBytes", a.size_bytes},
                          {"rule", {{"priority", a.rule_priority}, {"source", a.rule_source}}}, {"reason", a.reason},
                          {"status", action_status_name(a.status)}, {"answer", a.answer}};
      if (a.kind == ActionKind::Untag) x["untagTags"] = a.untag;
      list.push_back(std::move(x));
    }
    j["actions"] = std::move(list);
    j["actionsMatching"] = show.matching;
    nlohmann::json log = nlohmann::json::array();
    for (const auto& e : show.audit) {
      log.push_back({{"id", e.id}, {"at", time_json(e.at)}, {"seq", e.seq}, {"event", e.event}, {"repository", e.repository},
                     {"digest", e.digest}, {"rule", e.rule}, {"detail", e.detail}});
    }
    j["audit"] = std::move(log);
    j["schema"] = "regpol.runs/v1";
    out << j.dump(2) << "\n";
    return;
  }
  out << run_line(r);
  out << "  policy sha256 " << r.policy_sha256 << "\n  snapshot sha256 " << r.snapshot_sha256 << "\n";
  if (!r.plan_sha256.empty()) out << "  plan sha256 " << r.plan_sha256 << "\n";
  if (r.now != kNoTime) out << "  evaluated at " << format_timestamp(r.now) << "\n";
  if (!r.message.empty()) out << "  " << r.message << "\n";
  for (const auto& f : r.in_use) out << "  in use: " << in_use_source_text(f, false) << "\n";
  constexpr std::size_t kRepositoriesShown = 10;
  out << "  by repository (" << show.by_repository.size() << (show.by_repository.size() > kRepositoriesShown ? ", the first 10" : "") << "):\n";
  for (std::size_t i = 0; i < show.by_repository.size() && i < kRepositoriesShown; ++i) out << "    " << repository_line(show.by_repository[i]) << "\n";
  out << "  actions (" << show.actions.size() << " shown of " << show.matching;
  if (show.status_filter) out << " with status " << action_status_name(*show.status_filter);
  if (!show.repository_glob.empty()) out << " in " << show.repository_glob;
  out << (show.matching > static_cast<std::int64_t>(show.actions.size()) ? "; --limit N shows more" : "") << "):\n";
  for (const auto& a : show.actions) {
    // A refused run carried nothing out: its pending actions were never sent.
    const std::string status = refused && a.status == ActionStatus::Pending ? "not carried out" : action_status_name(a.status);
    out << "  " << a.seq << ". " << status << "  " << action_kind_name(a.kind) << " " << a.repository << "@"
              << a.digest.substr(0, 19) << (a.tags.empty() ? "" : " [" + a.tags.front() + (a.tags.size() > 1 ? ", …" : "") + "]")
              << (a.kind == ActionKind::Untag ? " removes " + removed_tags_text(a.untag) : std::string())
              << "\n      " << a.reason << (a.rule_source.empty() ? "" : " (" + a.rule_source + ")")
              << (a.answer.empty() ? "" : "\n      → " + a.answer) << "\n";
  }
  out << "  audit log (" << show.audit.size() << " entries" << (show.everything ? "" : ": the run's, and the actions shown") << "):\n";
  for (const auto& e : show.audit) {
    out << "    " << format_timestamp(e.at) << "  " << e.event;
    // A batch's `sent` names its repository and its actions' numbers, not one image.
    if (e.seq && e.digest.empty()) out << "  " << e.repository;
    else if (e.seq) out << "  #" << e.seq << " " << e.repository << "@" << e.digest.substr(0, 19);
    if (!e.detail.empty()) out << "  " << e.detail.substr(0, e.detail.find('\n'));
    out << "\n";
  }
}

}  // namespace regpol
