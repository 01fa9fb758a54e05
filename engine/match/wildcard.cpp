#include "match/wildcard.h"

#include "util/text.h"

namespace regpol {

namespace {

// Greedy matching with a single backtrack point: O(|pattern| * |text|) in the worst case,
// never exponential, since only the most recent `*` needs to be revisited. `same` compares
// a pattern character with a text character.
template <typename Same>
bool glob_match(std::string_view p, std::string_view t, bool question_mark, Same same) {
  std::size_t pi = 0, ti = 0, star = std::string_view::npos, mark = 0;
  while (ti < t.size()) {
    if (pi < p.size() && p[pi] == '*') {
      star = pi++;
      mark = ti;
    } else if (pi < p.size() && (same(p[pi], t[ti]) || (question_mark && p[pi] == '?'))) {
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

}  // namespace

bool wildcard_match(std::string_view p, std::string_view t, bool question_mark) {
  return glob_match(p, t, question_mark, [](char a, char b) { return a == b; });
}

bool wildcard_match_nocase(std::string_view p, std::string_view t) {
  return glob_match(p, t, true, [](char a, char b) { return ascii_fold(a) == ascii_fold(b); });
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
