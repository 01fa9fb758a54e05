#pragma once
// The lint catalogue (docs/diagnostics.md, W2xxx): checks on a compiled policy that go
// beyond "is it well-formed": security findings in access statements and mutability,
// lifecycle safety, dead rules, and (on request) what ECR cannot express. Each finding is
// located at the statement, rule or block it is about.
#include <string>
#include <vector>

#include "diag/diagnostic.h"
#include "plan/policy_plan.h"
#include "source/source_file.h"

namespace regpol {

struct LintOptions {
  std::vector<std::string> own_accounts;  // `lint --account ID`: grants to other accounts are cross-account
  bool target_ecr = false;                // `lint --target ecr`: report what export ecr cannot carry (W2401)
};

void lint_policy(const PolicyPlan& plan, const SourceMap& sources, const LintOptions& options, DiagnosticSink& sink);

// The span a plan's "file:line:col" source string names (a one-byte span at that column),
// or false when it names no file of `sources`.
bool span_of_source(const SourceMap& sources, const std::string& source, Span& out);

}  // namespace regpol
