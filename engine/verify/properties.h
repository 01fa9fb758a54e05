#pragma once
// The properties a policy file states (`prove "NAME" { … }`), each proved for every
// repository it covers: the repository names its globs reach are split into the classes
// the policy's block patterns cannot tell apart (verify/glob_classes.h), and the property
// is proved on one name of each class with the access statements access_for gives it.
#include <functional>
#include <string>
#include <vector>

#include "plan/policy_plan.h"
#include "verify/prover.h"

namespace regpol {

// Where a policy's access statements for a repository come from: a regpol policy's blocks,
// or one IAM repository-policy document (the same for every repository).
struct AccessSource {
  const PolicyPlan* policy = nullptr;  // null: `document`
  AccessPlan document;
};
AccessPlan access_of(const AccessSource& source, const std::string& repository);

struct PropertyResult {
  ProofResult proof;
  // The repository of the counterexample (failed), of the first unknown answer (unknown),
  // or "" (proved: every repository covered).
  std::string repository;
  std::size_t repositories_checked = 0;  // one name per class
};

// `than`: the source `no new access than` compares with (ignored for other kinds).
PropertyResult prove_property(const PolicyPlan& policy, const PropertyPlan& property, const AccessSource* than, const ProofOptions& options);

// One repository name per class of the names `globs` (less `excepts`) cover that the
// patterns of `policies`' blocks cannot tell apart; false when there are too many classes.
bool covered_repository_classes(const std::vector<std::string>& globs, const std::vector<std::string>& excepts,
                                const std::vector<const PolicyPlan*>& policies, std::vector<std::string>& out);

}  // namespace regpol
