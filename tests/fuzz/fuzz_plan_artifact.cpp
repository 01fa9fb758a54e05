// Fuzzes the plan-artifact reader (`regpol apply --plan`): any document is accepted or
// refused with a message; an accepted one, written back and read again, gives the same
// actions (the writer and the reader agree).
#include <cstdlib>
#include <string>

#include "apply/plan_artifact.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace regpol;
  PlanArtifact a;
  std::string err;
  if (!parse_plan_artifact(std::string(reinterpret_cast<const char*>(data), size), "fuzz.json", a, err)) {
    if (err.empty()) std::abort();  // a refusal always says why
    return 0;
  }
  PlanArtifact b;
  if (!parse_plan_artifact(plan_artifact_text(a), "again.json", b, err)) std::abort();
  if (actions_digest(a.plan.actions) != actions_digest(b.plan.actions) || a.plan.repositories.size() != b.plan.repositories.size()) std::abort();
  return 0;
}
