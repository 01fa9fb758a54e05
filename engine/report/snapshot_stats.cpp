#include "report/snapshot_stats.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "report/plan_report.h"

namespace regpol {

namespace {
// A JSON number for a byte total: exact up to 2^64 - 1 (any real registry), a double
// beyond (never wrapped).
nlohmann::json json_bytes(ByteTotal v) {
  if (v <= UINT64_MAX) return static_cast<std::uint64_t>(v);
  return static_cast<double>(v);
}
}  // namespace

std::string render_snapshot_stats(const Registry& reg, bool as_json) {
  std::size_t tagged = 0, archived = 0;
  ByteTotal bytes = 0, archived_bytes = 0;
  Micros oldest = kNoTime, newest = kNoTime;
  std::vector<std::pair<ByteTotal, std::uint32_t>> repo_bytes(reg.repositories.size());
  for (std::uint32_t r = 0; r < reg.repositories.size(); ++r) repo_bytes[r] = {0, r};
  for (const auto& img : reg.images) {
    auto size = static_cast<ByteTotal>(std::max<std::int64_t>(0, img.size_bytes));
    tagged += img.tag_count > 0;
    bytes += size;
    repo_bytes[img.repo].first += size;
    if (img.storage_class() == StorageClass::Archive) ++archived, archived_bytes += size;
    if (oldest == kNoTime || img.pushed_at < oldest) oldest = img.pushed_at;
    if (newest == kNoTime || img.pushed_at > newest) newest = img.pushed_at;
  }
  std::sort(repo_bytes.begin(), repo_bytes.end(), [&](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : reg.str(reg.repositories[a.second].name) < reg.str(reg.repositories[b.second].name);
  });
  if (repo_bytes.size() > 10) repo_bytes.resize(10);
  std::size_t n = reg.images.size();
  double archive_share = bytes > 0 ? static_cast<double>(archived_bytes) / static_cast<double>(bytes) : 0.0;
  if (as_json) {
    nlohmann::json top = nlohmann::json::array();
    for (const auto& [b, r] : repo_bytes) {
      top.push_back({{"repository", reg.str(reg.repositories[r].name)}, {"images", reg.repositories[r].images.size()}, {"bytes", json_bytes(b)}});
    }
    nlohmann::json j = {{"schema", "regpol.snapshot-stats/v1"}, {"repositories", reg.repositories.size()}, {"images", n},
                        {"tagged", tagged}, {"untagged", n - tagged}, {"bytes", json_bytes(bytes)}, {"archivedImages", archived},
                        {"archivedBytes", json_bytes(archived_bytes)}, {"archiveShare", archive_share},
                        {"oldestPush", oldest == kNoTime ? nlohmann::json() : nlohmann::json(format_timestamp(oldest))},
                        {"newestPush", newest == kNoTime ? nlohmann::json() : nlohmann::json(format_timestamp(newest))},
                        {"topRepositoriesBySize", top}};
    return j.dump(2) + "\n";
  }
  char share[32];
  std::snprintf(share, sizeof share, "%.1f%%", archive_share * 100);
  std::string out = "repositories  " + std::to_string(reg.repositories.size()) + "\n";
  out += "images        " + std::to_string(n) + " (" + std::to_string(tagged) + " tagged, " + std::to_string(n - tagged) + " untagged)\n";
  out += "size          " + human_bytes(bytes) + "\n";
  out += "archive       " + std::to_string(archived) + " images, " + human_bytes(archived_bytes) + " (" + share + " of bytes)\n";
  if (oldest != kNoTime) out += "pushed        " + format_timestamp(oldest) + " .. " + format_timestamp(newest) + "\n";
  out += "largest repositories:\n";
  for (const auto& [b, r] : repo_bytes) {
    out += "  " + human_bytes(b) + "\t" + std::to_string(reg.repositories[r].images.size()) + " images\t" +
           std::string(reg.str(reg.repositories[r].name)) + "\n";
  }
  return out;
}

}  // namespace regpol
