#include "driver/pull.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <mutex>

#include "driver/exit_code.h"
#include "driver/snapshots.h"
#include "registry/aws/ecr_pull.h"
#include "registry/http/http_client.h"
#include "registry/oci/oci_pull.h"
#include "store/snapshot_store.h"
#include "store/state_store.h"
#include "util/atomic_file.h"
#include "util/progress.h"
#include "util/sha256.h"

namespace regpol {
namespace {

// The state database as the OCI pull's manifest cache: looked up under a lock (one SQLite
// connection, several reader threads), new entries written in one transaction at the end.
class StateManifestCache : public oci::ManifestCache {
 public:
  explicit StateManifestCache(StateStore& store) : store_(store) {}
  bool get(const std::string& digest, oci::CachedManifest& out) override {
    std::lock_guard<std::mutex> lock(mutex_);
    return store_.cached_manifest(digest, out.body, out.content_type, out.created);
  }
  void put(const std::string& digest, const oci::CachedManifest& e) override {
    std::lock_guard<std::mutex> lock(mutex_);
    rows_.push_back({digest, e.content_type, e.body, e.created});
  }
  bool empty() override {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!empty_known_) {
      empty_ = store_.manifest_cache_empty();
      empty_known_ = true;
    }
    return empty_;
  }
  void flush() { store_.cache_manifests(rows_); }

 private:
  StateStore& store_;
  std::mutex mutex_;
  std::vector<StateStore::CachedManifestRow> rows_;
  bool empty_known_ = false, empty_ = true;
};

constexpr const char* kPulledPrefix = "sha256-";

// Read it back with the snapshot readers before it replaces --out: a registry whose data
// regpol would refuse is refused now, not at the night's apply. `final_path` names where
// it went.
int write_checked_snapshot(const std::string& document, const PullRequest& request, bool as_store, const std::string& what,
                           std::string& final_path) {
  std::string out = request.out;
  std::string tmp = out + ".pull-" + std::to_string(getpid()) + ".json";
  if (request.content_addressed) {
    std::error_code ec;
    std::filesystem::create_directories(request.out, ec);
    if (ec) return fail(kInternal, request.out + ": cannot create the folder: " + ec.message());
    out = (std::filesystem::path(request.out) / (kPulledPrefix + sha256_hex(document) + ".json")).string();
    tmp = (std::filesystem::path(request.out) / (".pull-" + std::to_string(getpid()) + ".json")).string();
  }
  final_path = out;
  if (auto e = write_file_atomically(tmp, document); !e.empty()) return fail(kInternal, e);
  Registry registry;
  LoadError lerr;
  bool ok = load_snapshots({tmp}, registry, lerr);
  if (!ok) {
    std::remove(tmp.c_str());
    return fail(kBadInput, what + ": the registry's answer is not a valid snapshot: " + lerr.to_string());
  }
  std::string err;
  if (as_store) {
    std::remove(tmp.c_str());
    switch (save_registry_sqlite(registry, out, true, err)) {
      case SaveResult::Saved: break;
      default: return fail(kInternal, err);
    }
  } else {
    std::error_code ec;
    std::filesystem::rename(tmp, out, ec);
    if (ec) {
      std::remove(tmp.c_str());
      return fail(kInternal, out + ": " + ec.message());
    }
  }
  return kOk;
}

bool ends_with_db(const std::string& path) { return path.size() > 3 && path.compare(path.size() - 3, 3, ".db") == 0; }

// A pull that failed: exit 4 when the registry could not answer now (transport, throttling
// or server errors after the retries, the --deadline): a later run tries again, so a
// scheduler retries it, as it does a stopped apply. Anything else is exit 3: the registry's
// answer, the credentials or the permissions need a person.
int pull_failed(const std::string& what, const Error& e) {
  if (e.retryable()) return fail(kInternal, what + ": " + e.message + "; nothing was written (the registry could not answer now: a later run tries again)");
  return fail(kBadInput, what + ": " + e.message + "; nothing was written");
}

void start_deadline(const PullRequest& request) {
  if (request.deadline) http::set_process_deadline(std::chrono::steady_clock::now() + std::chrono::microseconds(*request.deadline));
}

}  // namespace

