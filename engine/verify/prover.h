#pragma once
// Access properties proved for every request, not only the ones given (#26): each request
// field ranges over the candidates of verify/request_space.h, IAM's decision over them is
// encoded for Z3 (explicit deny over allow over the implicit deny, each statement's
// principal, action, resource, tag and condition parts, missing keys, set qualifiers), and
// the solver looks for a request that breaks the property. A request it finds is replayed
// through the concrete evaluator (access/evaluate.h) before it is reported; if the two
// disagree that is an internal error, never a verdict.
#include <cstddef>
#include <string>
#include <vector>

#include "access/evaluate.h"
#include "access/request.h"
#include "plan/access_plan.h"
#include "verify/request_space.h"

namespace regpol {

enum class ProofOutcome { Proved, Failed, Unknown };
const char* proof_outcome_name(ProofOutcome o);

struct ProofResult {
  ProofOutcome outcome = ProofOutcome::Unknown;
  std::string why;                // unknown: what stopped the proof (an unsupported construct, the timeout)
  bool internal_error = false;    // unknown because the solver's request did not replay: a bug, not an answer
  AccessRequest counterexample;   // failed: a request that breaks the property
  // failed: the statement that decided the counterexample in each policy (empty: none,
  // the implicit deny), as the evaluator reports it.
  std::vector<std::string> decided_by;
  std::vector<std::string> decided_at;  // the same statements' sources ("file:line:col", "doc.json#/Statement/2"); "" for none
};

// How the candidate space is searched. All are exact over the same candidates: enumeration
// (every combination through the evaluator) for small spaces; the table search
// (verify/table_search.h), which settles most policies after the caller and the action
// without starting the solver; the solver (Z3) for what the table search's budget does not
// reach. Auto tries them in that order. The tests run each and compare them.
enum class ProofEngine { Auto, Solver, Enumeration, Tables };

struct ProofOptions {
  unsigned timeout_ms = 2000;  // the solver's; past it the answer is `unknown`
  ProofEngine engine = ProofEngine::Auto;
  std::size_t enumeration_limit = 4096;  // Auto enumerates spaces of at most this many requests
  std::size_t table_nodes = 200000;      // Auto's table search looks at most at this many partial requests
  // Auto past the table search's budget: false answers `unknown` instead of starting the solver (lint's
  // cheap checks, which must stay fast enough for a pre-commit hook).
  bool solver = true;
};

// The three checks Access Analyzer offers, offline, with a counterexample:
// - access_not_granted: no request whose action is one of `actions` is allowed;
// - no_public_access: no caller from outside is allowed anything, where outside means an
//   account none of `plan`'s principals, its aws:PrincipalArn / aws:PrincipalAccount
//   conditions or `own_accounts` names, showing no fixed value the policy names of
//   aws:PrincipalOrgID (or an `org` principal), aws:SourceVpc, aws:SourceVpce or
//   aws:SourceAccount;
// - no_new_access: `candidate` allows nothing `existing` does not.
ProofResult prove_access_not_granted(const AccessPlan& plan, const std::string& repository, const std::vector<std::string>& actions,
                                     const ProofOptions& options);
ProofResult prove_no_public_access(const AccessPlan& plan, const std::string& repository, const std::vector<std::string>& own_accounts,
                                   const ProofOptions& options);
ProofResult prove_no_new_access(const AccessPlan& existing, const AccessPlan& candidate, const std::string& repository, const ProofOptions& options);

// The properties of the language (`prove "…" { never allow S }`, `{ always allow S }`):
// no request `about` matches (as an allow statement would) is allowed by `plan`, or every
// such request is. `decided_by` of a failure holds the policy's deciding statement.
ProofResult prove_never_allowed(const AccessPlan& plan, const Statement& about, const std::string& repository, const ProofOptions& options);
ProofResult prove_always_allowed(const AccessPlan& plan, const Statement& about, const std::string& repository, const ProofOptions& options);

}  // namespace regpol
