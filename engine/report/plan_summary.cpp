#include "report/plan_summary.h"

#include "report/pricing.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <ostream>

#include "util/json_writer.h"
#include "util/text.h"

namespace regpol {

namespace {

// What decided an image, as a short label that many images share.
std::string decider(const LifecyclePlan* plan, const ImageDecision& d) {
  if (!plan) return {};
  if (d.reason == Reason::Protected) return plan->protects[static_cast<std::size_t>(d.protect)].label;
  if (d.verdict == Verdict::Keep || d.rule < 0) return {};
  const LifecycleRule& r = plan->rules[static_cast<std::size_t>(d.rule)];
  return "rule " + std::to_string(r.priority) + (r.description.empty() ? "" : " \"" + r.description + "\"");
}

}  // namespace

double image_saving_usd(const Image& img, Verdict v, const ReportOptions& opt) {
  double gb = static_cast<double>(std::max<std::int64_t>(0, img.size_bytes)) / kBytesPerGb;
  if (v == Verdict::Expire) return gb * (img.storage_class() == StorageClass::Archive ? opt.archive_expire_price_per_gb : opt.price_per_gb);
  if (v == Verdict::Transition) return gb * (opt.price_per_gb - opt.archive_price_per_gb);
  return 0;
}

std::vector<RepositorySummary> summarize_repositories(const Registry& reg, const LifecycleResult& res,
                                                      const std::vector<const LifecyclePlan*>& plans, const ReportOptions& opt) {
  std::vector<RepositorySummary> out;
  out.reserve(res.repositories.size());
  for (auto r : res.repositories) {
    RepositorySummary s;
    s.repository = r;
    std::map<std::string, std::size_t> reasons;
    double saving = 0;
    for (auto idx : reg.repositories[r].images) {
      const Image& img = reg.images[idx];
      const ImageDecision& d = res.decisions[idx];
      auto size = static_cast<ByteTotal>(std::max<std::int64_t>(0, img.size_bytes));
      ++s.images;
      s.protected_images += d.reason == Reason::Protected;
      if (d.verdict == Verdict::Keep || d.verdict == Verdict::Untag) ++s.keep;
      if (d.verdict == Verdict::Expire) ++s.expire, s.bytes_reclaimed += size;
      if (d.verdict == Verdict::Transition) ++s.transition, s.bytes_transitioned += size;
      saving += image_saving_usd(img, d.verdict, opt);
      std::string who = decider(plans[r], d);
      if (!who.empty()) ++reasons[who];
    }
    s.monthly_savings_usd = std::round(saving * 100) / 100;
    s.top_reasons.assign(reasons.begin(), reasons.end());
    std::stable_sort(s.top_reasons.begin(), s.top_reasons.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    if (s.top_reasons.size() > 3) s.top_reasons.resize(3);
    out.push_back(std::move(s));
  }
  return out;
}

void write_plan_summary(const Registry& reg, const LifecycleResult& res, const std::vector<const LifecyclePlan*>& plans,
                        ReportFormat format, const ReportOptions& opt, std::ostream& sink) {
  ReportTotals t = compute_totals(reg, res, opt);
  auto repos = summarize_repositories(reg, res, plans, opt);
  std::string out;
  auto reasons_text = [](const RepositorySummary& s) {
    std::string r;
    for (const auto& [label, n] : s.top_reasons) r += (r.empty() ? "" : "; ") + label + ": " + std::to_string(n);
    return r;
  };
  if (format == ReportFormat::Json) {
    out += "{\n  \"schema\": \"regpol.plan-summary/v1\",\n  \"now\": \"" + format_timestamp(opt.now) + "\",\n";
    out += "  \"summary\": ";
    auto counts = [&](JsonWriter& w, const auto& c) {
      w.member("keep", c.keep).member("expire", c.expire).member("transition", c.transition).member("protected", c.protected_images);
      w.key("bytesReclaimed").raw(to_decimal(c.bytes_reclaimed)).key("bytesTransitioned").raw(to_decimal(c.bytes_transitioned));
      w.key("monthlySavingsUsd").raw(dollars_json(opt, c.monthly_savings_usd));
    };
    {
      JsonWriter w(out);
      w.object().member("repositories", t.repositories).member("images", t.images);
      counts(w, t);
      // Blobs are shared across repositories, so the bytes really freed are a total only.
      if (t.blobs_known) w.key("bytesFreed").raw(to_decimal(t.bytes_freed));
      w.end();
    }
    out += ",\n  \"repositories\": [";
    for (std::size_t i = 0; i < repos.size(); ++i) {
      const auto& s = repos[i];
      out += i ? ",\n    " : "\n    ";
      JsonWriter w(out);
      w.object().member("repository", reg.str(reg.repositories[s.repository].name)).member("images", s.images);
      counts(w, s);
      w.key("topReasons").array();
      for (const auto& [label, n] : s.top_reasons) w.object().member("decidedBy", label).member("images", n).end();
      w.end().end();
    }
    out += repos.empty() ? "]\n}\n" : "\n  ]\n}\n";
    sink << out;
    return;
  }
  const bool md = format == ReportFormat::Markdown;
  out += md ? "### regpol plan summary at " + format_timestamp(opt.now) + "\n\n" : "regpol plan summary at " + format_timestamp(opt.now) + "\n";
  out += md ? "| repository | images | expire | transition | keep | protected | reclaimed | saving / month | decided most by |\n"
              "|---|---:|---:|---:|---:|---:|---:|---:|---|\n"
            : "";
  for (const auto& s : repos) {
    std::string name(reg.str(reg.repositories[s.repository].name));
    if (md) {
      out += "| " + name + " | " + std::to_string(s.images) + " | " + std::to_string(s.expire) + " | " + std::to_string(s.transition) +
             " | " + std::to_string(s.keep) + " | " + std::to_string(s.protected_images) + " | " + human_bytes(s.bytes_reclaimed) +
             " | " + dollars_text(opt, s.monthly_savings_usd) + " | " + reasons_text(s) + " |\n";
    } else {
      out += "  " + name + ": " + plural(s.images, "image") + ", " + std::to_string(s.expire) + " expire, " + std::to_string(s.transition) +
             " transition, " + std::to_string(s.keep) + " keep (" + std::to_string(s.protected_images) + " protected), " +
             human_bytes(s.bytes_reclaimed) + (opt.unpriced ? std::string() : ", $" + format_usd(s.monthly_savings_usd) + "/month") +
             (s.top_reasons.empty() ? "" : "; " + reasons_text(s)) + "\n";
    }
  }
  out += (md ? "\n**total**: " : "total: ") + plural(t.repositories, "repository", "repositories") + ", " + plural(t.images, "image") +
         ": " + std::to_string(t.expire) + " expire, " + std::to_string(t.transition) + " transition, " + std::to_string(t.keep) +
         " keep (" + std::to_string(t.protected_images) + " protected); " + human_bytes(t.bytes_reclaimed) + " reclaimed" +
         (t.blobs_known ? " (summed image sizes; " + human_bytes(t.bytes_freed) + " freed in storage, shared layers counted once)" : std::string()) +
         (opt.unpriced ? std::string(" (no price known)") : ", $" + format_usd(t.monthly_savings_usd) + " a month") + "\n";
  sink << out;
}

}  // namespace regpol
