#pragma once
// ECR lifecycle policy documents <-> lifecycle plans. Reading validates as ECR does and
// rejects what ECR rejects, each problem with a JSON pointer and ECR's reason.
#include <string>
#include <vector>

#include "interop/document.h"
#include "plan/lifecycle_plan.h"

namespace regpol {

// Parses and validates `text` (an ECR lifecycle policy JSON document named `name`).
// On any problem returns false; `problems` lists every one found.
bool lifecycle_plan_from_ecr_json(const std::string& name, const std::string& text, LifecyclePlan& plan,
                                  std::vector<DocumentProblem>& problems);

// The ECR validation rules that apply to a plan as a whole (shared with `lint` of regpol
// policies): unique priorities, `any` last per storage class, one untagged rule per
// storage class, at most 50 rules, at most four `*` per pattern, count/action pairs.
struct PlanRuleProblem {
  std::size_t rule;  // index into plan.rules
  std::string code;  // W1xxx / E0402
  std::string message;         // in ECR's terms (`sinceImagePulled`), for ECR documents
  std::string regpol_message;  // in regpol's terms where they differ (`unpulled for`), else ""
  bool about_action = false;   // located at the rule's action rather than the whole rule
};
std::vector<PlanRuleProblem> ecr_rule_problems(const LifecyclePlan& plan);

}  // namespace regpol
