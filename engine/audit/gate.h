#pragma once
// The deploy gate: the `gate` rules of the blocks that match an image's repository
// (plan/policy_plan.h gate_for), each a `where` expression over the image. The image may
// be deployed when no rule selects it. An expression that cannot be evaluated for the
// image (a field it does not have, such as findings of an image never scanned) refuses it:
// a gate fails closed.
#include <cstdint>
#include <string>
#include <vector>

#include "plan/policy_plan.h"
#include "snapshot/model.h"

namespace regpol {

struct GateDenial {
  std::string name;    // the rule's name ("critical findings")
  std::string source;  // "policy.regpol:12:5"
  std::string error;   // "" when the rule selected the image; else why it could not be evaluated
};

struct GateResult {
  std::size_t rules = 0;            // rules that apply to the repository
  std::vector<GateDenial> denials;  // in rule order; empty: the image may be deployed
  bool allowed() const { return denials.empty(); }
};

GateResult evaluate_gate(const PolicyPlan& policy, const Registry& registry, std::uint32_t image, Micros now);

}  // namespace regpol
