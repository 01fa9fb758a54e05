#include "registry/oci/oci_pull.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>

#include "match/wildcard.h"
#include "snapshot/document_writer.h"
#include "util/cosign_tag.h"
#include "util/parallel.h"
#include "util/sha256.h"

namespace regpol::oci {

using nlohmann::json;

namespace {

// "sha256-<64 hex>" or "sha256-<64 hex>.sig" (cosign's scheme, also .att and .sbom): the
// subject digest the tag names, or "".
// The image a cosign scheme tag (`sha256-<hex>.sig`) names, or "".
std::string tag_scheme_subject(const std::string& tag) {
  std::string digest;
  std::string_view suffix;
  return cosign_tag_subject(tag, digest, suffix) ? digest : std::string();
}

// Calls work(i, error) for every i in [0, n) on `jobs` threads, until one fails: then
// nothing more starts, and `error` is what the first failure said, after context(i).
template <typename Work, typename Context>
bool each_until_failure(std::size_t n, unsigned jobs, Work&& work, Context&& context, Error& error) {
  std::atomic<bool> failed{false};
  std::mutex error_mutex;
  parallel_for(n, jobs, [&](std::size_t i, unsigned) {
    if (failed) return;
    Error e;
    bool ok = false;
    try {
      ok = work(i, e);
    } catch (const std::exception& x) {
      e = {ErrorKind::BadInput, std::string("an answer of an unexpected shape: ") + x.what()};
    }
    std::lock_guard<std::mutex> lock(error_mutex);
    if (!ok && !failed.exchange(true)) error = {e.kind, context(i) + e.message};
  });
  return !failed;
}

// One repository's read, in three steps that a pull spreads over its jobs: the tag list;
// each tag's manifest and config (any thread, any order: a big repository is not read by one
// thread); then, on one thread, what the tags lead to (indexes' children, artifacts).
class RepositoryReader {
 public:
  RepositoryReader(OciClient& c, std::string repo, ManifestCache* cache)
      : client_(c), repo_(std::move(repo)), cache_(cache), head_first_(cache && !cache->empty()) {}

  const std::string& repository() const { return repo_; }
  bool exists() const { return exists_; }
  std::size_t tag_count() const { return tags_.size(); }

  bool list_tags(Error& error) {
    if (!client_.tags(repo_, tags_, exists_, error)) return false;
    tag_digests_.assign(tags_.size(), std::string());
    return true;
  }

  // The image tag i names now. Safe to call for different tags at once.
  bool read_tag(std::size_t i, Error& error) {
    const std::string& tag = tags_[i];
    std::string digest;
    bool found = false;
    if (head_first_) {
      // Which digest the tag names now; the manifest itself only when it is new.
      if (!client_.manifest_digest(repo_, tag, digest, found, error)) return false;
      if (!found) return true;  // untagged between the list and the read
      if (!digest.empty() && !read_by_digest(digest, found, error)) return false;
    }
    if (digest.empty()) {
      OciResponse r;
      if (!client_.manifest(repo_, tag, r, found, error)) return false;
      if (!found) return true;
      if (!add(r.digest, r.body, r.content_type, nullptr, error)) return false;
      digest = r.digest;
    }
    if (found) tag_digests_[i] = digest;
    return true;
  }

