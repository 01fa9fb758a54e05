// `regpol check` below the command line (driver/check.h).
#include "driver/check.h"

#include <iostream>
#include <nlohmann/json.hpp>

#include "access/request_json.h"
#include "driver/access_source.h"
#include "driver/exit_code.h"
#include "plan/policy_plan.h"
#include "verify/prover.h"

namespace regpol {

namespace {

const char* check_name(CheckKind k) {
  switch (k) {
    case CheckKind::AccessNotGranted: return "access-not-granted";
    case CheckKind::NoPublicAccess: return "no-public-access";
    case CheckKind::NoNewAccess: return "no-new-access";
  }
  return "";
}

}  // namespace

int run_check(const CheckRequest& request) {
  // The access statements each file grants on the repository: an IAM document's, or the
  // regpol policy's blocks that match it, in the order IAM would read them.
  LoadedAccess checked, compared;
  if (int code = load_access_source(request.policy, request.compile, "checked", checked); code != kOk) return code;
  if (request.existing) {
    if (int code = load_access_source(*request.existing, request.compile, "checked", compared); code != kOk) return code;
  }
  const AccessPlan plan = access_of(checked.source, request.repository);
  const AccessPlan existing = request.existing ? access_of(compared.source, request.repository) : AccessPlan{};
  ProofOptions options;
  options.timeout_ms = request.timeout_ms;
  ProofResult result;
  switch (request.kind) {
    case CheckKind::AccessNotGranted: result = prove_access_not_granted(plan, request.repository, request.actions, options); break;
    case CheckKind::NoPublicAccess: result = prove_no_public_access(plan, request.repository, request.accounts, options); break;
    case CheckKind::NoNewAccess: result = prove_no_new_access(existing, plan, request.repository, options); break;
  }
  // The statement that allowed the counterexample: the checked policy's (the new one, for
  // no-new-access); the old policy's decision is said beside it.
  const std::string allowed_by = result.decided_by.empty() ? "" : result.decided_by.back();
  if (request.json) {
    nlohmann::json j = {{"check", check_name(request.kind)},
                        {"policy", request.policy},
                        {"repository", request.repository},
                        {"result", proof_outcome_name(result.outcome)}};
    if (request.existing) j["existing"] = *request.existing;
    j["counterexample"] = result.outcome == ProofOutcome::Failed ? request_to_json(result.counterexample) : nlohmann::json(nullptr);
    j["decidedBy"] = result.outcome == ProofOutcome::Failed ? nlohmann::json(allowed_by) : nlohmann::json(nullptr);
    if (result.outcome == ProofOutcome::Unknown) j["why"] = result.why;
    std::cout << j.dump(2) << "\n";
  } else {
    std::cout << check_name(request.kind) << " on " << request.policy << (request.repository.empty() ? "" : " (repository " + request.repository + ")")
              << ": " << proof_outcome_name(result.outcome);
    if (result.outcome == ProofOutcome::Proved) std::cout << " for every request\n";
    else if (result.outcome == ProofOutcome::Unknown) std::cout << ": " << result.why << "\n";
    else {
      std::cout << "\n  counterexample (replays through `regpol authorize --request`):\n    " << request_to_json(result.counterexample).dump() << "\n"
                << "  allowed by " << allowed_by;
      if (request.kind == CheckKind::NoNewAccess) std::cout << "; " << *request.existing << " denies it";
      std::cout << "\n";
    }
  }
  if (result.internal_error) return kInternal;
  return result.outcome == ProofOutcome::Proved ? kOk : kFindings;
}

}  // namespace regpol
