#include "audit/gate.h"

namespace regpol {

GateResult evaluate_gate(const PolicyPlan& policy, const Registry& registry, std::uint32_t image, Micros now) {
  GateResult out;
  const Image& img = registry.images[image];
  const auto rules = gate_for(policy, registry.repo_name(img));
  out.rules = rules.size();
  for (const GateRulePlan* rule : rules) {
    // A gate rule selects any image (every tag status, both storage classes): only its
    // expression decides.
    if (!rule->selection.where) {
      out.denials.push_back({rule->name, rule->source, ""});
      continue;
    }
    PredicateResult r = rule->selection.where->eval(registry, img, now);
    if (!r.ok) out.denials.push_back({rule->name, rule->source, r.error});
    else if (r.value) out.denials.push_back({rule->name, rule->source, ""});
  }
  return out;
}

}  // namespace regpol
