#pragma once
// `--shard I/N`: repositories split into N parts by a stable hash of their name, so N
// workers (a Kubernetes Indexed Job, an AWS Batch array job) cover a registry once between
// them. The hash (FNV-1a, 64 bits) must never change: a worker's share would move.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace regpol {

struct Shard {
  std::uint32_t index = 0;  // 0 … count-1 (JOB_COMPLETION_INDEX, AWS_BATCH_JOB_ARRAY_INDEX)
  std::uint32_t count = 1;

  bool all() const { return count == 1; }
  bool contains(std::string_view repository) const {
    if (count <= 1) return true;
    std::uint64_t h = 14695981039346656037ULL;
    for (unsigned char c : repository) {
      h ^= c;
      h *= 1099511628211ULL;
    }
    return h % count == index;
  }
  std::string text() const { return std::to_string(index) + "/" + std::to_string(count); }

  // "I/N" with 0 <= I < N <= 10000; nullopt otherwise.
  static std::optional<Shard> parse(std::string_view s) {
    auto slash = s.find('/');
    if (slash == std::string_view::npos || slash == 0 || slash + 1 == s.size()) return std::nullopt;
    std::uint64_t parts[2] = {0, 0};
    std::string_view texts[2] = {s.substr(0, slash), s.substr(slash + 1)};
    for (int k = 0; k < 2; ++k) {
      if (texts[k].size() > 5) return std::nullopt;
      for (char c : texts[k]) {
        if (c < '0' || c > '9') return std::nullopt;
        parts[k] = parts[k] * 10 + static_cast<std::uint64_t>(c - '0');
      }
    }
    if (parts[1] < 1 || parts[1] > 10000 || parts[0] >= parts[1]) return std::nullopt;
    return Shard{static_cast<std::uint32_t>(parts[0]), static_cast<std::uint32_t>(parts[1])};
  }
};

}  // namespace regpol
