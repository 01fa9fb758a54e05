#pragma once
// `regpol explain`'s text: one image, the lifecycle that applies to its repository, every
// rule's verdict on it in priority order (in its selection or not, claimed first by a higher
// rule or not, what it would do alone), and the final decision with its reason.
#include <cstdint>
#include <string>
#include <vector>

#include "lifecycle/evaluate.h"
#include "plan/policy_plan.h"
#include "snapshot/model.h"

namespace regpol {

struct ImageExplanation {
  const Registry* registry = nullptr;
  std::uint32_t image = 0;
  Micros now = 0;
  const std::vector<std::string>* users = nullptr;  // the workloads that use it (--in-use), or nullptr
  const ScopePlan* scope = nullptr;                 // the block whose lifecycle applies; nullptr: none
  const LifecyclePlan* plan = nullptr;              // that lifecycle
  const std::vector<RuleTrace>* trace = nullptr;    // every rule's verdict on the image
  const LifecycleResult* result = nullptr;          // the evaluation the trace came from
};

std::string render_explanation(const ImageExplanation& e);

}  // namespace regpol
