#pragma once
// Lowering: the checked policy -> the plan. Compiles tag matchers, `where`/`per`
// expressions and condition values, keeps every rule's source location, and reports the
// ECR validation rules as lints (W1xxx) where regpol's own semantics stay well defined.
#include "diag/diagnostic.h"
#include "plan/policy_plan.h"
#include "sema/checked.h"

namespace regpol {

PolicyPlan lower_policy(const sema::CheckedPolicy& policy, const SourceMap& sources, DiagnosticSink& sink);

}  // namespace regpol
