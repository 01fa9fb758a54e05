#pragma once
// A compiled access property (`prove "NAME" { … }`): what `regpol prove` checks for every
// request to every repository it covers (engine/verify, docs/verify.md).
#include <string>
#include <vector>

#include "plan/access_plan.h"

namespace regpol {

struct PropertyPlan {
  enum class Kind { Never, Always, NoNewAccess };
  std::string name;
  Kind kind = Kind::Never;
  // never / always: the requests the property is about, as an `allow` statement matches
  // them (its source is the property's statement).
  Statement statement;
  std::string than;       // no new access: the file as written (relative to the policy's folder)
  std::vector<std::string> repositories, excepts;  // globs of the repositories it covers
  bool defaults_only = false;  // in the defaults block: only names no other block matches
  std::string source;     // "policy.regpol:12:1"
};

}  // namespace regpol
