// `regpol snapshot pull ecr`: a live ECR registry into a snapshot (JSON or a SQLite store).
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <mutex>
#include <iostream>

#include "apply/rails.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "driver/snapshots.h"
#include "cli/oci_options.h"
#include "registry/ecr/ecr_pull.h"
#include "registry/oci/oci_pull.h"
#include "store/snapshot_store.h"
#include "store/state_store.h"
#include "util/atomic_file.h"
#include "util/text.h"

namespace regpol::cli {

const char* kSnapshotPullHelp =
    "usage: regpol snapshot pull ecr [--region R] [--registry-id ID] [--profile P] [--repository GLOB...]\n"
    "                                [--endpoint-url URL] [--jobs N] --out SNAP.json|SNAP.db [--replace]\n"
    "\n"
    "Reads every matching repository of an Amazon ECR registry: its images (every field of\n"
    "describe-images, the archive class included) and settings (tag mutability and exclusions,\n"
    "scan on push, encryption, lifecycle policy, repository policy, resource tags), into a regpol\n"
    "snapshot: JSON (regpol.snapshot/v1), or a SQLite store when --out ends in .db. The\n"
    "snapshot is checked by reading it back before it replaces --out; nothing is written when\n"
    "any call fails. Credentials and region as the AWS SDKs resolve them (docs/ecr.md).\n"
    "\n"
    "  --region R          the region (default: AWS_REGION, AWS_DEFAULT_REGION, the profile's)\n"
    "  --registry-id ID    another account's registry (default: the caller's)\n"
    "  --profile P         a profile of ~/.aws/config and ~/.aws/credentials (only that profile)\n"
    "  --repository GLOB   only repositories matching (repeatable; * and ?)\n"
    "  --endpoint-url URL  a VPC endpoint or a test endpoint; http:// only to a loopback address\n"
    "  --jobs N            repositories read at a time (default 8, at most 64)\n"
    "  --deadline D        give up (nothing written, exit 3) when the pull takes longer than D\n"
    "                      (30m, 6h, 1d); each request has its own bounds (docs/limits.md)\n"
    "  --out FILE          where the snapshot goes; an existing file needs --replace\n"
    "\n"
    "usage: regpol snapshot pull oci://HOST[:PORT][/PREFIX] [--repository GLOB...] [--jobs N]\n"
    "                            [--username U --password-stdin] [--insecure] --out SNAP.json [--replace]\n"
    "\n"
    "Reads an OCI Distribution registry (the CNCF Distribution registry and the products built\n"
    "on its API): the catalog (only repositories under PREFIX when one is given), each\n"
    "repository's tags and manifests, the children of indexes, attached artifacts (signatures,\n"
    "SBOMs: the referrers API where offered, else `sha256-<hex>.sig`-style tags), image config\n"
    "`created` times, and every blob with its size, into a regpol snapshot (JSON). The\n"
    "registry records no push time: each image's is its config's `created` time; a missing\n"
    "or placeholder one (before 2000) is `unknown`, which never makes an image look old\n"
    "(docs/registries.md).\n"
    "\n"
    "  --repository GLOB   only repositories matching (repeatable; * and ?)\n"
    "  --jobs N            requests at once (default 8, at most 64), shared by the tags of\n"
    "                      all the repositories: one large repository goes as fast as many\n"
    "  --deadline D        give up (nothing written, exit 3) when the pull takes longer than D\n"
    "                      (30m, 6h, 1d); each request has its own bounds (docs/limits.md)\n"
    "  --state STATE.db    remember when each digest was first seen (kept across pulls): an\n"
    "                      image whose config time is unknown, a placeholder, or later than\n"
    "                      that is dated by its first sighting (`first-seen`) instead; and\n"
    "                      keep the manifests read (content-addressed), so a later pull asks\n"
    "                      only which digest each tag names and reads what is new\n"
    "  --out FILE          where the snapshot goes (JSON); an existing file needs --replace\n";

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
  std::size_t added() const { return rows_.size(); }

 private:
  StateStore& store_;
  std::mutex mutex_;
  std::vector<StateStore::CachedManifestRow> rows_;
  bool empty_known_ = false, empty_ = true;
};

// Read it back with the snapshot readers before it replaces --out: a registry whose data
// regpol would refuse is refused now, not at the night's apply.
int write_checked_snapshot(const std::string& document, const std::string& out, bool as_store, const std::string& what) {
  std::string tmp = out + ".pull-" + std::to_string(getpid()) + ".json";
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

}  // namespace

