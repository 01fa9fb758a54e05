#pragma once
// `regpol snapshot pull ecr`: every matching repository's settings and images, read with
// DescribeRepositories, DescribeImages (pages of 1,000), GetLifecyclePolicy,
// GetRepositoryPolicy and ListTagsForResource, the registry's scanning and replication
// configurations (GetRegistryScanningConfiguration, DescribeRegistry), and the manifests of active index images
// (BatchGetImage) for their children, `jobs` repositories at a time, written as a
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
  // Read the manifests of index images for their children (BatchGetImage; ECR records
  // each read as a pull). Off: every index is written with `childrenUnknown`.
  bool index_manifests = true;
  // Settings only (apply --settings reads what the registry holds now): repositories with
  // their policies and the registry's configurations, no images.
  bool settings_only = false;
  // Called (from the worker threads) after each repository is read: repositories done, of
  // how many, and images read so far.
  std::function<void(std::size_t done, std::size_t total, std::size_t images)> progress;
};

struct PullStats {
  std::size_t repositories = 0, images = 0;
  long calls = 0;
  // Index manifests read for their children, and those ECR would not hand out (archived,
  // or their KMS key refused): the children of those stay unknown.
  std::size_t index_manifests = 0, index_manifests_unreadable = 0;
  // Index images written with `childrenUnknown` (not read: archived, unreadable, or the
  // pull was told not to read manifests).
  std::size_t children_unknown = 0;
  std::size_t referrer_calls = 0;  // ListImageReferrers pages (add_referrer_subjects)
  // Registry configurations the credentials may not read (AccessDeniedException): the
  // snapshot leaves them unknown rather than failing a pull that needs only images.
  std::vector<std::string> registry_settings_denied;
};

// The snapshot document's text. False with `error` (the operation and repository that
// failed, and the kind of the failure: Retryable when ECR could not answer now): nothing is
// returned in part.
bool pull_ecr_snapshot(EcrClient& client, const PullOptions& options, std::string& document, PullStats& stats, Error& error);

// A snapshot's `source` for ECR: "ecr:REGION/ACCOUNT" ("ecr:REGION" when the account is
// not known). apply compares it with `--target ecr`'s region and registry id.
std::string ecr_source(const std::string& region, const std::string& account);

// The children of a repository's active index images, from their manifests (BatchGetImage,
// 100 at a time, asking for index media types only, so ECR hands each back as pushed),
// added to `details` (a DescribeImages answer) as `children`. An index deleted since
// DescribeImages listed it is dropped from `details`; one ECR will not hand out (archived,
// its KMS key refused) keeps no children and is counted unreadable; every index left
// without children (those, and archived ones, which are not read) is marked
// `childrenUnknown`. Any other failure is an error. ECR records each manifest read as a pull of that index.
struct IndexGraphStats {
  std::size_t read = 0, unreadable = 0;
};
bool add_index_children(EcrClient& client, const std::string& repository, std::vector<nlohmann::json>& details, IndexGraphStats& stats,
                        EcrError& error);

// Artifacts ECR describes without `subjectManifestDigest` (an artifactMediaType that is not
// an image config, and no subject): their subjects, from ListImageReferrers asked for each
// other image of the repository (all artifact states), written into `details` as
// `subjectManifestDigest`. A repository without such artifacts costs no call. `calls`
// counts the ListImageReferrers pages read.
bool add_referrer_subjects(EcrClient& client, const std::string& repository, std::vector<nlohmann::json>& details, std::size_t& calls,
                           EcrError& error);

// Marks every index image of `details` that has no `children` with `childrenUnknown`.
void mark_children_unknown(std::vector<nlohmann::json>& details);

// One describe-images imageDetail (with its `children`, add_index_children) as a regpol snapshot image.
nlohmann::json snapshot_image(const nlohmann::json& detail, const std::string& repository);

}  // namespace regpol::aws
