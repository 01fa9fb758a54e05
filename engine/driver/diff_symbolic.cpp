// `regpol diff --symbolic` below the command line (driver/diff_symbolic.h).
#include "driver/diff_symbolic.h"

#include <iostream>
#include <nlohmann/json.hpp>

#include "access/request_json.h"
#include "driver/access_source.h"
#include "driver/exit_code.h"
#include "verify/properties.h"

namespace regpol {

namespace {

// The statement of the policy that allows a direction's request ("" for none):
// decided_by is [the policy that denies it, the one that allows it].
std::string allowing_statement(const ProofResult& r) { return r.decided_by.size() == 2 ? r.decided_by[1] : ""; }

// One direction's answer for a repository, as JSON.
nlohmann::json direction_json(const ProofResult& r) {
  nlohmann::json j = {{"result", r.outcome == ProofOutcome::Proved ? "none" : proof_outcome_name(r.outcome)}};
  if (r.outcome == ProofOutcome::Failed) {
    j["request"] = request_to_json(r.counterexample);
    const std::string by = allowing_statement(r);
    j["allowedBy"] = by.empty() ? nlohmann::json(nullptr) : nlohmann::json(by);
  }
  if (r.outcome == ProofOutcome::Unknown) j["why"] = r.why;
  return j;
}

}  // namespace

int diff_symbolic(const SymbolicDiffRequest& request, bool& changed, bool& unknown) {
  changed = unknown = false;
  LoadedAccess old_policy, new_policy;
  if (int code = load_access_source(request.old_path, request.compile, "compared", old_policy); code != kOk) return code;
  if (int code = load_access_source(request.new_path, request.compile, "compared", new_policy); code != kOk) return code;
  std::vector<std::string> repositories;
  if (!request.repository.empty()) {
    repositories.push_back(request.repository);
  } else {
    std::vector<const PolicyPlan*> policies;
    for (const auto* p : {old_policy.source.policy, new_policy.source.policy}) {
      if (p) policies.push_back(p);
    }
    if (!covered_repository_classes({"*"}, {}, policies, repositories)) return fail(kBadInput, "the policies' repository patterns have too many classes to compare");
  }
  ProofOptions options;
  options.timeout_ms = request.timeout_ms;
  nlohmann::json rows = nlohmann::json::array();
  bool internal = false;
  std::string text;
  for (const auto& repository : repositories) {
    const AccessPlan old_access = access_of(old_policy.source, repository), new_access = access_of(new_policy.source, repository);
    const ProofResult added = prove_no_new_access(old_access, new_access, repository, options);
    const ProofResult removed = prove_no_new_access(new_access, old_access, repository, options);
    internal = internal || added.internal_error || removed.internal_error;
    for (const ProofResult* r : {&added, &removed}) {
      changed = changed || r->outcome == ProofOutcome::Failed;
      unknown = unknown || r->outcome == ProofOutcome::Unknown;
    }
    if (request.json) {
      rows.push_back({{"repository", repository}, {"added", direction_json(added)}, {"removed", direction_json(removed)}});
      continue;
    }
    auto line = [&](const char* what, const ProofResult& r, const std::string& by_policy) {
      if (r.outcome == ProofOutcome::Proved) return;
      text += std::string("  ") + what + ": ";
      if (r.outcome == ProofOutcome::Unknown) {
        text += "unknown: " + r.why + "\n";
        return;
      }
      const std::string by = allowing_statement(r);
      text += request_to_json(r.counterexample).dump() + "\n    allowed by " + by_policy + (by.empty() ? "" : " (" + by + ")") + ", denied by the other\n";
    };
    if (added.outcome == ProofOutcome::Proved && removed.outcome == ProofOutcome::Proved) continue;
    text += "repository " + repository + (request.repository.empty() ? " (and every name like it)" : "") + ":\n";
    line("added", added, request.new_name);
    line("removed", removed, request.old_name);
  }
  const char* verdict = changed ? "different" : unknown ? "unknown" : "equivalent";
  if (request.json) {
    std::cout << nlohmann::json{{"old", request.old_name}, {"new", request.new_name}, {"result", verdict}, {"repositories", std::move(rows)}}.dump(2) << "\n";
  } else {
    std::cout << "access of " << request.new_name << " against " << request.old_name << ", for every request: " << verdict << " ("
              << repositories.size() << (repositories.size() == 1 ? " repository" : " classes of repository names") << ")\n"
              << text;
  }
  return internal ? kInternal : kOk;
}

}  // namespace regpol
