#pragma once
// IAM's decision logic for one request against an access plan: an explicit deny that
// matches wins, else an allow that matches, else the implicit deny. The decision names the
// deciding statement.
#include <string>

#include "access/request.h"
#include "plan/access_plan.h"

namespace regpol {

enum class AccessDecision { Allow, Deny };
enum class AccessReason { ExplicitDeny, Allowed, ImplicitDeny, TagImmutable };

struct AccessResult {
  AccessDecision decision = AccessDecision::Deny;
  AccessReason reason = AccessReason::ImplicitDeny;
  const Statement* statement = nullptr;
};

const char* access_reason_name(AccessReason r);

// `request` must already carry the derived context (derive_context).
AccessResult evaluate_access(const AccessPlan& plan, const AccessRequest& request);

// IAM's decision over statements given in plan order by `next()` (nullptr at the end):
// the first matching deny decides; else the first matching allow; else the implicit deny.
template <typename Next>
AccessResult decide_in_order(Next next, const AccessRequest& request);

// Exposed for tests: does one statement's part match?
bool statement_matches(const Statement& s, const AccessRequest& request);
// The parts statement_matches is made of, for the prover (engine/verify), which decides
// each part on each candidate of the one field it reads.
bool principal_matches(const Statement& s, const AccessRequest& request);
bool action_matches(const Statement& s, const AccessRequest& request);
bool tags_match(const Statement& s, const AccessRequest& request);
bool condition_matches(const Condition& c, const AccessRequest& request);

// IAM ArnLike/ArnEquals: each of the six colon-separated parts matched separately with `*`/`?`.
bool arn_like(std::string_view pattern, std::string_view arn);

template <typename Next>
AccessResult decide_in_order(Next next, const AccessRequest& request) {
  AccessResult out;
  const Statement* allow = nullptr;
  while (const Statement* s = next()) {
    if (s->allow && allow) continue;  // an allow is already found; only a deny can change it
    if (!statement_matches(*s, request)) continue;
    if (!s->allow) {
      out.decision = AccessDecision::Deny;
      out.reason = AccessReason::ExplicitDeny;
      out.statement = s;
      return out;
    }
    allow = s;
  }
  if (allow) {
    out.decision = AccessDecision::Allow;
    out.reason = AccessReason::Allowed;
    out.statement = allow;
  }
  return out;
}

}  // namespace regpol
