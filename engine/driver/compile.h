#pragma once
// The stage table every policy command shares: read -> parse -> check -> lower.
// Stages append to one DiagnosticSink and carry on as far as they can.
#include <memory>
#include <string>

#include "driver/front_end.h"
#include "plan/policy_plan.h"
#include "sema/checked.h"

namespace regpol {

struct CompiledPolicy {
  LoadedPolicy loaded;
  std::unique_ptr<sema::CheckedPolicy> checked;
  PolicyPlan plan;
  bool ok = false;  // no errors in any stage
};

CompiledPolicy compile_policy_file(const std::string& path, SourceMap& sources, DiagnosticSink& sink);
CompiledPolicy compile_policy_text(const std::string& name, std::string text, SourceMap& sources, DiagnosticSink& sink);

}  // namespace regpol
