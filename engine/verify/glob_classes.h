#pragma once
// The strings a set of glob patterns cannot tell apart, as finitely many classes: two
// strings are in one class when every pattern matches both or neither. One witness string
// per class that some string reaches, found by walking the product of the patterns'
// automata (each pattern's set of positions after a prefix) breadth first, so a witness is
// a shortest string of its class. The prover (verify/request_space.h) picks a request
// value among the witnesses: over these patterns, that is as good as every string.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace regpol {

struct GlobPattern {
  std::string text;
  bool literal = false;  // `*` and `?` are ordinary characters (StringEquals constants)
  bool nocase = false;   // ASCII letters match in either case (StringEqualsIgnoreCase)
};

// `witnesses` gets one string per reachable class (the empty string's class first). False
// when the product grows past `max_states` states: the caller answers `unknown`. With
// `only` (not empty), witnesses are made of its characters alone, and a class is reached
// exactly when it holds such a string (an account id's digits, say).
bool glob_class_witnesses(const std::vector<GlobPattern>& patterns, std::size_t max_states, std::vector<std::string>& witnesses,
                          std::string_view only = {});

}  // namespace regpol
