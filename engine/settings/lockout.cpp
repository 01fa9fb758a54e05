#include "settings/lockout.h"

#include "access/evaluate.h"
#include "access/request.h"
#include "interop/iam_json.h"

namespace regpol {

const std::vector<std::string>& actions_regpol_needs() {
  static const std::vector<std::string> actions = {
      "ecr:DescribeRepositories", "ecr:DescribeImages", "ecr:ListImages", "ecr:BatchGetImage", "ecr:BatchDeleteImage",
      "ecr:GetRepositoryPolicy", "ecr:SetRepositoryPolicy", "ecr:DeleteRepositoryPolicy", "ecr:GetLifecyclePolicy",
      "ecr:DeleteLifecyclePolicy", "ecr:PutImageTagMutability", "ecr:PutImageScanningConfiguration", "ecr:ListTagsForResource"};
  return actions;
}

std::string lockout_reason(const std::string& policy_text, const std::string& principal, const std::string& registry_account,
                           const std::string& repository, Micros now) {
  AccessPlan plan;
  if (!policy_text.empty()) {
    std::vector<DocumentProblem> problems;
    if (!access_plan_from_iam_json(repository + " repository policy", policy_text, plan, problems))
      return "the new repository policy cannot be evaluated, so whether it locks regpol out cannot be told";
  }
  const bool same_account = arn_account(principal) == registry_account;
  for (const auto& action : actions_regpol_needs()) {
    AccessRequest q;
    q.principal = principal;
    q.action = action;
    q.repository = repository;
    derive_context(q, now);
    AccessResult r = evaluate_access(plan, q);
    if (r.decision == AccessDecision::Allow) continue;
    if (same_account && r.reason != AccessReason::ExplicitDeny) continue;  // its identity policy decides
    return principal + " would lose " + action + " on " + repository +
           (r.reason == AccessReason::ExplicitDeny ? " (denied by " + (r.statement ? r.statement->label() : std::string("a statement")) + ")"
                                                   : " (another account's principal needs an allow in the repository policy)");
  }
  return {};
}

}  // namespace regpol
