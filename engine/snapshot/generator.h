#pragma once
// A deterministic generator of realistic registry snapshots, for demos, tests and
// benchmarks: semver releases, pr-N and git-sha tags, `latest`, untagged images, multi-arch
// indexes with children, scan findings, pull times, archived images, and a long tail of
// repository sizes. The same options always give the same bytes.
#include <cstdint>
#include <cstdio>
#include <string>

namespace regpol {

struct GeneratorOptions {
  std::uint64_t repositories = 10;
  std::uint64_t images_per_repository = 20;  // the mean; sizes follow a long-tailed law
  std::uint64_t seed = 1;
  bool ecr_format = true;                     // describe-images output; else regpol snapshot JSON
  std::string now = "2026-11-27T00:00:00Z";   // times are laid out before this instant
};

// Writes the snapshot to `out`; returns the number of images written.
std::uint64_t generate_snapshot(const GeneratorOptions& options, std::FILE* out);

}  // namespace regpol
