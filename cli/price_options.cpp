#include "cli/price_options.h"

namespace regpol::cli {

bool read_price_options(const Args& args, PriceOptions& out, std::string& error) {
  out.flat_standard = number_option(args, "--price-per-gb", 0, kMaxPriceUsd);
  out.flat_archive = number_option(args, "--archive-price-per-gb", 0, kMaxPriceUsd);
  if (auto file = args.get("--pricing")) {
    out.pricing_file = true;
    return load_pricing(*file, out.pricing, error);
  }
  return true;
}

}  // namespace regpol::cli
