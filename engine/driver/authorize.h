#pragma once
// `regpol authorize` below the command line: a regpol policy or an IAM repository policy,
// and the requests to decide (one, a JSON Lines stream, or CloudTrail logs), decided in
// order as IAM and ECR's tag immutability would, with the denies tallied for `--summary`.
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "driver/compile.h"
#include "plan/access_plan.h"
#include "report/access_summary.h"
#include "util/time.h"

namespace regpol {

struct AuthorizeRequest {
  std::optional<std::string> policy;      // --policy FILE.regpol
  std::optional<std::string> iam_policy;  // --iam-policy POLICY.json (with repository)
  std::string repository;
  CompileOptions compile;
  std::vector<std::string> snapshots;     // the tag state to start from
  std::optional<std::string> request;     // --request FILE
  std::optional<std::string> requests;    // --requests LOG
  Micros now = 0;
};

// Reads an IAM repository-policy document into `plan`: kOk, or kBadInput with each problem
// said on stderr (PATH#POINTER: error[E0405]: …), as authorize and check report them.
int load_iam_policy_or_fail(const std::string& path, AccessPlan& plan);

// Calls `on_decision` with each decision's JSON line, in request order, and tallies the
// denies. An exit code: kOk, or kBadInput (said on stderr) for a malformed policy, snapshot
// or request; `on_decision` may have been called before a later request turned out bad.
int authorize_requests(const AuthorizeRequest& request, const std::function<void(const std::string& line)>& on_decision,
                       AccessSummary& summary);

}  // namespace regpol
