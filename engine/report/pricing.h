#pragma once
// What storage costs, for the dollars in plan reports. ECR's archive class is not cheaper
// than standard below a volume tier, bills at least 90 days from the transition and charges
// for restores, so a flat "archive is free" price would show savings that do not exist.
// Prices come from a small JSON file (`plan --pricing FILE`, docs/pricing.md) or the
// built-in defaults (us-east-1 list prices).
#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace regpol {

// AWS bills storage "GB" as 2^30 bytes.
constexpr double kBytesPerGb = 1024.0 * 1024.0 * 1024.0;
// The largest price a pricing file or a price flag may state, per GB(-month), and the
// largest tier bound: far above any real price, low enough that a price times every byte
// a snapshot can hold (2^63) stays a finite number (1e308 made `-nan` in the JSON report).
constexpr double kMaxPriceUsd = 1e6;
constexpr double kMaxTierGb = 1e12;
// Dollars with two decimals ("0.10"); `signed_plus` writes a "+" before positive amounts.
std::string format_usd(double usd, bool signed_plus = false);
// Dollars as every report writes them: "$998.64"; with `signed_change`, a change: "+$10.96",
// "-$3.20" (and "$0.00" for none).
std::string format_dollars(double usd, bool signed_change = false);

struct ArchiveTier {
  double up_to_gb = std::numeric_limits<double>::infinity();  // this tier covers volume up to here
  double per_gb_month = 0;
};

struct Pricing {
  std::string name = "built-in us-east-1 list prices";
  double standard_per_gb_month = 0.10;
  // The first 150 TB (1 TB = 1024 GB, as AWS bills) of archive cost what standard does.
  std::vector<ArchiveTier> archive = {{150.0 * 1024, 0.10}, {std::numeric_limits<double>::infinity(), 0.07}};
  std::optional<double> restore_per_gb;  // unknown unless the pricing file says it
  int archive_minimum_days = 90;
};

// Reads a pricing file; false with `error` (naming the field) when it is not valid.
bool load_pricing(const std::string& path, Pricing& out, std::string& error);

// The monthly cost of `gb` in archive storage, tier by tier.
double archive_monthly_cost(const Pricing& pricing, double gb);

// Effective per-GB rates of one plan: transitions add `transitioned_gb` on top of what stays
// archived, expiries of archived images remove `expired_archive_gb` from `archived_gb`; each
// rate is the change in the tiered archive cost divided by the volume that moved.
struct ArchiveRates {
  double transition_per_gb = 0;   // what a transitioned GB will cost in archive
  double expire_per_gb = 0;       // what an expired archived GB stops costing
};
ArchiveRates archive_rates(const Pricing& pricing, double archived_gb, double expired_archive_gb, double transitioned_gb);

}  // namespace regpol
