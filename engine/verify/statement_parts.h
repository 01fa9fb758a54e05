#pragma once
// A statement cut into the parts IAM compares with one request field each (principal,
// action, resource, tag, each condition), for the searches that decide each part on each
// candidate with the evaluator's own matching (verify/prover.cpp, verify/table_search.cpp).
#include "access/evaluate.h"
#include "access/request.h"
#include "plan/access_plan.h"
#include "verify/request_space.h"

namespace regpol {

// A request that differs only in the field a part asks about: the rest is neutral.
AccessRequest neutral_request(const RequestSpace& space);

// Makes `r` a request from `principal`, with the keys IAM derives from the caller
// (aws:PrincipalArn, aws:PrincipalAccount) worked out again: for the searches that reuse
// one request over thousands of callers.
void set_caller(AccessRequest& r, const std::string& principal);

// The statement with every part but the ones named made to match anything. The principal
// part leaves out `org` names: those read aws:PrincipalOrgID and are decided apart.
Statement statement_part(const Statement& s, bool principal, bool action, bool resource, bool tags);

// The condition's plain comparison of one value (no set qualifier, IfExists or `unless`):
// does the value match some policy value (for a negated operator: none)?
Condition positive_form(const Condition& c);

}  // namespace regpol
