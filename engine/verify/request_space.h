#pragma once
// Every request an access plan can tell apart, as finitely many candidate values per
// request field: the prover (verify/prover.h) chooses among them instead of among all
// strings. A field's candidates are one value of each class of values that no statement of
// the plans can tell apart (glob patterns' classes, interval and CIDR boundaries, the
// accounts and roles the policy names and one it does not), so a property that holds for
// every combination of candidates holds for every request. What the construction cannot
// cover exactly is reported (`unsupported`), and the prover answers `unknown` for it.
#include <cstddef>
#include <string>
#include <vector>

#include "access/request.h"
#include "plan/access_plan.h"

namespace regpol {

struct RequestSpace {
  std::string repository;               // fixed: the repository the policies are attached to
  std::vector<std::string> principals;  // exactly one is the caller
  std::vector<std::string> actions;     // exactly one
  std::vector<std::string> tags;        // exactly one; "" stands for a request without a tag
  struct Key {
    std::string name;        // lower-case, as the evaluator looks keys up
    bool multi = false;      // a set qualifier uses it: any subset of values; else at most one value
    bool always = false;     // always in the request (aws:CurrentTime, which IAM always sets)
    std::vector<std::string> values;
  };
  std::vector<Key> keys;
  std::string unsupported;  // why the space is not exact ("" when it is)
};

// Constants a property names, which must be candidates too (an action it asks about, an
// account it calls its own).
struct SpaceConstants {
  std::vector<std::string> actions, accounts, principals;
};

RequestSpace build_request_space(const std::vector<const AccessPlan*>& plans, const std::string& repository, const SpaceConstants& constants,
                                 std::size_t max_glob_states = 20000);

// The request a choice of candidates stands for (context values as given, `multi` keys as
// JSON lists), ready for evaluate_access and `regpol authorize`.
struct SpaceChoice {
  std::size_t principal = 0, action = 0, tag = 0;
  std::vector<std::vector<std::size_t>> key_values;  // per key, the chosen values (none: absent)
};
AccessRequest request_of(const RequestSpace& space, const SpaceChoice& choice);

// A key's choices, each a list of indices into its values: absent (unless `always`), then
// one value each, or for a `multi` key every non-empty subset. False, with `out` empty, when
// there would be more than `max_choices`: the searches that walk choices one by one give up
// on such a key rather than allocate them.
bool key_choices(const RequestSpace::Key& key, std::size_t max_choices, std::vector<std::vector<std::size_t>>& out);

// aws:PrincipalArn and aws:PrincipalAccount: IAM derives them from the caller, so the
// prover treats a condition on them as a condition on the caller (never a free key).
bool is_principal_derived_key(const std::string& key_lower);

// The account id of a principal candidate ("" for one without: a service, `*`).
std::string principal_account(const std::string& principal);

}  // namespace regpol
