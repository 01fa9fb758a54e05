#include "verify/glob_classes.h"

#include <deque>
#include <set>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

namespace regpol {

namespace {

bool is_wild(const GlobPattern& p, std::size_t i, char c) { return !p.literal && p.text[i] == c; }

// Positions reachable without consuming: a `*` may match nothing.
void close_stars(const GlobPattern& p, std::vector<char>& at) {
  for (std::size_t i = 0; i < p.text.size(); ++i) {
    if (at[i] && is_wild(p, i, '*')) at[i + 1] = 1;
  }
}

std::vector<char> step_on(const GlobPattern& p, const std::vector<char>& at, char c) {
  std::vector<char> next(p.text.size() + 1, 0);
  for (std::size_t i = 0; i < p.text.size(); ++i) {
    if (!at[i]) continue;
    if (is_wild(p, i, '*')) next[i] = 1;
    else if (is_wild(p, i, '?') || p.text[i] == c) next[i + 1] = 1;
  }
  close_stars(p, next);
  return next;
}

}  // namespace

bool glob_class_witnesses(const std::vector<GlobPattern>& patterns, std::size_t max_states, std::vector<std::string>& witnesses) {
  witnesses.clear();
  // Every character no pattern names behaves alike: one of them stands for all.
  std::set<char> alphabet;
  for (const auto& p : patterns) {
    for (std::size_t i = 0; i < p.text.size(); ++i) {
      if (!is_wild(p, i, '*') && !is_wild(p, i, '?')) alphabet.insert(p.text[i]);
    }
  }
  for (char c : std::string_view("x0qz-_.~!")) {
    if (!alphabet.count(c)) {
      alphabet.insert(c);
      break;
    }
  }
  using State = std::vector<std::vector<char>>;
  auto key_of = [](const State& s) {
    std::string k;
    for (const auto& v : s) {
      k.append(v.begin(), v.end());
      k += '|';
    }
    return k;
  };
  auto signature_of = [&](const State& s) {
    std::string sig(patterns.size(), '0');
    for (std::size_t i = 0; i < patterns.size(); ++i) sig[i] = s[i].back() ? '1' : '0';
    return sig;
  };
  State start;
  start.reserve(patterns.size());
  for (const auto& p : patterns) {
    std::vector<char> at(p.text.size() + 1, 0);
    at[0] = 1;
    close_stars(p, at);
    start.push_back(std::move(at));
  }
  std::unordered_set<std::string> seen{key_of(start)};
  std::unordered_set<std::string> signatures;
  std::deque<std::pair<State, std::string>> queue;
  queue.emplace_back(std::move(start), "");
  while (!queue.empty()) {
    auto [state, text] = std::move(queue.front());
    queue.pop_front();
    if (signatures.insert(signature_of(state)).second) witnesses.push_back(text);
    for (char c : alphabet) {
      State next;
      next.reserve(patterns.size());
      for (std::size_t i = 0; i < patterns.size(); ++i) next.push_back(step_on(patterns[i], state[i], c));
      if (!seen.insert(key_of(next)).second) continue;
      if (seen.size() > max_states) return false;
      queue.emplace_back(std::move(next), text + c);
    }
  }
  return true;
}

}  // namespace regpol
