#include "audit/audit_report.h"

#include <charconv>
#include <algorithm>
#include <map>
#include <stdexcept>
#include <nlohmann/json.hpp>

#include "report/html_page.h"
#include "report/svg_chart.h"
#include "util/text.h"
#include "util/time.h"

namespace regpol {

namespace {

const char* severity_name(AuditSeverity s) { return s == AuditSeverity::Error ? "error" : "warning"; }

std::string docs_uri(const AuditCheck& c) { return std::string("https://github.com/regpol/regpol/blob/main/docs/audit.md#") + c.anchor; }

// "policy.regpol:12:5" -> file, line, column; false for a statement label (a Sid, "….json#/Statement/0").
bool split_location(const std::string& source, std::string& file, int& line, int& column) {
  auto last = source.rfind(':');
  if (last == std::string::npos || last == 0) return false;
  auto mid = source.rfind(':', last - 1);
  if (mid == std::string::npos) return false;
  auto number = [](std::string_view s, int& v) { return !s.empty() && std::from_chars(s.data(), s.data() + s.size(), v).ptr == s.data() + s.size(); };
  if (!number(std::string_view(source).substr(mid + 1, last - mid - 1), line) || !number(std::string_view(source).substr(last + 1), column)) return false;
  file = source.substr(0, mid);
  return line > 0 && column > 0;
}

void write_text(const AuditResult& r, std::ostream& out) {
  for (const auto& f : r.findings) {
    out << f.code << " " << severity_name(f.severity) << (f.severity == AuditSeverity::Error ? "   " : " ") << f.repository << ": " << f.message << "\n";
    if (!f.source.empty()) out << "      policy: " << f.source << "\n";
    if (!f.statement.empty()) out << "      statement: " << f.statement << "\n";
    out << "      fix: " << f.fix << "\n";
  }
  for (const auto& n : r.not_checked) out << "not checked: " << n << "\n";
  out << "audited " << plural(r.repositories, "repository", "repositories") << ": " << plural(r.errors(), "error") << ", "
      << plural(r.warnings(), "warning") << "\n";
}

void write_json(const AuditResult& r, const AuditReportContext& ctx, std::ostream& out) {
  nlohmann::ordered_json findings = nlohmann::ordered_json::array();
  for (const auto& f : r.findings) {
    findings.push_back({{"code", f.code}, {"severity", severity_name(f.severity)}, {"repository", f.repository}, {"message", f.message},
                        {"fix", f.fix}, {"source", f.source.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(f.source)},
                        {"statement", f.statement.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(f.statement)}});
  }
  nlohmann::ordered_json doc = {{"schema", "regpol.audit/v1"},
                                {"policy", ctx.policy_file},
                                {"snapshots", ctx.snapshots},
                                {"capturedAt", ctx.captured_at == kNoTime ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(format_timestamp(ctx.captured_at))},
                                {"repositories", r.repositories},
                                {"errors", r.errors()},
                                {"warnings", r.warnings()},
                                {"findings", findings},
                                {"notChecked", r.not_checked}};
  out << doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
}

void write_sarif(const AuditResult& r, const AuditReportContext& ctx, std::ostream& out) {
  nlohmann::json rules = nlohmann::json::array();
  std::map<std::string, std::size_t> rule_index;
  for (const auto& c : audit_checks()) {
    rule_index[c.code] = rules.size();
    rules.push_back({{"id", c.code},
                     {"name", std::string(c.anchor).substr(6)},  // the anchor without "a1001-"
                     {"shortDescription", {{"text", c.title}}},
                     {"fullDescription", {{"text", std::string(c.title) + " (docs/audit.md)."}}},
                     {"helpUri", docs_uri(c)},
                     {"defaultConfiguration", {{"level", severity_name(c.severity)}}},
                     {"properties", {{"tags", nlohmann::json::array({"security", "ecr-settings"})}}}});
  }
  nlohmann::json results = nlohmann::json::array();
  for (const auto& f : r.findings) {
    nlohmann::json res = {{"ruleId", f.code},
                          {"ruleIndex", rule_index[f.code]},
                          {"level", severity_name(f.severity)},
                          {"message", {{"text", f.message + " (fix: " + f.fix + ")"}}}};
    nlohmann::json location = {{"logicalLocations", nlohmann::json::array({{{"name", f.repository}, {"kind", "resource"}}})}};
    std::string file;
    int line = 0, column = 0;
    if (split_location(f.source, file, line, column)) {
      location["physicalLocation"] = {{"artifactLocation", {{"uri", file}}}, {"region", {{"startLine", line}, {"startColumn", column}}}};
    } else if (!ctx.snapshots.empty()) {
      location["physicalLocation"] = {{"artifactLocation", {{"uri", ctx.snapshots.front()}}}};
    }
    res["locations"] = nlohmann::json::array({location});
    results.push_back(std::move(res));
  }
  nlohmann::json doc = {
      {"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
      {"version", "2.1.0"},
      {"runs", nlohmann::json::array({{{"tool", {{"driver", {{"name", "regpol audit"}, {"informationUri", "https://github.com/regpol/regpol"}, {"rules", rules}}}}},
                                       {"results", results}}})}};
  out << doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
}

// The findings as a page: by check and by repository (the 20 with most findings, then the
// rest in one bar), and a table of every finding with its fix.
void write_html(const AuditResult& r, const AuditReportContext& ctx, std::ostream& out) {
  std::string page = html_page_open("regpol audit", "audit");
  page += "<header><h1>regpol audit</h1><p class=\"meta\">the settings of ";
  std::string files;
  for (const auto& s : ctx.snapshots) files += (files.empty() ? "" : ", ") + s;
  page += html_text(files) + (ctx.captured_at == kNoTime ? std::string() : " (captured <time id=\"captured\">" + format_timestamp(ctx.captured_at) + "</time>)") +
          " against <code id=\"policy\">" + html_text(ctx.policy_file) + "</code> and the baseline (docs/audit.md)</p></header>\n<main>\n";
  page += "<section id=\"summary\"><h2>Summary</h2><table class=\"summary\">\n";
  html_fact_row(page, "repositories", std::to_string(r.repositories), "sum-repositories");
  html_fact_row(page, "errors", std::to_string(r.errors()), "sum-errors");
  html_fact_row(page, "warnings", std::to_string(r.warnings()), "sum-warnings");
  page += "</table>\n";
  if (!r.not_checked.empty()) {
    page += "<ul class=\"notes\">";
    for (const auto& n : r.not_checked) page += "<li>not checked: " + html_text(n) + "</li>";
    page += "</ul>\n";
  }
  page += "</section>\n";
  const std::vector<ChartSeries> series = {{"expire", "errors"}, {"transition", "warnings"}};
  Chart by_check;
  by_check.id = "chart-audit-checks";
  by_check.title = "Findings by check";
  by_check.series = series;
  by_check.noun = "finding";
  for (const auto& check : audit_checks()) {
    ByteTotal n = 0;
    for (const auto& f : r.findings) n += f.code == check.code ? 1 : 0;
    if (n == 0) continue;
    const bool error = check.severity == AuditSeverity::Error;
    by_check.bars.push_back({std::string(check.code) + " " + check.title, "", {error ? n : 0, error ? 0 : n}});
  }
  std::map<std::string, std::pair<ByteTotal, ByteTotal>> per_repo;
  for (const auto& f : r.findings) {
    auto& [errors, warnings] = per_repo[f.repository];
    (f.severity == AuditSeverity::Error ? errors : warnings)++;
  }
  Chart by_repo;
  by_repo.id = "chart-audit-repositories";
  by_repo.title = "Findings by repository";
  by_repo.series = series;
  by_repo.noun = "finding";
  std::vector<ChartBar> bars;
  bars.reserve(per_repo.size());
  for (const auto& [repo, n] : per_repo) bars.push_back({repo.empty() ? std::string("(registry)") : repo, "", {n.first, n.second}});
  set_repository_bars(by_repo, std::move(bars));
  if (!r.findings.empty())
    page += "<section id=\"charts\"><h2>Where the findings are</h2>\n" + horizontal_bar_chart(by_check) + horizontal_bar_chart(by_repo) + "</section>\n";
  nlohmann::json c_repo = nlohmann::json::array(), c_code = nlohmann::json::array(), c_severity = nlohmann::json::array(),
                 c_message = nlohmann::json::array(), c_fix = nlohmann::json::array(), c_source = nlohmann::json::array();
  for (const auto& f : r.findings) {
    c_repo.push_back(f.repository);
    c_code.push_back(f.code);
    c_severity.push_back(f.severity == AuditSeverity::Error ? 0 : 1);
    c_message.push_back(f.message);
    c_fix.push_back(f.fix);
    c_source.push_back(!f.source.empty() ? f.source : f.statement);
  }
  nlohmann::json severity = html_table_column("severity", "severity", "outcome");
  severity["values"] = nlohmann::json::array({"error", "warning"});
  const nlohmann::json table = {
      {"id", "finding-table"},
      {"noun", "findings"},
      {"filterColumn", "severity"},
      {"columns",
       {html_table_column("repository", "repository", "text"), html_table_column("code", "check", "text"), severity, html_table_column("message", "finding", "text"), html_table_column("fix", "fix", "text"),
        html_table_column("source", "asked by", "text")}},
      {"rows", {{"repository", c_repo}, {"code", c_code}, {"severity", c_severity}, {"message", c_message}, {"fix", c_fix}, {"source", c_source}}}};
  page += "<section id=\"findings\"><h2>Findings</h2>\n" + html_data_table("finding-table", "repository, check, finding, fix", "findings") +
          "</section>\n</main>\n";
  std::string error;
  if (!html_page_close(page, nlohmann::json{{"schema", "regpol.audit-html/v1"}, {"tables", nlohmann::json::array({table})}}.dump(), error))
    throw std::runtime_error(error);
  out << page;
}

}  // namespace

void write_audit_report(const AuditResult& result, AuditFormat format, const AuditReportContext& context, std::ostream& out) {
  switch (format) {
    case AuditFormat::Text: write_text(result, out); return;
    case AuditFormat::Json: write_json(result, context, out); return;
    case AuditFormat::Sarif: write_sarif(result, context, out); return;
    case AuditFormat::Html: write_html(result, context, out); return;
  }
}

}  // namespace regpol
