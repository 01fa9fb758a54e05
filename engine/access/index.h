#pragma once
// An access plan indexed so that a decision touches only the statements that can match its
// action and principal: statements are bucketed by exact (lower-cased) action, and within a
// bucket by the principal they name; wildcard actions, NotAction, NotPrincipal and
// condition-only principals stay in small "always check" lists. Decisions are identical to
// evaluate_access() on the plan (tests/unit/access_index_test.cpp checks it on random plans).
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "access/evaluate.h"

namespace regpol {

class AccessIndex {
 public:
  explicit AccessIndex(const AccessPlan& plan);
  // `request` must carry the derived context (derive_context).
  AccessResult evaluate(const AccessRequest& request) const;
  std::size_t statement_count() const { return plan_.statements.size(); }

 private:
  struct Bucket {
    std::unordered_map<std::string, std::vector<std::uint32_t>> by_principal;  // exact ARN, account id
    std::vector<std::uint32_t> any_principal;
  };

  AccessPlan plan_;
  std::unordered_map<std::string, Bucket> by_action_;
  Bucket generic_;  // statements whose actions are not all exact names
};

}  // namespace regpol
