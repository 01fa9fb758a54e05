#pragma once
// Access decisions as `regpol authorize` makes them, shared with `regpol diff --requests`:
// the policy's access statements (or an IAM document) for the request's repository, then
// tag immutability for a push of an existing tag (from the policy, else the snapshot),
// following the tags pushes move; and the request log readers (JSON Lines or CloudTrail).
#include <functional>
#include <map>
#include <string>

#include "access/evaluate.h"
#include "access/index.h"
#include "access/mutability.h"
#include "access/request.h"
#include "plan/policy_plan.h"
#include "snapshot/model.h"

namespace regpol {

struct Decided {
  AccessDecision decision = AccessDecision::Deny;
  AccessReason reason = AccessReason::ImplicitDeny;
  std::string statement;  // "" when none
};

// `{"decision": …, "reason": …, "statement": …}` and a newline.
std::string decision_line(const Decided& d);

class AccessDecider {
 public:
  // `policy`: a compiled regpol policy, or nullptr with `iam` (an IAM repository policy
  // document) for `iam_repository` alone.
  AccessDecider(const PolicyPlan* policy, const AccessIndex* iam, std::string iam_repository)
      : policy_(policy), iam_(iam), iam_repository_(std::move(iam_repository)) {}
  // Tags as the snapshot has them (for immutability), and each repository's mutability.
  void load_snapshot_state(const Registry& registry);
  // One request (its context already derived). A push that is allowed moves the tag.
  Decided decide(const AccessRequest& r);

 private:
  const PolicyPlan* policy_;
  const AccessIndex* iam_;
  std::string iam_repository_;
  std::map<std::string, AccessIndex> plan_cache_;  // per repository
  TagState state_;
  std::map<std::string, TagMutability> snapshot_mutability_;
};

// Calls `decide` on each request of a --requests file, in order: JSON Lines streamed a
// line at a time, or a CloudTrail log file read whole. False with `err` (file:line).
bool for_each_request(const std::string& path, const std::function<void(AccessRequest&)>& decide, std::string& err);

}  // namespace regpol
