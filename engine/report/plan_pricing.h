#pragma once
// The prices a plan's dollars are worked out at: a pricing table and the flat overrides
// (`--price-per-gb`, `--archive-price-per-gb`); the archive tier depends on the volumes
// that plan archives and expires, so the rates are set per plan.
#include <optional>
#include <string>

#include "report/plan_report.h"
#include "report/pricing.h"

namespace regpol {

struct PriceOptions {
  Pricing pricing;
  std::optional<double> flat_standard;  // --price-per-gb
  std::optional<double> flat_archive;   // --archive-price-per-gb
  bool pricing_file = false;            // --pricing gave `pricing` (else it is ECR's built-in list)
};

// Sets `ropt`'s rates for the plan `res` of `reg` and adds the notes that say what the
// dollars leave out (the archive tier, the minimum duration, shared layers).
void apply_pricing(const Registry& reg, const LifecycleResult& res, const PriceOptions& prices, ReportOptions& ropt);

}  // namespace regpol