  // After every tag is read: children of indexes, artifacts, then the images in digest order.
  bool finish(std::vector<OciImage>& out, bool& referrers_api, Error& error) {
    for (std::size_t i = 0; i < tags_.size(); ++i) {
      if (!tag_digests_[i].empty()) images_[tag_digests_[i]].tags.push_back(tags_[i]);
    }
    // Children of indexes, then artifacts that refer to any image read so far (which may
    // themselves be indexes or have artifacts): until nothing new turns up.
    std::set<std::string> asked_referrers;
    for (bool more = true; more;) {
      more = false;
      while (!pending_.empty()) {
        std::string d = *pending_.begin();
        pending_.erase(pending_.begin());
        if (images_.count(d)) continue;
        bool found = false;
        if (!read_by_digest(d, found, error)) return false;
        more = true;
      }
      if (!referrers_api) break;
      std::vector<std::string> digests;
      for (const auto& [d, img] : images_) {
        if (!asked_referrers.count(d)) digests.push_back(d);
      }
      for (const auto& d : digests) {
        asked_referrers.insert(d);
        std::string body;
        bool supported = false;
        if (!client_.referrers(repo_, d, body, supported, error)) return false;
        if (!supported) {
          referrers_api = false;
          break;
        }
        image::Manifest index;
        if (std::string why; !image::parse_manifest(body, image::kOciIndex, index, why)) {
          error = {ErrorKind::BadInput, "GET /v2/" + repo_ + "/referrers/" + d + ": " + why};
          return false;
        }
        for (const auto& m : index.manifests) {
          if (!images_.count(m.digest)) pending_.insert(m.digest), more = true;
        }
      }
    }
    // Artifacts found by the tag scheme: the tag names the subject.
    for (auto& [d, img] : images_) {
      if (!img.subject.empty()) continue;
      for (const auto& t : img.tags) {
        std::string s = tag_scheme_subject(t);
        if (!s.empty() && images_.count(s) && s != d) {
          img.subject = s;
          break;
        }
      }
    }
    // An index is as new as its newest child.
    for (auto& [d, img] : images_) {
      for (const auto& c : img.children) {
        auto it = images_.find(c);
        if (it != images_.end() && it->second.created != kNoTime && (img.created == kNoTime || it->second.created > img.created))
          img.created = it->second.created;
      }
    }
    out.clear();
    for (auto& [d, img] : images_) {
      std::sort(img.tags.begin(), img.tags.end());
      out.push_back(std::move(img));
    }
    return true;
  }

 private:
  // A manifest by digest: from the cache when a pull read it before (its bytes checked
  // against the digest again), else from the registry.
  bool read_by_digest(const std::string& digest, bool& found, Error& error) {
    found = true;
    if (known(digest)) return true;
    CachedManifest cached;
    if (cache_ && cache_->get(digest, cached) && "sha256:" + sha256_hex(cached.body) == digest)
      return add(digest, cached.body, cached.content_type, &cached.created, error);
    OciResponse r;
    if (!client_.manifest(repo_, digest, r, found, error)) return false;
    return !found || add(r.digest, r.body, r.content_type, nullptr, error);
  }

  bool known(const std::string& digest) {
    std::lock_guard<std::mutex> lock(mutex_);
    return claimed_.count(digest) > 0;
  }

  // `created`: the config time a cache already knows (nullptr: read the config blob). The
  // first thread to claim a digest reads its config; tags that name the same image later
  // (or at the same time) read nothing more.
  bool add(const std::string& digest, const std::string& body, const std::string& content_type, const std::string* created,
           Error& error) {
    image::Manifest m;
    if (std::string why; !image::parse_manifest(body, content_type, m, why)) {
      error = {ErrorKind::BadInput, "manifest " + digest + " of `" + repo_ + "`: " + why};
      return false;
    }
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!claimed_.insert(digest).second) return true;
    }
    OciImage img;
    img.digest = digest;
    img.media_type = m.media_type;
    img.artifact_type = m.artifact_type;
    img.subject = m.subject;
    img.blobs.push_back({m.media_type, digest, "", static_cast<std::int64_t>(body.size())});
    std::string config_created = created ? *created : "";
    if (m.is_index) {
      for (const auto& c : m.manifests) {
        if (std::find(img.children.begin(), img.children.end(), c.digest) == img.children.end()) img.children.push_back(c.digest);
      }
    } else {
      img.blobs.push_back(m.config);
      for (const auto& l : m.layers) img.blobs.push_back(l);
      if (image::is_image_config(m.config.media_type) && !created) {
        std::string config;
        if (!client_.blob(repo_, m.config.digest, config, error)) return false;
        if (std::string why; !image::parse_config_created(config, config_created, why)) {
          error = {ErrorKind::BadInput, "config " + m.config.digest + " of `" + repo_ + "`: " + why};
          return false;
        }
      }
      if (auto t = parse_timestamp(config_created)) img.created = *t;
    }
    if (cache_ && !created) cache_->put(digest, CachedManifest{body, content_type, config_created});
    for (const auto& b : img.blobs) img.size += b.size;
    std::lock_guard<std::mutex> lock(mutex_);
    for (const auto& c : img.children) {
      if (!claimed_.count(c)) pending_.insert(c);
    }
    images_.emplace(img.digest, std::move(img));
    return true;
  }

