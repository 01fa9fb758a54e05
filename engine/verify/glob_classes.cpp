#include "verify/glob_classes.h"

#include <algorithm>
#include <array>
#include <set>
#include <string_view>
#include <tuple>
#include <unordered_set>

#include "util/text.h"

namespace regpol {

namespace {

bool is_wild(const GlobPattern& p, std::size_t i, char c) { return !p.literal && p.text[i] == c; }

char unfold(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; }

// Does the pattern's literal character at `i` take `c`?
bool takes(const GlobPattern& p, std::size_t i, char c) { return p.nocase ? ascii_fold(p.text[i]) == ascii_fold(c) : p.text[i] == c; }

// The product automaton's state is every pattern's set of positions, laid out one after
// the other in one flat string of 0/1 bytes (pattern k's positions start at offset[k]).
// One flat string per state, rather than a vector per pattern, is what keeps the walk cheap:
// the walk visits thousands of states for a 50-statement policy, and this is most of
// `regpol check`'s time.
struct Product {
  std::vector<const GlobPattern*> patterns;  // distinct patterns only: a repeat tells nothing apart
  std::vector<std::size_t> offset;           // where each pattern's positions start; back() is the size

  // Positions reachable without consuming: a `*` may match nothing.
  void close_stars(std::string& state) const {
    for (std::size_t k = 0; k < patterns.size(); ++k) {
      const GlobPattern& p = *patterns[k];
      char* at = state.data() + offset[k];
      for (std::size_t i = 0; i < p.text.size(); ++i) {
        if (at[i] && is_wild(p, i, '*')) at[i + 1] = 1;
      }
    }
  }

  void step(const std::string& from, char c, std::string& to) const {
    to.assign(from.size(), 0);
    for (std::size_t k = 0; k < patterns.size(); ++k) {
      const GlobPattern& p = *patterns[k];
      const char* at = from.data() + offset[k];
      char* next = to.data() + offset[k];
      for (std::size_t i = 0; i < p.text.size(); ++i) {
        if (!at[i]) continue;
        if (is_wild(p, i, '*')) next[i] = 1;
        else if (is_wild(p, i, '?') || takes(p, i, c)) next[i + 1] = 1;
      }
    }
    close_stars(to);
  }

  // The characters a literal position reached in `state` names: every other character
  // leads to one and the same next state.
  void named_here(const std::string& state, std::array<bool, 256>& named) const {
    named.fill(false);
    for (std::size_t k = 0; k < patterns.size(); ++k) {
      const GlobPattern& p = *patterns[k];
      const char* at = state.data() + offset[k];
      for (std::size_t i = 0; i < p.text.size(); ++i) {
        if (at[i] && !is_wild(p, i, '*') && !is_wild(p, i, '?')) {
          named[static_cast<unsigned char>(p.text[i])] = true;
          if (p.nocase) {
            named[static_cast<unsigned char>(ascii_fold(p.text[i]))] = true;
            named[static_cast<unsigned char>(unfold(p.text[i]))] = true;
          }
        }
      }
    }
  }

  // Which patterns match the text that led here: the class the state's strings are in.
  std::string signature(const std::string& state) const {
    std::string sig(patterns.size(), '0');
    for (std::size_t k = 0; k < patterns.size(); ++k) sig[k] = state[offset[k + 1] - 1] ? '1' : '0';
    return sig;
  }
};

}  // namespace

bool glob_class_witnesses(const std::vector<GlobPattern>& patterns, std::size_t max_states, std::vector<std::string>& witnesses,
                          std::string_view only) {
  witnesses.clear();
  Product product;
  std::set<std::tuple<std::string_view, bool, bool>> distinct;
  for (const auto& p : patterns) {
    if (distinct.emplace(p.text, p.literal, p.nocase).second) product.patterns.push_back(&p);
  }
  product.offset.push_back(0);
  for (const auto* p : product.patterns) product.offset.push_back(product.offset.back() + p->text.size() + 1);
  // Every character no pattern names behaves alike: one of them stands for all.
  std::set<char> alphabet;
  for (const auto* p : product.patterns) {
    for (std::size_t i = 0; i < p->text.size(); ++i) {
      if (is_wild(*p, i, '*') || is_wild(*p, i, '?')) continue;
      alphabet.insert(p->text[i]);
      if (p->nocase) {  // both cases: a case-sensitive pattern may tell them apart
        alphabet.insert(ascii_fold(p->text[i]));
        alphabet.insert(unfold(p->text[i]));
      }
    }
  }
  if (!only.empty()) {  // the named characters allowed, and one allowed character no pattern names
    std::set<char> allowed;
    for (char c : alphabet) {
      if (only.find(c) != std::string_view::npos) allowed.insert(c);
    }
    alphabet = std::move(allowed);
  }
  for (char c : only.empty() ? std::string_view("x0qz-_.~!") : only) {
    if (!alphabet.count(c)) {
      alphabet.insert(c);
      break;
    }
  }
  std::string start(product.offset.back(), 0);
  for (std::size_t k = 0; k < product.patterns.size(); ++k) start[product.offset[k]] = 1;
  product.close_stars(start);
  // Breadth first, so each class's first witness is a shortest string of it. The queue
  // holds indices into `states`/`texts`, which only grow.
  std::vector<std::string> states{start};
  std::vector<std::string> texts{""};
  std::unordered_set<std::string> seen{start};
  std::unordered_set<std::string> signatures;
  std::string next;
  std::array<bool, 256> named{};
  for (std::size_t head = 0; head < states.size(); ++head) {
    if (signatures.insert(product.signature(states[head])).second) witnesses.push_back(texts[head]);
    // Of the characters no position here names, only the first (in the alphabet's order)
    // is tried: the others reach the state it reaches, which would be seen already.
    product.named_here(states[head], named);
    bool other_tried = false;
    for (char c : alphabet) {
      if (!named[static_cast<unsigned char>(c)]) {
        if (other_tried) continue;
        other_tried = true;
      }
      product.step(states[head], c, next);
      if (!seen.insert(next).second) continue;
      if (seen.size() > max_states) return false;
      states.push_back(next);
      texts.push_back(texts[head] + c);
    }
  }
  return true;
}

}  // namespace regpol
