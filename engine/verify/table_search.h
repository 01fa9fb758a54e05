#pragma once
// A search for a counterexample over truth tables, without the solver: each statement part
// (principal, action, tag, each condition) is decided once on every candidate of the field
// it reads, with the evaluator's own matching, and a depth-first search assigns one field
// at a time, dropping a branch as soon as the parts decided so far settle a policy's
// decision against the goal. It branches only on fields an undecided part still reads, so
// a policy of 50 statements is usually settled after the caller and the action; the
// searched space is the same as the solver's and enumeration's, and so is the answer.
// Past `node_limit` nodes it gives up (the caller starts the solver instead): starting Z3
// costs tens of milliseconds, which is most of a check's time when the search is small.
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "plan/access_plan.h"
#include "verify/request_space.h"

namespace regpol {

// What a counterexample is: the decision each policy must make, and what the property asks
// of the request itself.
struct ProofGoal {
  std::vector<int> want;  // per policy: +1 allowed, -1 not allowed, 0 either
  std::function<bool(const std::string&)> principal;  // when set: the caller must pass it
  std::function<bool(const std::string&)> action;     // when set: the action must pass it
  // When set: values of a key the request must not carry.
  std::function<bool(const std::string& key, const std::string& value)> excluded;
};

enum class TableSearchOutcome { Found, NoneExists, TooLarge, Unsupported };

struct TableSearchResult {
  TableSearchOutcome outcome = TableSearchOutcome::TooLarge;
  SpaceChoice found;     // Found: the counterexample's choices
  std::string why;       // Unsupported: what has no candidates
  std::size_t nodes = 0; // how many partial requests were looked at
};

TableSearchResult table_search(const RequestSpace& space, const std::vector<const AccessPlan*>& plans, const ProofGoal& goal,
                               std::size_t node_limit);

}  // namespace regpol
