#pragma once
// The price options `plan` and `diff` share: --pricing FILE, and the flat overrides
// --price-per-gb and --archive-price-per-gb; and the rates one plan's dollars are worked
// out at (the archive tier depends on the volumes that plan archives and expires).
#include <optional>
#include <string>

#include "cli/args.h"
#include "report/plan_report.h"
#include "report/pricing.h"

namespace regpol::cli {

struct PriceOptions {
  Pricing pricing;
  std::optional<double> flat_standard;  // --price-per-gb
  std::optional<double> flat_archive;   // --archive-price-per-gb
};

// Reads the options once, before any snapshot is read. A price that is not a non-negative
// number is a usage error (thrown); an unreadable or invalid pricing file is bad input:
// false with `error`.
bool read_price_options(const Args& args, PriceOptions& out, std::string& error);

// Sets `ropt`'s rates for the plan `res` of `reg` and adds the notes that say what the
// dollars leave out (the archive tier, the minimum duration, shared layers).
void apply_pricing(const Registry& reg, const LifecycleResult& res, const PriceOptions& prices, ReportOptions& ropt);

}  // namespace regpol::cli
