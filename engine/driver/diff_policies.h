#pragma once
// `regpol diff` below the command line: two policies compiled and evaluated on the same
// snapshots, compared (verdicts, bytes, dollars, and access decisions over a request log)
// and rendered.
#include <optional>
#include <string>
#include <vector>

#include "driver/compile.h"
#include "lifecycle/evaluate.h"
#include "report/plan_pricing.h"

namespace regpol {

struct DiffRequest {
  std::string old_path, new_path;      // files to read ("/dev/stdin" for one of them)
  std::string old_name, new_name;      // as the report names them (what was given: "-")
  std::vector<std::string> snapshots;
  std::optional<std::string> requests; // --requests LOG
  std::string repository;              // only this one, when not empty
  std::string format = "text";         // text, json or markdown
  CompileOptions compile;
  LifecycleOptions lifecycle;          // --now
  std::vector<std::string> in_use;     // --in-use FILE…: both policies see the same workloads
  bool strict_in_use = false;          // --strict-in-use
  std::optional<Micros> max_in_use_age;  // --max-in-use-age
  PriceOptions prices;
};

// The rendered diff in `out`, and whether anything changed. An exit code: kOk; kFindings
// for a policy with errors; kBadInput for a malformed policy, snapshot or log (said on stderr).
int diff_policies(const DiffRequest& request, std::string& out, bool& changed);

}  // namespace regpol
