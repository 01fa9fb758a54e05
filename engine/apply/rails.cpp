#include "apply/rails.h"

#include <cstdio>

#include "util/text.h"

namespace regpol {

namespace {

std::string percent(double p) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", p);
  return buf;
}

}  // namespace

void count_for_rails(ActionPlan& plan, const std::map<std::string, std::int64_t>& target_images) {
  std::map<std::string, std::int64_t> deletes;
  for (const auto& a : plan.actions) {
    if (a.kind == ActionKind::Delete && (a.status == ActionStatus::Pending || a.status == ActionStatus::Deferred)) ++deletes[a.repository];
  }
  for (auto& r : plan.repositories) {
    r.deletes = deletes[r.name];
    if (auto it = target_images.find(r.name); it != target_images.end()) r.images = it->second;
  }
}

std::vector<std::string> check_rails(const Rails& rails, const ActionPlan& plan, Micros captured_at, Micros now) {
  std::vector<std::string> trips;
  std::int64_t images = 0, deletes = 0;
  for (const auto& r : plan.repositories) {
    images += r.images;
    deletes += r.deletes;
    if (r.images > 0 && r.deletes == r.images && r.allow_empty.empty()) {
      trips.push_back("repository `" + r.name + "` would lose all its " + plural(static_cast<std::size_t>(r.images), "image") +
                      "; a policy must say `allow_empty` in the repository's lifecycle to empty it");
    }
    if (rails.max_delete_per_repository && r.deletes > *rails.max_delete_per_repository) {
      trips.push_back("repository `" + r.name + "` would lose " + std::to_string(r.deletes) + " images, more than --max-delete-per-repository " +
                      std::to_string(*rails.max_delete_per_repository));
    }
    if (rails.max_delete_percent && r.images > 0) {
      double p = 100.0 * static_cast<double>(r.deletes) / static_cast<double>(r.images);
      if (p > *rails.max_delete_percent) {
        trips.push_back("repository `" + r.name + "` would lose " + std::to_string(r.deletes) + " of " + std::to_string(r.images) +
                        " images (" + percent(p) + "), more than --max-delete-percent " + percent(*rails.max_delete_percent));
      }
    }
  }
  if (rails.max_delete && deletes > *rails.max_delete) {
    trips.push_back("the run would delete " + std::to_string(deletes) + " images, more than --max-delete " + std::to_string(*rails.max_delete));
  }
  if (rails.max_delete_percent && images > 0) {
    double p = 100.0 * static_cast<double>(deletes) / static_cast<double>(images);
    if (p > *rails.max_delete_percent) {
      trips.push_back("the run would delete " + std::to_string(deletes) + " of " + std::to_string(images) + " images (" + percent(p) +
                      "), more than --max-delete-percent " + percent(*rails.max_delete_percent));
    }
  }
  if (rails.max_snapshot_age) {
    if (captured_at == kNoTime) {
      trips.emplace_back("the snapshot does not say when it was captured (no capturedAt), so --max-snapshot-age cannot be checked");
    } else if (now - captured_at > *rails.max_snapshot_age) {
      trips.push_back("the snapshot was captured at " + format_timestamp(captured_at) + ", more than --max-snapshot-age " +
                      format_duration_option(*rails.max_snapshot_age) + " before " + format_timestamp(now));
    }
  }
  return trips;
}

}  // namespace regpol
