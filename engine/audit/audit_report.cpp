#include "audit/audit_report.h"

#include <charconv>
#include <map>
#include <nlohmann/json.hpp>

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

}  // namespace

void write_audit_report(const AuditResult& result, AuditFormat format, const AuditReportContext& context, std::ostream& out) {
  switch (format) {
    case AuditFormat::Text: write_text(result, out); return;
    case AuditFormat::Json: write_json(result, context, out); return;
    case AuditFormat::Sarif: write_sarif(result, context, out); return;
  }
}

}  // namespace regpol
