#pragma once
// The price options `plan` and `diff` share: --pricing FILE, and the flat overrides
// --price-per-gb and --archive-price-per-gb (report/plan_pricing.h applies them).
#include <string>

#include "cli/args.h"
#include "report/plan_pricing.h"

namespace regpol::cli {

// Reads the options once, before any snapshot is read. A price that is not a non-negative
// number is a usage error (thrown); an unreadable or invalid pricing file is bad input:
// false with `error`.
bool read_price_options(const Args& args, PriceOptions& out, std::string& error);

}  // namespace regpol::cli
