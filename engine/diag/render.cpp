#include "diag/render.h"

#include <map>
#include <nlohmann/json.hpp>

#include "diag/codes.h"

namespace regpol {

std::string location_string(const SourceMap& sources, Span span) {
  const SourceFile& f = sources.file(span.file);
  LineCol lc = f.line_col(span.begin);
  return f.name() + ":" + std::to_string(lc.line) + ":" + std::to_string(lc.column);
}

// Builds the caret line under `line` for the bytes [col_begin, col_end) of that line.
static std::string caret_line(std::string_view line, std::size_t begin_byte, std::size_t end_byte) {
  std::string out;
  for (std::size_t i = 0; i < begin_byte && i < line.size();) {
    auto c = static_cast<unsigned char>(line[i]);
    out += c == '\t' ? '\t' : ' ';
    i += utf8_sequence_length(c);
  }
  std::size_t width = 1;
  if (end_byte > begin_byte && begin_byte < line.size()) {
    std::size_t stop = std::min(end_byte, line.size());
    width = std::max<std::size_t>(1, count_code_points(line.substr(begin_byte, stop - begin_byte)));
  }
  out.append(width, '^');
  return out;
}

// A source line longer than this is shown as a window around the span, so that one
// diagnostic on a generated one-line policy does not print megabytes.
static constexpr std::size_t kMaxShownLine = 160;

struct ShownLine {
  std::string_view text;
  std::size_t begin = 0, end = 0;  // the span's bytes within `text`
  bool cut_before = false, cut_after = false;
};

static std::size_t to_char_start(std::string_view line, std::size_t i) {
  while (i > 0 && i < line.size() && (static_cast<unsigned char>(line[i]) & 0xC0) == 0x80) --i;
  return i;
}

static ShownLine clip_line(std::string_view line, std::size_t begin, std::size_t end) {
  if (line.size() <= kMaxShownLine) return {line, begin, end, false, false};
  std::size_t from = to_char_start(line, begin > kMaxShownLine / 3 ? begin - kMaxShownLine / 3 : 0);
  std::size_t to = to_char_start(line, std::min(line.size(), from + kMaxShownLine));
  ShownLine s{line.substr(from, to - from), begin - from, std::min(end, to) - from, from > 0, to < line.size()};
  if (s.end < s.begin) s.end = s.begin;
  return s;
}

static std::string sanitize(std::string_view line) {
  std::string out;
  for (char c : line) out += (c == '\0') ? ' ' : c;
  return out;
}

std::string render_human(const SourceMap& sources, const std::vector<Diagnostic>& diags,
                         const RenderOptions& options) {
  std::string out;
  const char* bold = options.color ? "\x1b[1m" : "";
  const char* reset = options.color ? "\x1b[0m" : "";
  for (const auto& d : diags) {
    const char* sev_color = !options.color ? "" : d.severity == Severity::Error ? "\x1b[1;31m" : "\x1b[1;33m";
    if (d.has_span && d.span.file < sources.size()) {
      out += std::string(bold) + location_string(sources, d.span) + reset + ": ";
    }
    out += std::string(sev_color) + severity_name(d.severity) + "[" + d.code + "]" + reset + ": " + d.message + "\n";
    if (d.has_span && d.span.file < sources.size()) {
      const SourceFile& f = sources.file(d.span.file);
      LineCol lc = f.line_col(d.span.begin);
      std::string_view line = f.line_text(lc.line);
      std::uint32_t line_start = static_cast<std::uint32_t>(line.data() - f.text().data());
      std::size_t begin = d.span.begin - line_start;
      std::size_t end = d.span.end > d.span.begin ? d.span.end - line_start : begin + 1;
      ShownLine shown = clip_line(line, begin, end);
      const char* lead = shown.cut_before ? "…" : "";
      out += std::string("  | ") + lead + sanitize(shown.text) + (shown.cut_after ? "…" : "") + "\n";
      out += std::string("  | ") + (shown.cut_before ? " " : "") + caret_line(shown.text, shown.begin, shown.end) + "\n";
    }
    for (const auto& l : d.labels) {
      if (l.span.file < sources.size()) out += "  = " + location_string(sources, l.span) + ": " + l.message + "\n";
    }
    for (const auto& n : d.notes) out += "  = note: " + n + "\n";
    if (!d.help.empty()) out += "  = help: " + d.help + "\n";
  }
  return out;
}

static nlohmann::json position_json(const SourceMap& sources, Span span) {
  const SourceFile& f = sources.file(span.file);
  LineCol b = f.line_col(span.begin);
  LineCol e = f.line_col(span.end);
  return {{"file", f.name()}, {"line", b.line}, {"column", b.column},
          {"endLine", e.line}, {"endColumn", e.column},
          {"offset", span.begin}, {"endOffset", span.end}};
}

std::string render_json(const SourceMap& sources, const std::vector<Diagnostic>& diags) {
  nlohmann::json arr = nlohmann::json::array();
  for (const auto& d : diags) {
    nlohmann::json j = {{"code", d.code}, {"severity", severity_name(d.severity)}, {"message", d.message}};
    if (const CodeInfo* info = find_code(d.code)) j["grade"] = grade_name(code_grade(*info));
    j["location"] = d.has_span && d.span.file < sources.size() ? position_json(sources, d.span) : nlohmann::json();
    if (!d.help.empty()) j["help"] = d.help;
    if (!d.notes.empty()) j["notes"] = d.notes;
    arr.push_back(std::move(j));
  }
  nlohmann::json doc = {{"schema", "regpol.diagnostics/v1"}, {"diagnostics", arr}};
  return doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string render_sarif(const SourceMap& sources, const std::vector<Diagnostic>& diags) {
  // Every rule's metadata, as code-scanning tools read it: the rule index of each result,
  // its name, descriptions, help, the page section, default level, and for security checks
  // `security-severity` (a CVSS-like score) with the `security` tag.
  nlohmann::json rules = nlohmann::json::array();
  std::map<std::string, std::size_t> rule_index;
  for (const auto& c : all_codes()) {
    const Grade g = code_grade(c);
    std::string full = c.description.empty() ? std::string(c.summary) + "." : std::string(c.description);
    nlohmann::json rule = {{"id", c.code},
                           {"name", code_name(c)},
                           {"shortDescription", {{"text", c.summary}}},
                           {"fullDescription", {{"text", full}}},
                           {"helpUri", "https://github.com/regpol/regpol/blob/main/" + code_docs_page(c.code)},
                           {"defaultConfiguration", {{"level", g == Grade::Error ? "error" : g == Grade::Suggestion ? "note" : "warning"},
                                                     {"enabled", !c.on_request}}}};
    if (!c.help.empty()) rule["help"] = {{"text", std::string(c.help)}};
    nlohmann::json props = {{"tags", nlohmann::json::array({g == Grade::Security ? "security" : grade_name(g)})}, {"grade", grade_name(g)}};
    if (!c.security_severity.empty()) props["security-severity"] = std::string(c.security_severity);
    rule["properties"] = props;
    rule_index[std::string(c.code)] = rules.size();
    rules.push_back(std::move(rule));
  }
  nlohmann::json results = nlohmann::json::array();
  for (const auto& d : diags) {
    nlohmann::json r = {{"ruleId", d.code},
                        {"ruleIndex", rule_index.count(d.code) ? rule_index[d.code] : 0},
                        {"level", d.severity == Severity::Error ? "error" : d.severity == Severity::Warning ? "warning" : "note"},
                        {"message", {{"text", d.message + (d.help.empty() ? "" : " (help: " + d.help + ")")}}}};
    if (d.has_span && d.span.file < sources.size()) {
      const SourceFile& f = sources.file(d.span.file);
      LineCol b = f.line_col(d.span.begin);
      LineCol e = f.line_col(d.span.end > d.span.begin ? d.span.end : d.span.begin);
      r["locations"] = nlohmann::json::array({{{"physicalLocation",
                                                {{"artifactLocation", {{"uri", f.name()}}},
                                                 {"region", {{"startLine", b.line}, {"startColumn", b.column},
                                                             {"endLine", e.line}, {"endColumn", e.column}}}}}}});
    }
    results.push_back(std::move(r));
  }
  nlohmann::json doc = {
      {"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
      {"version", "2.1.0"},
      {"runs", nlohmann::json::array({{{"tool", {{"driver", {{"name", "regpol"}, {"informationUri", "https://github.com/regpol/regpol"}, {"rules", rules}}}}},
                                       {"results", results}}})}};
  return doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace regpol
