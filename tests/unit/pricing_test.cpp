#include <doctest/doctest.h>

#include <cstdio>
#include <fstream>

#include "report/pricing.h"

using namespace regpol;

TEST_CASE("archive tiers: the first 150 TB cost what standard does") {
  Pricing p;
  CHECK(archive_monthly_cost(p, 1000) == doctest::Approx(100.0));
  CHECK(archive_monthly_cost(p, 153600) == doctest::Approx(15360.0));
  CHECK(archive_monthly_cost(p, 153600 + 1000) == doctest::Approx(15360.0 + 70.0));
  // Below the tier a transition saves nothing; far above it saves 0.03 a GB.
  ArchiveRates small = archive_rates(p, 10, 0, 50);
  CHECK(p.standard_per_gb_month - small.transition_per_gb == doctest::Approx(0.0));
  ArchiveRates big = archive_rates(p, 200000, 0, 1000);
  CHECK(p.standard_per_gb_month - big.transition_per_gb == doctest::Approx(0.03));
  // Straddling the tier boundary: the average of the two prices over the moved volume.
  ArchiveRates straddle = archive_rates(p, 153000, 0, 1200);
  CHECK(straddle.transition_per_gb == doctest::Approx((600 * 0.10 + 600 * 0.07) / 1200));
  // Expiring archived images frees the top of the volume, the part in the higher tier.
  ArchiveRates expire = archive_rates(p, 154600, 1000, 0);
  CHECK(expire.expire_per_gb == doctest::Approx(0.07));
}

TEST_CASE("pricing files are validated field by field") {
  auto load = [](const std::string& text, Pricing& p, std::string& err) {
    std::string path = "/tmp/regpol_pricing_test.json";
    std::ofstream(path) << text;
    bool ok = load_pricing(path, p, err);
    std::remove(path.c_str());
    return ok;
  };
  Pricing p;
  std::string err;
  CHECK(load(R"({"standardPerGbMonth": 0.1, "archiveTiers": [{"upToGb": 100, "perGbMonth": 0.1}, {"perGbMonth": 0.05}], "restorePerGb": 0.02})", p, err));
  CHECK(p.archive.size() == 2);
  CHECK(p.restore_per_gb.value_or(-1) == doctest::Approx(0.02));
  CHECK_FALSE(load(R"({"standardPerGbMonth": -1, "archiveTiers": [{"perGbMonth": 0.1}]})", p, err));
  CHECK(err.find("/standardPerGbMonth") != std::string::npos);
  CHECK_FALSE(load(R"({"standardPerGbMonth": 0.1, "archiveTiers": [{"upToGb": 100, "perGbMonth": 0.1}, {"upToGb": 50, "perGbMonth": 0.1}, {"perGbMonth": 0.1}]})", p, err));
  CHECK(err.find("/archiveTiers/1/upToGb") != std::string::npos);
  CHECK_FALSE(load(R"({"standardPerGbMonth": 0.1, "archiveTiers": [{"perGbMonth": 0.1}], "colour": "red"})", p, err));
  CHECK(err.find("/colour") != std::string::npos);
  CHECK_FALSE(load(R"({"archiveTiers": [{"perGbMonth": 0.1}]})", p, err));
}
