#pragma once
// `snapshot pull`: a live registry (Amazon ECR, an OCI Distribution registry) read into a
// snapshot file, checked by reading it back before it replaces the output.
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "driver/registry_connect.h"
#include "util/time.h"

namespace regpol {

struct PullRequest {
  std::vector<std::string> repository_globs;  // empty: every repository
  unsigned jobs = 8;
  bool index_manifests = true;                // ECR: read index manifests for their children
  std::string out;                            // SNAP.json, or SNAP.db for a SQLite store (ECR only)
  // `out` is a folder that keeps pulled snapshots by content: the snapshot goes to
  // OUT/sha256-HEX.json (HEX: the SHA-256 of the file), named in PullSummary::path.
  bool content_addressed = false;
  std::optional<std::string> state;           // OCI: the state database (first sightings, manifest cache)
  std::optional<Micros> deadline;             // give up after this long (every request of the process)
  // The progress line on stderr: rewritten in place on a terminal, else a line every
  // `progress_interval` (0: none).
  bool terminal = false;
  std::chrono::milliseconds progress_interval{10000};
};

struct PullSummary {
  std::size_t repositories = 0, images = 0;
  long calls = 0;
  std::string path;  // where the snapshot went
};

// Each returns an exit code (driver/exit_code.h), the error said on stderr; nothing is
// written to `request.out` unless the whole pull succeeded and reads back as a snapshot.
int pull_ecr(const EcrConnectOptions& connect, const PullRequest& request, PullSummary& summary);
int pull_oci(const std::string& address, const OciConnectOptions& connect, const PullRequest& request, PullSummary& summary);

// A content-addressed folder (PullRequest::content_addressed) keeps the newest `keep`
// snapshots (by the time they were written) and always `in_use`; the rest are removed.
// Returns how many were removed.
std::size_t prune_pulled_snapshots(const std::string& folder, std::size_t keep, const std::string& in_use);

}  // namespace regpol
