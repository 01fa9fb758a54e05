#pragma once
// `regpol snapshot pull ecr`: every matching repository's settings and images, read with
// DescribeRepositories, DescribeImages (pages of 1,000), GetLifecyclePolicy,
// GetRepositoryPolicy and ListTagsForResource, `jobs` repositories at a time, written as a
// regpol snapshot JSON document (schema regpol.snapshot/v1, docs/snapshots.md) whose
// repositories also carry their lifecycle policy, repository policy and resource tags.
#include <functional>
#include <string>
#include <vector>

#include "registry/aws/ecr_client.h"

namespace regpol::aws {

struct PullOptions {
  std::vector<std::string> repository_globs;  // empty: every repository
  unsigned jobs = 8;
  // Called (from the worker threads) after each repository is read: repositories done, of
  // how many, and images read so far.
  std::function<void(std::size_t done, std::size_t total, std::size_t images)> progress;
};

struct PullStats {
  std::size_t repositories = 0, images = 0;
  long calls = 0;
};

// The snapshot document's text. False with `error` (the operation and repository that
// failed, and the kind of the failure: Retryable when ECR could not answer now): nothing is
// returned in part.
bool pull_ecr_snapshot(EcrClient& client, const PullOptions& options, std::string& document, PullStats& stats, Error& error);

// A snapshot's `source` for ECR: "ecr:REGION/ACCOUNT" ("ecr:REGION" when the account is
// not known). apply compares it with `--target ecr`'s region and registry id.
std::string ecr_source(const std::string& region, const std::string& account);

// One describe-images imageDetail as a regpol snapshot image.
nlohmann::json snapshot_image(const nlohmann::json& detail, const std::string& repository);

}  // namespace regpol::aws
