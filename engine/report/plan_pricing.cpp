#include "report/plan_pricing.h"

#include <algorithm>
#include <cmath>

namespace regpol {

void apply_pricing(const Registry& reg, const LifecycleResult& res, const PriceOptions& prices, ReportOptions& ropt) {
  // ECR's list prices are not a self-hosted registry's: without a price given, no dollars.
  if (reg.source.rfind("oci://", 0) == 0 && !prices.flat_standard && !prices.pricing_file) {
    ropt.unpriced = true;
    ropt.price_per_gb = ropt.archive_price_per_gb = ropt.archive_expire_price_per_gb = 0;
    ropt.pricing_notes.push_back("prices: none for a self-hosted registry (" + reg.source +
                                 "): give --price-per-gb D (USD per GB-month of storage) or --pricing FILE to see dollars");
    if (reg.has_blobs())
      ropt.pricing_notes.emplace_back("bytes: the bytes freed in storage are counted blob by blob above (shared layers once); summed image sizes are an upper bound");
    return;
  }
  const Pricing& pricing = prices.pricing;
  double archived = 0, expired_archive = 0, transitioned = 0;
  for (auto r : res.repositories) {
    for (auto idx : reg.repositories[r].images) {
      const Image& img = reg.images[idx];
      double gb = static_cast<double>(std::max<std::int64_t>(0, img.size_bytes)) / kBytesPerGb;
      bool in_archive = img.storage_class() == StorageClass::Archive;
      archived += in_archive ? gb : 0;
      if (res.decisions[idx].verdict == Verdict::Expire && in_archive) expired_archive += gb;
      if (res.decisions[idx].verdict == Verdict::Transition) transitioned += gb;
    }
  }
  ArchiveRates rates = archive_rates(pricing, archived, expired_archive, transitioned);
  ropt.price_per_gb = pricing.standard_per_gb_month;
  ropt.archive_price_per_gb = rates.transition_per_gb;
  ropt.archive_expire_price_per_gb = rates.expire_per_gb;
  std::string note = "prices: " + pricing.name + ": standard $" + format_usd(pricing.standard_per_gb_month) + "/GB-month; archive";
  for (std::size_t i = 0; i < pricing.archive.size(); ++i) {
    const auto& t = pricing.archive[i];
    note += (i ? ", then " : " ") + std::string("$") + format_usd(t.per_gb_month) + "/GB-month" +
            (std::isfinite(t.up_to_gb) ? " up to " + std::to_string(static_cast<long long>(t.up_to_gb)) + " GB" : std::string());
  }
  if (prices.flat_standard) {
    ropt.price_per_gb = *prices.flat_standard;
    note = "prices: --price-per-gb $" + format_usd(ropt.price_per_gb) + "/GB-month standard";
  }
  if (prices.flat_archive) {
    ropt.archive_price_per_gb = ropt.archive_expire_price_per_gb = *prices.flat_archive;
    note += "; --archive-price-per-gb $" + format_usd(ropt.archive_price_per_gb) + "/GB-month archive (flat)";
  }
  ropt.pricing_notes.push_back(note);
  if (transitioned > 0) {
    ropt.pricing_notes.push_back("archive transitions: at this volume a GB in archive costs $" + format_usd(ropt.archive_price_per_gb) +
                                 "/GB-month against $" + format_usd(ropt.price_per_gb) + " standard, so moving it saves $" +
                                 format_usd(std::max(0.0, ropt.price_per_gb - ropt.archive_price_per_gb)) + "/GB-month" +
                                 (ropt.price_per_gb - ropt.archive_price_per_gb <= 0 ? " (nothing below the archive tier)" : "") +
                                 "; archived images are billed for at least " + std::to_string(pricing.archive_minimum_days) +
                                 " days from the transition, and restoring one costs " +
                                 (pricing.restore_per_gb ? "$" + format_usd(*pricing.restore_per_gb) + "/GB" : std::string("extra (set restorePerGb in a --pricing file)")));
  }
  if (reg.has_blobs())
    ropt.pricing_notes.emplace_back("dollars are on summed image sizes, an upper bound: the bytes freed in storage are counted blob by blob above");
  else
    ropt.pricing_notes.emplace_back("sizes are summed per image: images that share layers store them once, so bytes and dollars reclaimed are an upper bound");
}

}  // namespace regpol
