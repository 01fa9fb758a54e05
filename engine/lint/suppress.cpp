#include "lint/suppress.h"

#include <algorithm>
#include <cctype>
#include <string>
#include <tuple>

#include "diag/codes.h"

namespace regpol {

namespace {

struct Suppression {
  FileId file = 0;
  std::uint32_t comment_line = 0, target_line = 0;
  std::uint32_t offset = 0, length = 0;
  std::vector<std::string> codes;
  std::vector<bool> used;
  bool has_reason = false;
};

bool is_blank_or_comment(const std::string& line) {
  auto i = line.find_first_not_of(" \t\r");
  return i == std::string::npos || line[i] == '#';
}

// `# regpol: allow CODE[, CODE…] [because REASON]` at `hash` in `line`; false when the
// comment is not a suppression.
bool parse_suppression(const std::string& line, std::size_t hash, Suppression& s) {
  std::size_t i = hash + 1;
  while (i < line.size() && line[i] == ' ') ++i;
  static const std::string kHead = "regpol: allow";
  if (line.compare(i, kHead.size(), kHead) != 0) return false;
  i += kHead.size();
  for (;;) {
    while (i < line.size() && (line[i] == ' ' || line[i] == ',')) ++i;
    if (i + 5 <= line.size() && (line[i] == 'W' || line[i] == 'E') &&
        std::all_of(line.begin() + static_cast<std::ptrdiff_t>(i) + 1, line.begin() + static_cast<std::ptrdiff_t>(i) + 5,
                    [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
      s.codes.push_back(line.substr(i, 5));
      i += 5;
      continue;
    }
    break;
  }
  if (line.compare(i, 7, "because") == 0) {
    std::string reason = line.substr(i + 7);
    s.has_reason = reason.find_first_not_of(" \t\r") != std::string::npos;
  }
  return !s.codes.empty();
}

}  // namespace

std::vector<Diagnostic> apply_suppressions(const SourceMap& sources, std::vector<Diagnostic> diagnostics) {
  std::vector<Suppression> all;
  for (FileId f = 0; f < sources.size(); ++f) {
    const std::string& text = sources.file(f).text();
    if (text.find("regpol: allow") == std::string::npos) continue;  // most files: nothing to scan
    std::vector<std::pair<std::uint32_t, std::string>> lines;  // offset, text
    for (std::size_t start = 0; start <= text.size();) {
      auto nl = text.find('\n', start);
      std::size_t end = nl == std::string::npos ? text.size() : nl;
      lines.emplace_back(static_cast<std::uint32_t>(start), text.substr(start, end - start));
      if (nl == std::string::npos) break;
      start = nl + 1;
    }
    for (std::size_t i = 0; i < lines.size(); ++i) {
      const std::string& line = lines[i].second;
      std::size_t hash = line.find('#');
      // A '#' inside a string is not a comment: count the quotes before it.
      while (hash != std::string::npos && std::count(line.begin(), line.begin() + static_cast<std::ptrdiff_t>(hash), '"') % 2 == 1)
        hash = line.find('#', hash + 1);
      if (hash == std::string::npos) continue;
      Suppression s;
      if (!parse_suppression(line, hash, s)) continue;
      s.file = f;
      s.comment_line = static_cast<std::uint32_t>(i + 1);
      s.offset = lines[i].first + static_cast<std::uint32_t>(hash);
      s.length = static_cast<std::uint32_t>(line.size() - hash);
      bool trailing = line.find_first_not_of(" \t") < hash;
      std::size_t target = i;
      if (!trailing) {
        for (target = i + 1; target < lines.size() && is_blank_or_comment(lines[target].second); ++target) {
        }
      }
      s.target_line = static_cast<std::uint32_t>(target + 1);
      s.used.assign(s.codes.size(), false);
      all.push_back(std::move(s));
    }
  }
  if (all.empty()) return diagnostics;
  std::vector<Diagnostic> kept;
  for (auto& d : diagnostics) {
    bool dropped = false;
    if (d.severity != Severity::Error && d.has_span && d.span.file < sources.size()) {
      std::uint32_t line = sources.file(d.span.file).line_col(d.span.begin).line;
      for (auto& s : all) {
        if (!s.has_reason || s.file != d.span.file || (line != s.target_line && line != s.comment_line)) continue;
        for (std::size_t k = 0; k < s.codes.size(); ++k) {
          if (s.codes[k] == d.code) s.used[k] = dropped = true;
        }
      }
    }
    if (!dropped) kept.push_back(std::move(d));
  }
  for (const auto& s : all) {
    Span span{s.file, s.offset, s.offset + s.length};
    Diagnostic d;
    d.severity = Severity::Warning;
    d.span = span;
    if (!s.has_reason) {
      d.code = "W2302";
      d.message = "this suppression gives no reason (`because …`), so it suppresses nothing";
      d.help = "add `because` and the reason";
      kept.push_back(d);
      continue;
    }
    for (std::size_t k = 0; k < s.codes.size(); ++k) {
      if (s.used[k]) continue;
      d.code = "W2301";
      d.message = "`" + s.codes[k] + "` is suppressed here, but no " + s.codes[k] + " finding is on line " + std::to_string(s.target_line);
      d.help = is_known_code(s.codes[k]) ? "remove the suppression" : "`" + s.codes[k] + "` is not a regpol code (docs/diagnostics.md)";
      kept.push_back(d);
    }
  }
  std::stable_sort(kept.begin(), kept.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return std::tie(a.span.file, a.span.begin) < std::tie(b.span.file, b.span.begin);
  });
  return kept;
}

}  // namespace regpol
