#pragma once
// What changing a policy changes (`regpol diff`): two policies evaluated on the same
// snapshot at the same instant, compared image by image (verdicts, bytes, the change in the
// monthly saving) and, given a request log, request by request (access decisions).
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "access/decider.h"
#include "access/request.h"
#include "lifecycle/evaluate.h"
#include "plan/policy_plan.h"
#include "report/plan_report.h"
#include "snapshot/model.h"
#include "util/time.h"
#include "settings/policy_settings_diff.h"

namespace regpol {

// One policy as evaluated: its name as the user gave it, its decisions, the lifecycle that
// applied to each repository (nullptr: none), and the prices its own plan gets.
struct DiffSide {
  std::string name;
  const LifecycleResult* result = nullptr;
  const std::vector<const LifecyclePlan*>* plan_of_repo = nullptr;
  const ReportOptions* prices = nullptr;
};

// The tags `result` removes from `image` (none unless its verdict is Untag).
std::vector<StrId> removed_tags(const LifecycleResult& result, std::uint32_t image);

struct ImageChange {
  std::uint32_t image;
  Verdict old_verdict, new_verdict;
};

struct RequestChange {
  std::size_t index;  // 1-based position in the log
  AccessRequest request;
  Decided old_decision, new_decision;
};

struct DiffCounts {
  std::size_t changed = 0, to_expire = 0, to_keep = 0, to_transition = 0, to_untag = 0;
  long double bytes_reclaimed_delta = 0;
};

struct PolicyDiff {
  DiffSide old_side, new_side;
  Micros now = kNoTime;
  std::size_t images_compared = 0;
  std::vector<ImageChange> changes;               // in repository, then image order
  DiffCounts total;
  std::map<std::uint32_t, DiffCounts> per_repo;   // repositories with a changed verdict
  // The change in the monthly saving: NEW's plan minus OLD's, each at its own rates, so an
  // image whose verdict stays counts too when the archive tiers differ.
  double saving_delta = 0;
  std::map<std::uint32_t, double> saving_delta_of_repo;
  // With --in-use: each file, the images of the snapshot it names, and how many of those
  // `protect in_use` kept from a rule under each policy.
  struct InUseSource {
    std::string file;
    Micros read_at = kNoTime;
    std::size_t references = 0, images = 0, kept_old = 0, kept_new = 0;
  };
  std::vector<InUseSource> in_use_sources;
  // The snapshot files compared on (for the report's heading; the registry says when it
  // was captured and from where).
  std::vector<std::string> snapshot_files;
  bool compared_requests = false;
  std::size_t requests = 0;
  std::vector<RequestChange> request_changes;

  // The settings the two policies would put on the snapshot's repositories and registry,
  // where they differ (settings/policy_settings_diff.h).
  std::vector<PolicySettingChange> setting_changes;

  bool changed() const { return !changes.empty() || !request_changes.empty() || !setting_changes.empty(); }
};

// Compares the lifecycle verdicts of every image of the repositories both runs evaluated
// (`only`: that repository alone, or all).
PolicyDiff compare_lifecycle(const Registry& registry, const DiffSide& old_side, const DiffSide& new_side, std::string_view only,
                             Micros now);

// Runs every request of the log at `path` (JSON Lines or CloudTrail) through both policies,
// in log order, each following the tags its allowed pushes move; records those whose
// decision differs. False with `err` (file:line) on a malformed log.
bool compare_requests(const Registry& registry, const PolicyPlan& old_policy, const PolicyPlan& new_policy, const std::string& path,
                      PolicyDiff& diff, std::string& err);

}  // namespace regpol
