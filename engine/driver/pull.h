#pragma once
// `snapshot pull`: a live registry (Amazon ECR, an OCI Distribution registry) read into a
// snapshot file, checked by reading it back before it replaces the output.
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
  std::string out;                            // SNAP.json, or SNAP.db for a SQLite store (ECR only)
  std::optional<std::string> state;           // OCI: the state database (first sightings, manifest cache)
  std::optional<Micros> deadline;             // give up after this long (every request of the process)
};

struct PullSummary {
  std::size_t repositories = 0, images = 0;
  long calls = 0;
};

// Each returns an exit code (driver/exit_code.h), the error said on stderr; nothing is
// written to `request.out` unless the whole pull succeeded and reads back as a snapshot.
int pull_ecr(const EcrConnectOptions& connect, const PullRequest& request, PullSummary& summary);
int pull_oci(const std::string& address, const OciConnectOptions& connect, const PullRequest& request, PullSummary& summary);

}  // namespace regpol
