#pragma once
// `regpol check` below the command line: an access property proved for every request over
// a regpol policy's access rules for one repository, or an IAM repository policy (JSON),
// offline, with a counterexample request when it fails (engine/verify, docs/verify.md).
#include <optional>
#include <string>
#include <vector>

#include "driver/compile.h"

namespace regpol {

enum class CheckKind { AccessNotGranted, NoPublicAccess, NoNewAccess };

struct CheckRequest {
  CheckKind kind = CheckKind::AccessNotGranted;
  std::string policy;                    // FILE.regpol, or an IAM policy document (*.json)
  std::optional<std::string> existing;   // no-new-access: the policy it is compared with
  std::string repository;                // whose access rules (regpol); the ARN's name (JSON)
  std::vector<std::string> actions;      // access-not-granted
  std::vector<std::string> accounts;     // no-public-access: accounts that are not public
  CompileOptions compile;
  unsigned timeout_ms = 2000;
  bool json = false;
};

// Prints the result (text, or JSON with --format json) and returns the exit code: kOk when
// proved, kFindings when failed or unknown, kBadInput for a policy that does not load.
int run_check(const CheckRequest& request);

}  // namespace regpol