int snapshot_pull(const Args& args, const std::vector<std::string>& rest) {
  const bool oci = rest.size() == 1 && rest[0].rfind("oci://", 0) == 0;
  if (rest.size() != 1 || (rest[0] != "ecr" && !oci))
    throw UsageError{"`snapshot pull` needs a source: ecr or oci://HOST[:PORT][/PREFIX] (see `regpol snapshot pull --help`)"};
  auto out = args.get("--out");
  if (!out) throw UsageError{"`snapshot pull` needs --out SNAP.json or --out SNAP.db"};
  bool as_store = out->size() > 3 && out->compare(out->size() - 3, 3, ".db") == 0;
  if (std::filesystem::exists(*out) && !args.has("--replace")) throw UsageError{*out + " exists; add --replace to overwrite it"};
  for (const char* o : {"--username", "--password-stdin", "--insecure", "--state"}) {
    if (!oci && args.has(o)) throw UsageError{std::string(o) + " goes with an oci:// registry"};
  }
  for (const char* o : {"--region", "--registry-id", "--profile", "--endpoint-url"}) {
    if (oci && args.has(o)) throw UsageError{std::string(o) + " goes with `snapshot pull ecr`"};
  }
  if (oci && as_store)
    throw UsageError{"a snapshot of an OCI registry is written as JSON (--out SNAP.json): the SQLite store keeps neither blobs nor "
                     "push-time sources"};
  const auto jobs = static_cast<unsigned>(integer_option(args, "--jobs", 1, 64).value_or(8));
  if (auto d = args.get("--deadline")) {
    auto within = parse_duration_option(*d);
    if (!within) throw UsageError{"--deadline needs a duration such as 30m, 6h or 1d, not `" + *d + "`"};
    http::set_process_deadline(std::chrono::steady_clock::now() + std::chrono::microseconds(*within));
  }
  if (oci) {
    std::string err;
    auto client = open_oci_client(rest[0], args, err);
    if (!client) return fail(kUsage, err);
    oci::OciPullOptions options;
    options.repository_globs = args.all("--repository");
    options.jobs = jobs;
    std::unique_ptr<StateStore> state;
    std::unique_ptr<StateManifestCache> cache;
    if (auto path = args.get("--state")) {
      state = StateStore::open(*path, err);
      if (!state) return fail(kBadInput, err);
      cache = std::make_unique<StateManifestCache>(*state);
      options.cache = cache.get();
      const std::string registry = client->endpoint().address();
      options.first_seen = [&state, registry](const std::vector<std::pair<std::string, std::string>>& images, Micros now) {
        return state->note_first_seen(registry, images, now);
      };
    }
    std::string document;
    oci::OciPullStats stats;
    if (!oci::pull_oci_snapshot(*client, options, document, stats, err))
      return fail(kBadInput, "snapshot pull " + client->endpoint().address() + ": " + err + "; nothing was written");
    if (int code = write_checked_snapshot(document, *out, false, "snapshot pull " + client->endpoint().address()); code != kOk) return code;
    if (cache) cache->flush();
    std::cerr << "regpol: pulled " << plural(stats.images, "image") << " in " << plural(stats.repositories, "repository", "repositories")
              << " (" << stats.calls << " requests) into " << *out << "\n";
    return kOk;
  }
  std::string profile = args.get("--profile").value_or("");
  aws::EcrEndpoint endpoint;
  endpoint.region = aws::resolve_region(args.get("--region").value_or(""), profile);
  endpoint.registry_id = args.get("--registry-id").value_or("");
  endpoint.endpoint_url = args.get("--endpoint-url").value_or("");
  aws::CredentialChain chain({profile, endpoint.region});
  std::string err;
  auto client = aws::EcrClient::create(endpoint, chain, err);
  if (!client) return fail(kUsage, err);
  aws::PullOptions options;
  options.repository_globs = args.all("--repository");
  options.jobs = jobs;
  std::string document;
  aws::PullStats stats;
  if (!aws::pull_ecr_snapshot(*client, options, document, stats, err)) return fail(kBadInput, "snapshot pull ecr: " + err + "; nothing was written");

  if (int code = write_checked_snapshot(document, *out, as_store, "snapshot pull ecr"); code != kOk) return code;
  std::cerr << "regpol: pulled " << plural(stats.images, "image") << " in " << plural(stats.repositories, "repository", "repositories")
            << " (" << stats.calls << " API calls) into " << *out << "\n";
  return kOk;
}

}  // namespace regpol::cli
