#pragma once
// Do two repository policies decide alike? Both are evaluated by regpol's IAM evaluator on
// a corpus of requests built from what either policy names: every principal it names (and
// a role and an assumed-role session of each account it names, and a stranger's account),
// every ECR action, each tag pattern's example and an untagged request, and for each
// condition key the values the policies compare it with, a value they do not, and its
// absence. Two policies that differ only in statement order, Sid or layout agree on every
// such request; a request that is decided differently is the evidence of a difference.
#include <optional>
#include <string>
#include <vector>

#include "access/request.h"
#include "plan/access_plan.h"

namespace regpol {

struct DecisionDifference {
  AccessRequest request;
  bool first_allows = false;  // the first policy allows it (the second does not)
};

struct EquivalenceResult {
  std::size_t requests = 0;                         // requests compared
  std::optional<DecisionDifference> first_wider;    // a request only the first allows
  std::optional<DecisionDifference> second_wider;   // a request only the second allows
  bool equivalent() const { return !first_wider && !second_wider; }
};

// The corpus of requests on `repository` for comparing `a` and `b`.
std::vector<AccessRequest> comparison_requests(const AccessPlan& a, const AccessPlan& b, const std::string& repository,
                                               const std::vector<std::string>& ecr_actions, Micros now);

EquivalenceResult compare_access(const AccessPlan& a, const AccessPlan& b, const std::string& repository,
                                 const std::vector<std::string>& ecr_actions, Micros now);

// "arn:aws:iam::1:root ecr:PutImage on team/app:v1 (aws:SourceIp=10.0.0.1)"
std::string request_text(const AccessRequest& r);

}  // namespace regpol
