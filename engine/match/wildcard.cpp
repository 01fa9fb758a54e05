#include "match/wildcard.h"

namespace regpol {

// Greedy matching with a single backtrack point: O(|pattern| * |text|) in the worst case,
// never exponential, since only the most recent `*` needs to be revisited.
bool wildcard_match(std::string_view p, std::string_view t, bool question_mark) {
  std::size_t pi = 0, ti = 0, star = std::string_view::npos, mark = 0;
  while (ti < t.size()) {
    if (pi < p.size() && p[pi] == '*') {
      star = pi++;
      mark = ti;
    } else if (pi < p.size() && (p[pi] == t[ti] || (question_mark && p[pi] == '?'))) {
      ++pi;
      ++ti;
    } else if (star != std::string_view::npos) {
      pi = star + 1;
      ti = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size();
}

bool has_prefix(std::string_view text, std::string_view prefix) {
  // Tag prefixes are a few bytes: a plain loop beats a call to memcmp.
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (text[i] != prefix[i]) return false;
  }
  return true;
}

}  // namespace regpol
