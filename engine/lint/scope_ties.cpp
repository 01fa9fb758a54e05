#include "lint/scope_ties.h"

#include "snapshot/validate.h"

#include <deque>
#include <functional>
#include <optional>
#include <set>

namespace regpol {

std::optional<std::string> glob_intersection_example(std::string_view a, std::string_view b, char fill) {
  // Breadth-first search over pairs of positions in the two patterns; each step consumes
  // nothing (a `*` matching the empty run) or one character both patterns accept here.
  const std::size_t na = a.size(), nb = b.size();
  struct From {
    std::size_t prev = SIZE_MAX;
    char emitted = 0;  // 0: nothing
  };
  std::vector<From> from((na + 1) * (nb + 1));
  std::vector<bool> seen((na + 1) * (nb + 1), false);
  auto id = [&](std::size_t i, std::size_t j) { return i * (nb + 1) + j; };
  std::deque<std::pair<std::size_t, std::size_t>> queue{{0, 0}};
  seen[0] = true;
  auto visit = [&](std::size_t i, std::size_t j, std::size_t pi, std::size_t pj, char c) {
    if (seen[id(i, j)]) return;
    seen[id(i, j)] = true;
    from[id(i, j)] = {id(pi, pj), c};
    queue.emplace_back(i, j);
  };
  while (!queue.empty()) {
    auto [i, j] = queue.front();
    queue.pop_front();
    if (i == na && j == nb) {
      std::string word;
      for (std::size_t s = id(i, j); s != 0; s = from[s].prev) {  // state 0 is the start
        if (from[s].emitted) word.insert(word.begin(), from[s].emitted);
      }
      return word;
    }
    if (i < na && a[i] == '*') visit(i + 1, j, i, j, 0);
    if (j < nb && b[j] == '*') visit(i, j + 1, i, j, 0);
    if (i == na || j == nb) continue;  // one side is done: only the other's `*` skips remain
    const char ca = a[i], cb = b[j];
    const bool wa = ca == '*' || ca == '?', wb = cb == '*' || cb == '?';
    char c;
    if (!wa && !wb) {
      if (ca != cb) continue;
      c = ca;
    } else {
      c = !wa ? ca : !wb ? cb : fill;
    }
    visit(ca == '*' ? i : i + 1, cb == '*' ? j : j + 1, i, j, c);
  }
  return std::nullopt;
}

namespace {

// Every word of at most `max_len` characters both globs match, with free characters drawn
// from {'a', '/'} (enough to step around `except` patterns, which name particular
// repositories), until `visit` returns true or `budget` words were produced.
bool enumerate_common_words(std::string_view a, std::string_view b, std::size_t max_len, int& budget,
                            const std::function<bool(const std::string&)>& visit) {
  std::string word;
  std::set<std::string> done;
  std::function<bool(std::size_t, std::size_t)> go = [&](std::size_t i, std::size_t j) -> bool {
    if (budget <= 0) return false;
    if (i == a.size() && j == b.size() && done.insert(word).second) {
      --budget;
      if (visit(word)) return true;
    }
    if (i < a.size() && a[i] == '*' && go(i + 1, j)) return true;
    if (j < b.size() && b[j] == '*' && go(i, j + 1)) return true;
    if (i == a.size() || j == b.size() || word.size() >= max_len) return false;
    const char ca = a[i], cb = b[j];
    const bool wa = ca == '*' || ca == '?', wb = cb == '*' || cb == '?';
    std::string choices = !wa && !wb ? (ca == cb ? std::string(1, ca) : std::string()) : !wa ? std::string(1, ca) : !wb ? std::string(1, cb) : "a/";
    for (char c : choices) {
      word.push_back(c);
      bool found = go(ca == '*' ? i : i + 1, cb == '*' ? j : j + 1);
      word.pop_back();
      if (found) return true;
    }
    return false;
  };
  return go(0, 0);
}

}  // namespace

std::vector<ScopeTie> find_scope_ties(const PolicyPlan& plan) {
  std::vector<ScopeTie> out;
  for (std::size_t x = 0; x < plan.scopes.size(); ++x) {
    for (std::size_t y = x + 1; y < plan.scopes.size(); ++y) {
      const ScopePlan& a = plan.scopes[x];
      const ScopePlan& b = plan.scopes[y];
      if (a.is_defaults || b.is_defaults) continue;
      for (Concern concern : kAllConcerns) {
        if (!scope_has(a, concern) || !scope_has(b, concern)) continue;
        std::optional<std::string> example;
        auto ties = [&](const std::string& w) {
          if (!check_repository_name(w).empty()) return false;  // only names a registry can hold
          ScopeChoice c = choose_scope(plan, w, concern);
          bool pair = (c.scope == static_cast<int>(x) && c.tied_with == static_cast<int>(y)) ||
                      (c.scope == static_cast<int>(y) && c.tied_with == static_cast<int>(x));
          if (pair) example = w;
          return pair;
        };
        for (const auto& pa : a.patterns) {
          for (const auto& pb : b.patterns) {
            auto shortest = glob_intersection_example(pa, pb, 'a');
            if (!shortest) continue;  // the two patterns share no name at all
            if (ties(*shortest)) break;
            // The shortest common name may be excepted or claimed by a third block: look a
            // little further, a bounded number of names.
            int budget = 400;
            if (enumerate_common_words(pa, pb, shortest->size() + 4, budget, ties)) break;
          }
          if (example) break;
        }
        if (example) out.push_back({x, y, concern, *example});
      }
    }
  }
  return out;
}

}  // namespace regpol