int pull_oci(const std::string& address, const OciConnectOptions& connect, const PullRequest& request, PullSummary& summary) {
  start_deadline(request);
  std::string err;
  auto client = open_oci(address, connect, err);
  if (!client) return fail(kUsage, err);
  oci::OciPullOptions options;
  options.repository_globs = request.repository_globs;
  options.jobs = request.jobs;
  std::unique_ptr<StateStore> state;
  std::unique_ptr<StateManifestCache> cache;
  if (request.state) {
    state = StateStore::open(*request.state, err);
    if (!state) return fail(kBadInput, err);
    cache = std::make_unique<StateManifestCache>(*state);
    options.cache = cache.get();
    const std::string registry = client->endpoint().address();
    options.first_seen = [&state, registry](const std::vector<std::pair<std::string, std::string>>& images, Micros now) {
      return state->note_first_seen(registry, images, now);
    };
  }
  ProgressLine progress("pulling " + address, "", request.terminal, request.progress_interval);
  options.progress = [&progress](const char* stage, std::size_t done, std::size_t total) { progress.update(done, total, "", stage); };
  std::string document;
  oci::OciPullStats stats;
  Error pull_error;
  const bool pulled = oci::pull_oci_snapshot(*client, options, document, stats, pull_error);
  progress.end();
  if (!pulled) return pull_failed("snapshot pull " + client->endpoint().address(), pull_error);
  std::string path;
  if (int code = write_checked_snapshot(document, request, false, "snapshot pull " + client->endpoint().address(), path); code != kOk) return code;
  if (cache) cache->flush();
  summary = {stats.repositories, stats.images, stats.calls, path};
  return kOk;
}

int pull_ecr(const EcrConnectOptions& connect, const PullRequest& request, PullSummary& summary) {
  start_deadline(request);
  std::string err;
  EcrConnection ecr;
  if (!open_ecr(connect, ecr, err)) return fail(kUsage, err);
  aws::PullOptions options;
  options.repository_globs = request.repository_globs;
  options.jobs = request.jobs;
  options.index_manifests = request.index_manifests;
  ProgressLine progress("pulling ecr", "repositories", request.terminal, request.progress_interval);
  options.progress = [&progress](std::size_t done, std::size_t total, std::size_t images) {
    progress.update(done, total, std::to_string(images) + " images");
  };
  std::string document;
  aws::PullStats stats;
  Error pull_error;
  const bool pulled = aws::pull_ecr_snapshot(*ecr.client, options, document, stats, pull_error);
  progress.end();
  if (!pulled) return pull_failed("snapshot pull ecr", pull_error);
  if (stats.index_manifests_unreadable)
    std::cerr << "regpol: warning: snapshot pull ecr: " << stats.index_manifests_unreadable
              << " index manifest(s) could not be read (archived, or their KMS key refused): their children are not in the snapshot, "
                 "and ECR refuses to delete a child before its index\n";
  if (!request.index_manifests && stats.children_unknown)
    std::cerr << "regpol: warning: snapshot pull ecr --no-index-manifests: the children of " << stats.children_unknown
              << " index image(s) are not in the snapshot (marked `childrenUnknown`): they look like untagged images to a plan\n";
  for (const auto& op : stats.registry_settings_denied)
    std::cerr << "regpol: note: snapshot pull ecr: " << op << " was denied (ecr:" << op
              << "): the registry's " << (op == "DescribeRegistry" ? "replication" : "scanning")
              << " configuration is not in the snapshot, and plan and audit leave it unchecked\n";
  std::string path;
  const bool as_store = !request.content_addressed && ends_with_db(request.out);
  if (int code = write_checked_snapshot(document, request, as_store, "snapshot pull ecr", path); code != kOk) return code;
  summary = {stats.repositories, stats.images, stats.calls, path};
  return kOk;
}

std::size_t prune_pulled_snapshots(const std::string& folder, std::size_t keep, const std::string& in_use) {
  namespace fs = std::filesystem;
  std::error_code ec;
  std::vector<std::pair<fs::file_time_type, fs::path>> pulled;
  for (const auto& entry : fs::directory_iterator(folder, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(kPulledPrefix, 0) != 0 || entry.path().extension() != ".json" || !entry.is_regular_file(ec)) continue;
    pulled.emplace_back(entry.last_write_time(ec), entry.path());
  }
  std::sort(pulled.begin(), pulled.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  std::size_t removed = 0;
  for (std::size_t i = keep; i < pulled.size(); ++i) {
    if (fs::equivalent(pulled[i].second, in_use, ec)) continue;
    if (fs::remove(pulled[i].second, ec)) ++removed;
  }
  return removed;
}

}  // namespace regpol
