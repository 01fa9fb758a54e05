#include "report/pricing.h"

#include <cstdio>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "util/read_file.h"

namespace regpol {

double archive_monthly_cost(const Pricing& p, double gb) {
  double cost = 0, below = 0;
  for (const auto& tier : p.archive) {
    if (gb <= below) break;
    double in_tier = std::min(gb, tier.up_to_gb) - below;
    cost += in_tier * tier.per_gb_month;
    below = tier.up_to_gb;
  }
  return cost;
}

ArchiveRates archive_rates(const Pricing& p, double archived_gb, double expired_archive_gb, double transitioned_gb) {
  ArchiveRates r;
  double staying = std::max(0.0, archived_gb - expired_archive_gb);
  r.expire_per_gb = expired_archive_gb > 0 ? (archive_monthly_cost(p, archived_gb) - archive_monthly_cost(p, staying)) / expired_archive_gb
                                           : archive_monthly_cost(p, 1e-9) / 1e-9;
  r.transition_per_gb = transitioned_gb > 0
                            ? (archive_monthly_cost(p, staying + transitioned_gb) - archive_monthly_cost(p, staying)) / transitioned_gb
                            : archive_monthly_cost(p, staying + 1e-9) / (staying + 1e-9);
  return r;
}

bool load_pricing(const std::string& path, Pricing& out, std::string& error) {
  ReadFileResult read = read_file_limited(path, kMaxDocumentBytes);
  if (!read.ok) return (error = read.error), false;
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(read.text);
  } catch (const nlohmann::json::exception&) {
    return (error = path + ": malformed JSON"), false;
  }
  auto bad = [&](const std::string& where, const std::string& why) { return (error = path + "#" + where + ": " + why), false; };
  if (!j.is_object()) return bad("", "a pricing file is a JSON object");
  static const char* const kKnown[] = {"name", "standardPerGbMonth", "archiveTiers", "restorePerGb", "archiveMinimumDays"};
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (std::find_if(std::begin(kKnown), std::end(kKnown), [&](const char* k) { return it.key() == k; }) == std::end(kKnown))
      return bad("/" + it.key(), "unknown field");
  }
  auto price = [&](const nlohmann::json& v, const std::string& where, double& dst) {
    if (!v.is_number() || v.get<double>() < 0 || !std::isfinite(v.get<double>()) || v.get<double>() > kMaxPriceUsd)
      return bad(where, "expected a number of USD from 0 to 1000000");
    dst = v.get<double>();
    return true;
  };
  Pricing p;
  p.name = path;
  if (j.contains("name")) {
    if (!j["name"].is_string()) return bad("/name", "expected a string");
    p.name = j["name"].get<std::string>();
  }
  if (!j.contains("standardPerGbMonth")) return bad("/standardPerGbMonth", "required");
  if (!price(j["standardPerGbMonth"], "/standardPerGbMonth", p.standard_per_gb_month)) return false;
  if (!j.contains("archiveTiers") || !j["archiveTiers"].is_array() || j["archiveTiers"].empty())
    return bad("/archiveTiers", "required: a list of {\"upToGb\": N, \"perGbMonth\": USD}, the last without upToGb");
  p.archive.clear();
  double previous = 0;
  for (std::size_t i = 0; i < j["archiveTiers"].size(); ++i) {
    const auto& t = j["archiveTiers"][i];
    std::string at = "/archiveTiers/" + std::to_string(i);
    bool last = i + 1 == j["archiveTiers"].size();
    if (!t.is_object()) return bad(at, "expected an object");
    ArchiveTier tier;
    if (!t.contains("perGbMonth")) return bad(at, "needs perGbMonth");
    if (!price(t["perGbMonth"], at + "/perGbMonth", tier.per_gb_month)) return false;
    if (t.contains("upToGb")) {
      if (last) return bad(at + "/upToGb", "the last tier has no upper bound");
      if (!t["upToGb"].is_number() || t["upToGb"].get<double>() <= previous || t["upToGb"].get<double>() > kMaxTierGb)
        return bad(at + "/upToGb", "expected a number above the previous tier's, at most 1e12");
      tier.up_to_gb = previous = t["upToGb"].get<double>();
    } else if (!last) {
      return bad(at, "every tier but the last needs upToGb");
    }
    p.archive.push_back(tier);
  }
  if (j.contains("restorePerGb") && !j["restorePerGb"].is_null()) {
    double v = 0;
    if (!price(j["restorePerGb"], "/restorePerGb", v)) return false;
    p.restore_per_gb = v;
  }
  if (j.contains("archiveMinimumDays")) {
    if (!j["archiveMinimumDays"].is_number_integer() || j["archiveMinimumDays"].get<long long>() < 0 || j["archiveMinimumDays"].get<long long>() > 3650)
      return bad("/archiveMinimumDays", "expected a whole number of days");
    p.archive_minimum_days = j["archiveMinimumDays"].get<int>();
  }
  out = p;
  return true;
}

std::string format_dollars(double usd, bool signed_change) {
  const double rounded = std::round(usd * 100) / 100;
  if (!signed_change || rounded == 0) return "$" + format_usd(std::fabs(rounded));
  return std::string(rounded < 0 ? "-" : "+") + "$" + format_usd(std::fabs(rounded));
}

std::string format_usd(double usd, bool signed_plus) {
  char buf[40];
  std::snprintf(buf, sizeof buf, signed_plus ? "%+.2f" : "%.2f", usd);
  return buf;
}

}  // namespace regpol
