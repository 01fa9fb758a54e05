#pragma once
// `regpol plan --format html`: the dry run as one self-contained page. Charts (SVG drawn
// here) answer where the bytes are and what goes (bytes and images by repository, ages
// against the policy's thresholds, what each rule and protect clause did); a table of every
// image with its outcome, reason and rule, sorted and filtered in the browser. The numbers
// are those of the JSON report.
#include <ostream>
#include <vector>

#include "report/plan_report.h"

namespace regpol {

// False with `error` when the page cannot be built (compression failed); nothing is written then.
bool write_plan_html(const Registry& reg, const LifecycleResult& res, const std::vector<const LifecyclePlan*>& plans,
                     const ReportOptions& opt, std::ostream& sink, std::string& error);

}  // namespace regpol
