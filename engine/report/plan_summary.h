#pragma once
// Per-repository summaries of a plan: counts (protected ones too), bytes, dollars and the
// rules that decided most images. `plan --summary` prints them; the markdown report opens
// with them, so that a pull-request comment stays readable (and under GitHub's 65,536
// characters) at any registry size.
#include <string>
#include <vector>

#include "report/plan_report.h"

namespace regpol {

struct RepositorySummary {
  std::uint32_t repository = 0;
  std::size_t images = 0, keep = 0, expire = 0, transition = 0, protected_images = 0;
  ByteTotal bytes_reclaimed = 0, bytes_transitioned = 0;
  double monthly_savings_usd = 0;
  std::vector<std::pair<std::string, std::size_t>> top_reasons;  // "rule 2 \"untagged\"" -> images it actioned, most first
};

// In report order (repositories by name).
std::vector<RepositorySummary> summarize_repositories(const Registry& reg, const LifecycleResult& res,
                                                      const std::vector<const LifecyclePlan*>& plans, const ReportOptions& opt);

// `plan --summary`: the totals and one entry per repository, as text, markdown or JSON
// (schema regpol.plan-summary/v1).
void write_plan_summary(const Registry& reg, const LifecycleResult& res, const std::vector<const LifecyclePlan*>& plans,
                        ReportFormat format, const ReportOptions& opt, std::ostream& sink);

// The monthly saving of one image's verdict (the price model of compute_totals).
double image_saving_usd(const Image& img, Verdict v, const ReportOptions& opt);

}  // namespace regpol
