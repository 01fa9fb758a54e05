#pragma once
// `regpol snapshot pull oci://…`: a Distribution registry's repositories read into a regpol
// snapshot (schema regpol.snapshot/v1, registryKind "distribution"). Per repository: the
// tags, each tag's manifest, the children of indexes, attached artifacts (the referrers
// API where the registry offers it, else cosign-style `sha256-<hex>.sig` tags), the image
// configs' `created` times, and every blob (manifest, config, layers) with its size.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "registry/image/manifest.h"
#include "registry/oci/oci_client.h"
#include "util/time.h"

namespace regpol::oci {

struct OciImage {
  std::string digest, media_type, artifact_type, subject;
  std::vector<std::string> tags;      // sorted
  std::vector<std::string> children;  // indexes: the manifests they list (in this repository)
  std::vector<image::Descriptor> blobs;      // the manifest itself, then config and layers
  std::int64_t size = 0;              // the blobs' sizes summed
  Micros created = kNoTime;           // from the image config (indexes: the newest child's)
};

// What a pull learned about a manifest, by its digest: manifests are content-addressed, so
// this never goes stale. With `snapshot pull --state` a later pull asks the registry only
// which digest each tag names (a HEAD) and reads nothing it has read before.
struct CachedManifest {
  std::string body, content_type;
  std::string created;  // the image config's `created` as written ("" when none)
};
class ManifestCache {
 public:
  virtual ~ManifestCache() = default;
  // Safe to call from several threads.
  virtual bool get(const std::string& digest, CachedManifest& out) = 0;
  virtual void put(const std::string& digest, const CachedManifest& entry) = 0;
  // Nothing cached yet (a first pull): asking for digests first would only add requests.
  virtual bool empty() = 0;
};

// The images of one repository as the registry holds them now, its tags read `jobs` at a
// time. `exists` is false for a repository the registry does not know. `referrers_api`:
// in/out, whether to try the referrers API (set false the first time the registry says it
// has none).
bool read_repository(OciClient& client, const std::string& repository, std::vector<OciImage>& out, bool& exists, bool& referrers_api,
                     Error& error, ManifestCache* cache = nullptr, unsigned jobs = 1);

// The snapshot document (regpol.snapshot/v1, registryKind "distribution") of these
// repositories' images (`images[i]` are repositories[i]'s), captured at `captured` from
// `source` (the registry's oci:// address). `first_seen`: empty, or one time per image in
// that order (an earlier sighting, kNoTime when none).
std::string snapshot_document(const std::string& source, Micros captured, const std::vector<std::string>& repositories,
                              const std::vector<std::vector<OciImage>>& images, const std::vector<Micros>& first_seen);

// Given every (repository, digest) pulled and the capture time, the time an earlier pull
// first saw each (kNoTime: never), recording the new ones (StateStore::note_first_seen).
using FirstSeenLookup = std::function<std::vector<Micros>(const std::vector<std::pair<std::string, std::string>>&, Micros)>;

struct OciPullOptions {
  std::vector<std::string> repository_globs;  // empty: every repository
  unsigned jobs = 8;
  // With `--state`: an image whose config time is unknown, a placeholder, or later than
  // the time an earlier pull first saw it is dated by that first sighting instead
  // ("pushedAtSource": "first-seen"): it was pushed no later than that.
  FirstSeenLookup first_seen;
  ManifestCache* cache = nullptr;  // with `--state`
  // Called (from the worker threads) as the pull moves: its stage ("tag lists", "tags",
  // "indexes and artifacts"), the items of that stage done, of how many.
  std::function<void(const char* stage, std::size_t done, std::size_t total)> progress;
};

struct OciPullStats {
  std::size_t repositories = 0, images = 0;
  long calls = 0;
};

// The snapshot document's text. False with `error` (the request and repository that
// failed): nothing is returned in part.
bool pull_oci_snapshot(OciClient& client, const OciPullOptions& options, std::string& document, OciPullStats& stats, Error& error);

}  // namespace regpol::oci
