#include "util/line_diff.h"

#include <algorithm>
#include <cstdint>
#include <vector>

namespace regpol {

namespace {

// The lines of `text`, each with its end of line ("" for a last line without one).
std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t nl = text.find('\n', start);
    std::size_t end = nl == std::string_view::npos ? text.size() : nl + 1;
    lines.push_back(text.substr(start, end - start));
    start = end;
  }
  return lines;
}

enum class Op : std::uint8_t { Same, Del, Add };
struct Edit {
  Op op;
  std::size_t a, b;  // line indices in old / new
};

// The edit script from `a` to `b`: common head and tail kept, the middle by LCS.
std::vector<Edit> edit_script(const std::vector<std::string_view>& a, const std::vector<std::string_view>& b, std::size_t max_cells) {
  std::size_t head = 0;
  while (head < a.size() && head < b.size() && a[head] == b[head]) ++head;
  std::size_t tail = 0;
  while (tail < a.size() - head && tail < b.size() - head && a[a.size() - 1 - tail] == b[b.size() - 1 - tail]) ++tail;
  const std::size_t n = a.size() - head - tail, m = b.size() - head - tail;
  std::vector<Edit> out;
  for (std::size_t i = 0; i < head; ++i) out.push_back({Op::Same, i, i});
  if ((n + 1) * (m + 1) <= max_cells) {
    // lcs[i][j]: the longest common subsequence of a[head+i..] and b[head+j..].
    std::vector<std::uint32_t> lcs((n + 1) * (m + 1), 0);
    auto at = [&](std::size_t i, std::size_t j) -> std::uint32_t& { return lcs[i * (m + 1) + j]; };
    for (std::size_t i = n; i-- > 0;)
      for (std::size_t j = m; j-- > 0;)
        at(i, j) = a[head + i] == b[head + j] ? at(i + 1, j + 1) + 1 : std::max(at(i + 1, j), at(i, j + 1));
    std::size_t i = 0, j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && a[head + i] == b[head + j]) {
        out.push_back({Op::Same, head + i++, head + j++});
      } else if (i < n && (j == m || at(i + 1, j) >= at(i, j + 1))) {
        out.push_back({Op::Del, head + i++, head + j});  // removals first, as diff -u writes them
      } else {
        out.push_back({Op::Add, head + i, head + j++});
      }
    }
  } else {
    for (std::size_t i = 0; i < n; ++i) out.push_back({Op::Del, head + i, head});
    for (std::size_t j = 0; j < m; ++j) out.push_back({Op::Add, head + n, head + j});
  }
  for (std::size_t k = 0; k < tail; ++k) out.push_back({Op::Same, head + n + k, head + m + k});
  return out;
}

void append_line(std::string& out, char mark, std::string_view line) {
  out += mark;
  out += line;
  if (line.empty() || line.back() != '\n') out += "\n\\ No newline at end of file\n";
}

}  // namespace

std::string unified_diff(std::string_view old_text, std::string_view new_text, const std::string& old_name, const std::string& new_name,
                         std::size_t max_cells) {
  if (old_text == new_text) return "";
  const auto a = split_lines(old_text), b = split_lines(new_text);
  const std::vector<Edit> edits = edit_script(a, b, max_cells);
  constexpr std::size_t kContext = 3;
  std::string out = "--- " + old_name + "\n+++ " + new_name + "\n";
  std::size_t k = 0;
  while (k < edits.size()) {
    // The next change, and its hunk: context before, changes joined while the unchanged run
    // between them is at most twice the context, context after.
    while (k < edits.size() && edits[k].op == Op::Same) ++k;
    if (k == edits.size()) break;
    const std::size_t begin = k >= kContext ? k - kContext : 0;
    std::size_t end = k;
    for (;;) {
      while (end < edits.size() && edits[end].op != Op::Same) ++end;
      std::size_t same = end;
      while (same < edits.size() && edits[same].op == Op::Same) ++same;
      if (same < edits.size() && same - end <= 2 * kContext) {
        end = same;
        continue;
      }
      end = std::min(edits.size(), end + kContext);
      break;
    }
    std::size_t old_count = 0, new_count = 0;
    for (std::size_t x = begin; x < end; ++x) {
      old_count += edits[x].op != Op::Add;
      new_count += edits[x].op != Op::Del;
    }
    // A range of no lines starts at the line before it (diff -u's convention).
    const std::size_t old_start = old_count ? edits[begin].a + 1 : edits[begin].a;
    const std::size_t new_start = new_count ? edits[begin].b + 1 : edits[begin].b;
    out += "@@ -" + std::to_string(old_start) + "," + std::to_string(old_count) + " +" + std::to_string(new_start) + "," +
           std::to_string(new_count) + " @@\n";
    for (std::size_t x = begin; x < end; ++x) {
      const Edit& e = edits[x];
      if (e.op == Op::Same) append_line(out, ' ', a[e.a]);
      else if (e.op == Op::Del) append_line(out, '-', a[e.a]);
      else append_line(out, '+', b[e.b]);
    }
    k = end;
  }
  return out;
}

}  // namespace regpol