  OciClient& client_;
  const std::string repo_;
  ManifestCache* cache_;
  bool head_first_;  // ask each tag's digest (HEAD) before reading its manifest
  bool exists_ = true;
  std::vector<std::string> tags_, tag_digests_;  // the digest each tag named ("": gone)
  std::mutex mutex_;                              // guards the three below while tags are read
  std::set<std::string> claimed_;                 // digests read or being read
  std::map<std::string, OciImage> images_;
  std::set<std::string> pending_;  // digests to read by digest
};

json image_json(const std::string& repository, const OciImage& img, Micros first_seen) {
  json j = {{"repository", repository}, {"digest", img.digest}, {"tags", img.tags}, {"sizeBytes", img.size}};
  const bool placeholder = img.created == kNoTime || img.created < kPlaceholderTimeBefore;
  if (first_seen != kNoTime && (placeholder || first_seen < img.created)) {
    j["pushedAt"] = format_timestamp(first_seen);
    j["pushedAtSource"] = "first-seen";
  } else if (!placeholder) {
    j["pushedAt"] = format_timestamp(img.created);
    j["pushedAtSource"] = "config-created";
  } else {
    j["pushedAtSource"] = "unknown";
  }
  if (img.created != kNoTime) j["configCreated"] = format_timestamp(img.created);  // as the config says, for people
  if (!img.media_type.empty()) j["manifestMediaType"] = img.media_type;
  if (!img.artifact_type.empty()) j["artifactMediaType"] = img.artifact_type;
  if (!img.subject.empty()) j["subject"] = img.subject;
  if (!img.children.empty()) j["children"] = img.children;
  json blobs = json::array();
  for (const auto& b : img.blobs) blobs.push_back({{"digest", b.digest}, {"size", b.size}, {"mediaType", b.media_type}});
  j["layers"] = std::move(blobs);
  return j;
}

}  // namespace

std::string snapshot_document(const std::string& source, Micros captured, const std::vector<std::string>& repositories,
                              const std::vector<std::vector<OciImage>>& images, const std::vector<Micros>& first_seen) {
  std::string document;
  SnapshotDocumentWriter writer(document, captured, json(source), "distribution");
  for (const auto& name : repositories) writer.repository(json{{"name", name}});
  std::size_t k = 0;
  for (std::size_t i = 0; i < repositories.size(); ++i) {
    for (const auto& img : images[i]) writer.image(image_json(repositories[i], img, first_seen.empty() ? kNoTime : first_seen[k++]));
  }
  writer.finish();
  return document;
}

bool read_repository(OciClient& client, const std::string& repository, std::vector<OciImage>& out, bool& exists, bool& referrers_api,
                     Error& error, ManifestCache* cache, unsigned jobs) {
  RepositoryReader reader(client, repository, cache);
  if (!reader.list_tags(error)) return false;
  exists = reader.exists();
  if (!exists) return true;
  auto no_context = [](std::size_t) { return std::string(); };
  if (!each_until_failure(reader.tag_count(), jobs, [&](std::size_t i, Error& e) { return reader.read_tag(i, e); }, no_context, error))
    return false;
  return reader.finish(out, referrers_api, error);
}

