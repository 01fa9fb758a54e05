#pragma once
// The lockout rail: would a repository policy take from the principal that applies it the
// actions regpol needs on that repository afterwards (reading, deleting, archiving, writing
// settings)? Within the registry's own account an identity policy grants them, so only an
// explicit deny locks that principal out; from another account the repository policy must
// allow each one.
#include <string>
#include <vector>

#include "util/time.h"

namespace regpol {

// The ECR actions regpol's own commands call on a repository.
const std::vector<std::string>& actions_regpol_needs();

// "" when `principal` keeps every needed action on `repository` under the repository policy
// `policy_text` ("" for none); otherwise which action it loses and why.
std::string lockout_reason(const std::string& policy_text, const std::string& principal, const std::string& registry_account,
                           const std::string& repository, Micros now);

}  // namespace regpol
