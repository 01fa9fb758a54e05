#include "report/runs_html.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "report/html_page.h"
#include "report/plan_report.h"
#include "report/svg_chart.h"
#include "util/time.h"

namespace regpol {

namespace {

// Runs charted: the newest this many, so a years-old nightly job's page stays readable.
constexpr std::size_t kChartedRuns = 60;

nlohmann::json seconds_or_null(Micros t) { return t == kNoTime ? nlohmann::json(nullptr) : nlohmann::json(t / kMicrosPerSecond); }


}  // namespace

bool render_runs_html(const std::vector<RunRecord>& runs, const std::string& state, std::string& out, std::string& error) {
  out = html_page_open("regpol runs", "runs");
  out += "<header><h1>regpol runs</h1><p class=\"meta\">the journal of <code id=\"state\">" + html_text(state) + "</code></p></header>\n<main>\n";
  std::int64_t deleted = 0, bytes = 0, freed = 0, transitioned = 0, untagged = 0;
  bool freed_known = false;
  for (const auto& r : runs) {
    deleted += r.deleted;
    bytes += r.bytes_deleted;
    if (r.bytes_freed >= 0) freed += r.bytes_freed, freed_known = true;
    transitioned += r.transitioned;
    untagged += r.untagged;
  }
  out += "<section id=\"summary\"><h2>Summary</h2><table class=\"summary\">\n";
  html_fact_row(out, "runs", std::to_string(runs.size()), "sum-runs");
  html_fact_row(out, "images deleted", std::to_string(deleted), "sum-deleted");
  html_fact_row(out, "deleted (summed image sizes)", human_bytes(static_cast<ByteTotal>(bytes)), "sum-bytes-deleted");
  if (freed_known)
    html_fact_row(out, "freed in storage", human_bytes(static_cast<ByteTotal>(freed)) + " (runs whose snapshot knew blobs; shared layers counted once)",
                  "sum-bytes-freed");
  html_fact_row(out, "moved to archive", std::to_string(transitioned), "sum-transitioned");
  if (untagged) html_fact_row(out, "images that lost tags", std::to_string(untagged), "sum-untagged");
  out += "</table></section>\n";

  // Oldest first, as time runs; the newest kChartedRuns.
  std::vector<const RunRecord*> charted;
  charted.reserve(runs.size());
  for (const auto& r : runs) charted.push_back(&r);
  std::stable_sort(charted.begin(), charted.end(), [](const RunRecord* a, const RunRecord* b) { return a->id < b->id; });
  if (charted.size() > kChartedRuns) charted.erase(charted.begin(), charted.end() - static_cast<std::ptrdiff_t>(kChartedRuns));
  const std::string which = runs.size() > kChartedRuns ? " (the newest " + std::to_string(kChartedRuns) + " runs)" : "";
  Chart by_bytes;
  by_bytes.id = "chart-runs-bytes";
  by_bytes.title = "Bytes each run deleted (summed image sizes), oldest first" + which;
  by_bytes.unit = ChartUnit::Bytes;
  by_bytes.series = {{"expire", "deleted"}};
  Chart by_images;
  by_images.id = "chart-runs-images";
  by_images.title = "Images each run changed, oldest first" + which;
  by_images.unit = ChartUnit::Images;
  by_images.series = {{"expire", "deleted"}, {"transition", "moved to archive"}, {"untag", "lost tags"}};
  for (const RunRecord* r : charted) {
    const std::string label = "#" + std::to_string(r->id);
    by_bytes.bars.push_back({label, "", {static_cast<ByteTotal>(std::max<std::int64_t>(0, r->bytes_deleted))}});
    by_images.bars.push_back({label, "",
                              {static_cast<ByteTotal>(r->deleted), static_cast<ByteTotal>(r->transitioned), static_cast<ByteTotal>(r->untagged)}});
  }
  if (!charted.empty()) {
    out += "<section id=\"charts\"><h2>Over time</h2>\n" + vertical_bar_chart(by_bytes) + vertical_bar_chart(by_images) + "</section>\n";
  }

  HtmlEnumValues statuses;
  nlohmann::json c_id = nlohmann::json::array(), c_status = nlohmann::json::array(),
                 c_started = nlohmann::json::array(), c_source = nlohmann::json::array(), c_target = nlohmann::json::array(),
                 c_deleted = nlohmann::json::array(), c_bytes = nlohmann::json::array(), c_freed = nlohmann::json::array(), c_transitioned = nlohmann::json::array(),
                 c_planned = nlohmann::json::array(), c_message = nlohmann::json::array();
  for (const auto& r : runs) {
    c_id.push_back(r.id);
    c_status.push_back(statuses.index(r.status));
    c_started.push_back(seconds_or_null(r.started_at));
    c_source.push_back(r.source);
    c_target.push_back(r.target + (r.shard.empty() || r.shard == "0/1" ? "" : " shard " + r.shard));
    c_deleted.push_back(r.deleted);
    c_bytes.push_back(r.bytes_deleted);
    c_freed.push_back(r.bytes_freed >= 0 ? nlohmann::json(r.bytes_freed) : nlohmann::json(nullptr));
    c_transitioned.push_back(r.transitioned);
    c_planned.push_back(r.planned);
    c_message.push_back(r.message.substr(0, r.message.find('\n')));
  }
  nlohmann::json status_column = html_table_column("status", "status", "outcome");
  status_column["values"] = statuses.values();
  const nlohmann::json table = {
      {"id", "run-table"},
      {"noun", "runs"},
      {"filterColumn", "status"},
      {"columns",
       {html_table_column("id", "run", "number"), status_column, html_table_column("startedAt", "started", "time"), html_table_column("source", "from", "text"),
        html_table_column("target", "to", "text"), html_table_column("deleted", "deleted", "number"), html_table_column("bytesDeleted", "bytes deleted", "bytes"),
        html_table_column("bytesFreed", "freed in storage", "bytes"),
        html_table_column("transitioned", "moved to archive", "number"), html_table_column("planned", "planned", "number"), html_table_column("message", "message", "text")}},
      {"rows",
       {{"id", c_id}, {"status", c_status}, {"startedAt", c_started}, {"source", c_source}, {"target", c_target}, {"deleted", c_deleted},
        {"bytesDeleted", c_bytes}, {"bytesFreed", c_freed}, {"transitioned", c_transitioned}, {"planned", c_planned}, {"message", c_message}}}};
  out += "<section id=\"runs\"><h2>Runs</h2>\n" + html_data_table("run-table", "source, target, message", "runs") + "</section>\n</main>\n";
  return html_page_close(out, nlohmann::json{{"schema", "regpol.runs-html/v1"}, {"tables", nlohmann::json::array({table})}}.dump(), error);
}

bool render_run_show_html(const RunShow& show, const std::string& state, std::string& out, std::string& error) {
  const RunRecord& r = show.run;
  const std::string title = "regpol run " + std::to_string(r.id);
  out = html_page_open(title, "run");
  out += "<header><h1>" + html_text(title) + ": <span id=\"status\">" + html_text(r.status) + "</span></h1><p class=\"meta\">" +
         html_text(r.source) + " \u2192 " + html_text(r.target) + " in <code id=\"state\">" + html_text(state) + "</code>";
  if (r.started_at != kNoTime) out += ", started <time>" + format_timestamp(r.started_at) + "</time>";
  if (r.finished_at != kNoTime) out += ", finished <time>" + format_timestamp(r.finished_at) + "</time>";
  out += "</p></header>\n<main>\n<section id=\"summary\"><h2>Summary</h2><table class=\"summary\">\n";
  html_fact_row(out, "planned at", r.now == kNoTime ? "" : format_timestamp(r.now), "sum-now");
  html_fact_row(out, "actions planned", std::to_string(r.planned), "sum-planned");
  html_fact_row(out, "deleted", std::to_string(r.deleted) + " (" + human_bytes(static_cast<ByteTotal>(std::max<std::int64_t>(0, r.bytes_deleted))) +
                                ", summed image sizes)", "sum-deleted");
  if (r.bytes_freed >= 0) html_fact_row(out, "freed in storage", human_bytes(static_cast<ByteTotal>(r.bytes_freed)), "sum-bytes-freed");
  html_fact_row(out, "moved to archive", std::to_string(r.transitioned), "sum-transitioned");
  if (r.untagged || r.planned_untags) html_fact_row(out, "lost tags", std::to_string(r.untagged), "sum-untagged");
  html_fact_row(out, "already so", std::to_string(r.already), "sum-already");
  html_fact_row(out, "skipped", std::to_string(r.skipped), "sum-skipped");
  html_fact_row(out, "deferred", std::to_string(r.deferred), "sum-deferred");
  html_fact_row(out, "failed", std::to_string(r.failed), "sum-failed");
  html_fact_row(out, "not done yet", std::to_string(r.pending), "sum-pending");
  html_fact_row(out, "policy sha256", r.policy_sha256, "sum-policy");
  html_fact_row(out, "snapshot sha256", r.snapshot_sha256, "sum-snapshot");
  if (!r.plan_sha256.empty()) html_fact_row(out, "plan sha256", r.plan_sha256, "sum-plan");
  out += "</table>\n";
  if (!r.message.empty()) out += "<pre id=\"message\">" + html_text(r.message) + "</pre>\n";
  if (!r.in_use.empty()) {
    out += "<ul class=\"notes\">";
    for (const auto& f : r.in_use) out += "<li>in use: " + html_text(in_use_source_text(f, false)) + "</li>";
    out += "</ul>\n";
  }
  out += "</section>\n";

  // By repository: the most bytes deleted first (the store's order), the first 20 charted.
  Chart c;
  c.id = "chart-run-repositories";
  c.title = "Actions by repository and outcome";
  c.unit = ChartUnit::Images;
  c.noun = "action";
  c.series = {{"expire", "deleted"}, {"transition", "moved to archive"}, {"untag", "lost tags"}, {"keep", "already so"},
              {"protected", "skipped or deferred"}, {"failed", "failed"}, {"pending", "not done yet"}};
  std::vector<ChartBar> bars;
  bars.reserve(show.by_repository.size());
  for (const auto& k : show.by_repository) {
    ChartBar b;
    b.label = k.repository;
    for (auto x : {k.deleted, k.transitioned, k.untagged, k.already, k.skipped + k.deferred, k.failed, k.pending})
      b.values.push_back(static_cast<ByteTotal>(std::max<std::int64_t>(0, x)));
    bars.push_back(std::move(b));
  }
  set_repository_bars(c, std::move(bars));
  if (!c.bars.empty()) out += "<section id=\"charts\"><h2>By repository</h2>\n" + horizontal_bar_chart(c) + "</section>\n";

  HtmlEnumValues repos, outcomes;
  nlohmann::json a_seq = nlohmann::json::array(), a_repo = nlohmann::json::array(), a_digest = nlohmann::json::array(),
                 a_tags = nlohmann::json::array(), a_kind = nlohmann::json::array(), a_size = nlohmann::json::array(),
                 a_status = nlohmann::json::array(), a_rule = nlohmann::json::array(), a_reason = nlohmann::json::array(),
                 a_answer = nlohmann::json::array();
  const bool refused = r.status == "refused";
  for (const auto& a : show.actions) {
    a_seq.push_back(a.seq);
    a_repo.push_back(repos.index(a.repository));
    a_digest.push_back(std::string(html_digest_value(a.digest)));
    std::string tags;
    for (const auto& t : a.tags) tags += (tags.empty() ? "" : " ") + t;
    a_tags.push_back(tags);
    std::string kind = action_kind_name(a.kind);
    if (a.kind == ActionKind::Untag) {
      for (const auto& t : a.untag) kind += " " + t;
    }
    a_kind.push_back(kind);
    a_size.push_back(a.size_bytes);
    a_status.push_back(outcomes.index(refused && a.status == ActionStatus::Pending ? "not carried out" : action_status_name(a.status)));
    a_rule.push_back("rule " + std::to_string(a.rule_priority) + " (" + a.rule_source + ")");
    a_reason.push_back(a.reason);
    a_answer.push_back(a.answer);
  }
  nlohmann::json repo_column = html_table_column("repository", "repository", "enum"), status_column = html_table_column("status", "outcome", "outcome");
  repo_column["values"] = repos.values();
  status_column["values"] = outcomes.values();
  nlohmann::json tags_column = html_table_column("tags", "tags", "text");
  tags_column["empty"] = "(untagged)";
  const nlohmann::json actions = {
      {"id", "action-table"},
      {"noun", "actions"},
      {"filterColumn", "status"},
      {"columns",
       {html_table_column("seq", "#", "number"), repo_column, tags_column, html_table_column("digest", "digest", "digest"), html_table_column("kind", "action", "text"),
        html_table_column("sizeBytes", "size", "bytes"), status_column, html_table_column("rule", "rule", "text"), html_table_column("reason", "reason", "text"),
        html_table_column("answer", "the target's answer", "text")}},
      {"rows",
       {{"seq", a_seq}, {"repository", a_repo}, {"tags", a_tags}, {"digest", a_digest}, {"kind", a_kind}, {"sizeBytes", a_size},
        {"status", a_status}, {"rule", a_rule}, {"reason", a_reason}, {"answer", a_answer}}}};
  out += "<section id=\"actions\"><h2>Actions</h2>\n";
  if (!show.everything)
    out += "<p class=\"notes\">" + std::to_string(show.actions.size()) + " of the " + std::to_string(show.matching) +
           " actions that match the filter (--status, --repository, --limit)</p>\n";
  out += html_data_table("action-table", "repository, tag, digest, rule, reason", "actions") + "</section>\n";

  HtmlEnumValues events;
  nlohmann::json e_at = nlohmann::json::array(), e_event = nlohmann::json::array(),
                 e_seq = nlohmann::json::array(), e_repo = nlohmann::json::array(), e_digest = nlohmann::json::array(),
                 e_detail = nlohmann::json::array();
  for (const auto& e : show.audit) {
    e_at.push_back(seconds_or_null(e.at));
    e_event.push_back(events.index(e.event));
    e_seq.push_back(e.seq);
    e_repo.push_back(e.repository);
    e_digest.push_back(e.digest.empty() ? std::string() : e.digest.substr(0, 19));
    e_detail.push_back(e.detail);
  }
  nlohmann::json event_column = html_table_column("event", "event", "outcome");
  event_column["values"] = events.values();
  const nlohmann::json audit = {
      {"id", "audit-table"},
      {"noun", "entries"},
      {"filterColumn", "event"},
      {"columns",
       {html_table_column("at", "at", "time"), event_column, html_table_column("seq", "action", "number"), html_table_column("repository", "repository", "text"),
        html_table_column("digest", "digest", "text"), html_table_column("detail", "detail", "text")}},
      {"rows", {{"at", e_at}, {"event", e_event}, {"seq", e_seq}, {"repository", e_repo}, {"digest", e_digest}, {"detail", e_detail}}}};
  out += "<section id=\"audit\"><h2>Audit log</h2>\n" + html_data_table("audit-table", "event, repository, detail", "entries") +
         "</section>\n</main>\n";
  return html_page_close(out, nlohmann::json{{"schema", "regpol.run-html/v1"}, {"tables", nlohmann::json::array({actions, audit})}}.dump(),
                         error);
}

}  // namespace regpol
