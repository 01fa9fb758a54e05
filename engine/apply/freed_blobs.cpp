#include "apply/freed_blobs.h"

#include <algorithm>
#include <map>
#include <string>
#include <unordered_map>
#include <utility>

namespace regpol {

std::vector<FreedBlobGroup> freed_blob_groups(const Registry& reg, const LifecycleResult& result, const std::vector<ActionRecord>& actions) {
  if (!reg.has_blobs()) return {};
  std::map<std::pair<std::string_view, std::string_view>, std::int64_t> delete_seq;  // (repository, digest) -> seq
  for (const auto& a : actions) {
    if (a.kind == ActionKind::Delete) delete_seq.emplace(std::make_pair(std::string_view(a.repository), std::string_view(a.digest)), a.seq);
  }
  struct Use {
    bool stays = false;
    std::int64_t size = 0;
    std::vector<std::int64_t> holders;
  };
  std::unordered_map<StrId, Use> uses;
  for (std::uint32_t i = 0; i < reg.images.size(); ++i) {
    std::int64_t seq = 0;
    if (result.decisions[i].verdict == Verdict::Expire) {
      auto it = delete_seq.find({reg.repo_name(reg.images[i]), reg.str(reg.images[i].digest)});
      if (it != delete_seq.end()) seq = it->second;
    }
    auto [b, e] = reg.blobs_of(i);
    for (; b != e; ++b) {
      Use& u = uses[b->digest];
      u.size = b->size;
      if (seq) u.holders.push_back(seq);
      else u.stays = true;
    }
  }
  std::map<std::vector<std::int64_t>, std::int64_t> groups;  // holders -> bytes
  for (auto& [digest, u] : uses) {
    if (u.stays || u.holders.empty()) continue;
    std::sort(u.holders.begin(), u.holders.end());
    u.holders.erase(std::unique(u.holders.begin(), u.holders.end()), u.holders.end());
    groups[std::move(u.holders)] += std::max<std::int64_t>(0, u.size);
  }
  std::vector<FreedBlobGroup> out;
  out.reserve(groups.size());
  for (auto& [seqs, bytes] : groups) out.push_back({bytes, seqs});
  return out;
}

}  // namespace regpol
