#pragma once
// Plans <-> AWS documents: ECR lifecycle policies, IAM repository policies, tag-mutability
// settings. Export reports, at the source location, everything the AWS document cannot
// express (a `where`, `by semver`, `protect`, `on tags`, a duration that is not whole days,
// more than five exclusion filters, ...); import writes regpol source.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "plan/policy_plan.h"

namespace regpol {

struct ExportProblem {
  std::string source;   // "policy.regpol:12:5"
  std::string message;
};

nlohmann::json lifecycle_to_ecr_json(const LifecyclePlan& plan, std::vector<ExportProblem>& problems);
nlohmann::json access_to_iam_json(const AccessPlan& plan, std::vector<ExportProblem>& problems);
// {"imageTagMutability": ..., "imageTagMutabilityExclusionFilters": [...]}
// The ECR imageTagMutability a `mutability` statement stands for: MUTABLE, IMMUTABLE, or
// the _WITH_EXCLUSION form when it has exceptions.
const char* ecr_mutability_setting(const MutabilityPlan& m);
nlohmann::json mutability_to_ecr_json(const MutabilityPlan& m, std::vector<ExportProblem>& problems);

// regpol source for the parts of a repository block (indented for a block body), so that
// `import ecr` can assemble a file.
std::string lifecycle_to_regpol(const LifecyclePlan& plan);
// False with `problems` for what regpol cannot say (Federated principals, Resource, ...).
bool access_to_regpol(const AccessPlan& plan, std::string& out, std::vector<ExportProblem>& problems);

}  // namespace regpol