bool pull_oci_snapshot(OciClient& client, const OciPullOptions& options, std::string& document, OciPullStats& stats, Error& error) {
  const Micros started = current_time();
  std::vector<std::string> names, repos;
  if (!client.catalog(names, error)) return false;
  for (const auto& name : names) {
    bool match = options.repository_globs.empty();
    for (const auto& g : options.repository_globs) match = match || wildcard_match(g, name);
    if (match) repos.push_back(name);
  }
  std::vector<std::unique_ptr<RepositoryReader>> readers;
  readers.reserve(repos.size());
  for (const auto& r : repos) readers.push_back(std::make_unique<RepositoryReader>(client, r, options.cache));

  // Each step spreads its requests over `jobs` threads; after a failure nothing more is read.
  auto in_repository = [&](std::size_t r) { return "repository `" + readers[r]->repository() + "`: "; };
  // The tag lists; then every tag of every repository as one list of work, so that one
  // large repository is read by all the jobs; then each repository's indexes and artifacts.
  // Each stage's items counted as they finish, for the progress line.
  auto counted = [&options](const char* stage, std::size_t total, auto work) {
    auto done = std::make_shared<std::atomic<std::size_t>>(0);
    return [&options, stage, total, done, work](std::size_t i, Error& e) {
      const bool ok = work(i, e);
      if (ok && options.progress) options.progress(stage, ++*done, total);
      return ok;
    };
  };
  if (!each_until_failure(
          readers.size(), options.jobs, counted("tag lists", readers.size(), [&](std::size_t r, Error& e) { return readers[r]->list_tags(e); }),
          in_repository, error))
    return false;
  std::vector<std::pair<std::size_t, std::size_t>> tag_work;
  for (std::size_t r = 0; r < readers.size(); ++r) {
    for (std::size_t t = 0; readers[r]->exists() && t < readers[r]->tag_count(); ++t) tag_work.emplace_back(r, t);
  }
  if (!each_until_failure(
          tag_work.size(), options.jobs,
          counted("tags", tag_work.size(), [&](std::size_t i, Error& e) { return readers[tag_work[i].first]->read_tag(tag_work[i].second, e); }),
          [&](std::size_t i) { return in_repository(tag_work[i].first); }, error))
    return false;
  std::vector<std::vector<OciImage>> images(repos.size());
  // Whether the registry has the referrers API is learnt from the first repository, read
  // alone; the others then ask it only if it does.
  std::atomic<bool> referrers_api{true};
  auto finish = counted("repositories", readers.size(), [&](std::size_t r, Error& e) {
    if (!readers[r]->exists()) return true;
    bool use_referrers = referrers_api;
    bool ok = readers[r]->finish(images[r], use_referrers, e);
    if (!use_referrers) referrers_api = false;
    return ok;
  });
  if (!readers.empty() && !each_until_failure(1, 1, finish, in_repository, error)) return false;
  if (!each_until_failure(
          readers.size() - std::min<std::size_t>(1, readers.size()), options.jobs,
          [&](std::size_t i, Error& e) { return finish(i + 1, e); }, [&](std::size_t i) { return in_repository(i + 1); }, error))
    return false;

  const Micros captured = started / kMicrosPerSecond * kMicrosPerSecond;
  std::vector<Micros> seen;
  if (options.first_seen) {
    std::vector<std::pair<std::string, std::string>> pairs;
    for (std::size_t i = 0; i < repos.size(); ++i) {
      for (const auto& img : images[i]) pairs.emplace_back(repos[i], img.digest);
    }
    seen = options.first_seen(pairs, captured);
  }
  document = snapshot_document(client.endpoint().address(), captured, repos, images, seen);
  for (const auto& list : images) stats.images += list.size();
  stats.repositories = repos.size();
  stats.calls = client.calls();
  return true;
}

}  // namespace regpol::oci
