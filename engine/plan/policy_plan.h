#pragma once
// The compiled plan of a whole policy file: one entry per repository block (and the
// defaults block), each with its lifecycle plan, mutability and access statements, and the
// rule that picks, for a repository name, which block's lifecycle and mutability apply.
#include <optional>
#include <string>
#include <vector>

#include "plan/access_plan.h"
#include "plan/lifecycle_plan.h"
#include "plan/property_plan.h"
#include "plan/settings_plan.h"

namespace regpol {

struct MutabilityPlan {
  bool immutable = false;
  std::vector<std::string> except;  // wildcard patterns (`*` and `?`)
  std::string source;
};

// `deny "NAME" where EXPR` of a gate block: `regpol gate` refuses an image it selects.
struct GateRulePlan {
  std::string name;
  Selection selection;  // any tag status, either storage class, refined by the expression
  std::string source;   // "policy.regpol:12:5"
};

struct ScopePlan {
  bool is_defaults = false;
  std::vector<std::string> patterns, excepts;
  std::string source;               // "policy.regpol:8:1"
  bool has_lifecycle = false;
  LifecyclePlan lifecycle;
  std::optional<MutabilityPlan> mutability;
  bool has_access = false;  // an `access` block (possibly empty: no one but the owner)
  AccessPlan access;
  std::vector<GateRulePlan> gate;
  std::optional<ScanPlan> scan;
  std::optional<EncryptionRequirement> encryption;
};

struct PolicyPlan {
  std::string name;
  std::vector<ScopePlan> scopes;
  std::optional<RegistrySettingsPlan> registry;  // the `registry` block
  std::vector<PropertyPlan> properties;          // `prove` blocks: the repository blocks', then the top level's
};

// How specific a block is for `repository`: -1 when it does not match; otherwise the
// number of literal (non-wildcard) characters of its most specific matching pattern.
int scope_specificity(const ScopePlan& scope, std::string_view repository);

enum class Concern { Lifecycle, Mutability, Scanning, Encryption };
constexpr Concern kAllConcerns[] = {Concern::Lifecycle, Concern::Mutability, Concern::Scanning, Concern::Encryption};

// Whether a block says something about `concern`, and the concern's name in messages.
bool scope_has(const ScopePlan& scope, Concern concern);
const char* concern_name(Concern concern);

struct ScopeChoice {
  int scope = -1;            // index into plan.scopes; -1: none applies
  int tied_with = -1;        // set when two blocks tie: an ambiguity, reported as E0401
};

// The most specific block that matches `repository` and has the concern (a lifecycle, a
// `mutability`, a `scan`, a `require encryption`); the defaults block when none matches.
ScopeChoice choose_scope(const PolicyPlan& plan, std::string_view repository, Concern concern);

// Access statements of every matching block accumulate (the defaults block's only when no
// other block matches).
AccessPlan access_for(const PolicyPlan& plan, std::string_view repository);
// Whether any block access_for takes statements from has an `access` block (an empty one
// too: the policy then says "no repository policy").
bool access_managed(const PolicyPlan& plan, std::string_view repository);

// The gate rules for `repository`: every matching block's, in block order (the defaults
// block's only when no other block matches), as access statements accumulate.
std::vector<const GateRulePlan*> gate_for(const PolicyPlan& plan, std::string_view repository);

}  // namespace regpol
