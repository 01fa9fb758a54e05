// `regpol check` below the command line (driver/check.h).
#include "driver/check.h"

#include <iostream>
#include <nlohmann/json.hpp>

#include "access/request_json.h"
#include "driver/authorize.h"
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

bool is_json_document(const std::string& path) { return path.size() > 5 && path.compare(path.size() - 5, 5, ".json") == 0; }

// The access statements a file grants on `repository`: an IAM document's, or the regpol
// policy's blocks that match the repository, in the order IAM would read them.
int load_access(const std::string& path, const CheckRequest& request, AccessPlan& out) {
  if (is_json_document(path)) return load_iam_policy_or_fail(path, out);
  SourceMap sources;
  CompiledPolicy compiled;
  if (int code = compile_policy_or_fail(path, sources, request.compile, kBadInput, "checked", compiled); code != kOk) return code;
  out = access_for(compiled.plan, request.repository);
  return kOk;
}

}  // namespace

int run_check(const CheckRequest& request) {
  AccessPlan plan, existing;
  if (int code = load_access(request.policy, request, plan); code != kOk) return code;
  if (request.existing) {
    if (int code = load_access(*request.existing, request, existing); code != kOk) return code;
  }
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
