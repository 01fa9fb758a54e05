#pragma once
// `regpol test`: the `test` blocks of a policy file, each run on its snapshot at its instant,
// its expectations (lifecycle outcomes and access decisions) checked; then its `prove`
// blocks, each proved as `regpol prove` does.
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "driver/compile.h"

namespace regpol {

struct PolicyTestOutcome {
  std::string name;                   // "FILE:LINE:COL test \"NAME\""
  std::vector<std::string> problems;  // empty: passed
};

// Runs every test block and property of `path`, calling `on_test` after each; `expectations`
// counts the expectations and properties checked. kOk, or kBadInput (said on stderr) when the policy has errors.
int run_policy_tests(const std::string& path, const CompileOptions& compile, const std::function<void(const PolicyTestOutcome&)>& on_test,
                     std::size_t& expectations);

}  // namespace regpol
