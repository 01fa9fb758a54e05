#pragma once
// Static detection of scope ties: two `repository` blocks that would match some repository
// name equally well (`"team-a/*"` and `"*/webapp"` both match `team-a/webapp`), found by lint
// before the first night such a repository appears, instead of by `plan` (E0401) then.
#include <string>
#include <vector>

#include "plan/policy_plan.h"

namespace regpol {

struct ScopeTie {
  std::size_t first = 0, second = 0;  // indices into PolicyPlan::scopes
  Concern concern = Concern::Lifecycle;
  std::string example;                // a repository name both blocks match equally well
};

// Every pair of blocks that ties for the lifecycle or the mutability of some name. For each
// pair of patterns of equal specificity, a common word is built from the two glob automata
// (a shortest one, and one with each `*` filled) and confirmed with choose_scope, so a
// reported tie is real (the example proves it).
std::vector<ScopeTie> find_scope_ties(const PolicyPlan& plan);

// A word both globs match (`*` any run, `?` one character), if there is one.
std::optional<std::string> glob_intersection_example(std::string_view a, std::string_view b, char fill);

}  // namespace regpol
