#pragma once
// IAM repository policy documents -> access plans, validated as IAM validates them:
// every problem (unknown operator, bad CIDR, a date without a zone, ...) is reported with
// a JSON pointer, and a document with any problem is rejected whole.
#include <string>
#include <vector>

#include "plan/access_plan.h"
#include "interop/document.h"

namespace regpol {

bool access_plan_from_iam_json(const std::string& name, const std::string& text, AccessPlan& plan,
                               std::vector<DocumentProblem>& problems);

// Parses and type-checks one condition value for `op`; false with `error` when invalid.
bool compile_condition_value(CondOp op, const std::string& text, CondValue& out, std::string& error);

}  // namespace regpol
