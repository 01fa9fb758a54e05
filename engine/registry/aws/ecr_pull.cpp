#include "registry/aws/ecr_pull.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <unordered_map>
#include <unordered_set>

#include "match/wildcard.h"
#include "registry/image/manifest.h"
#include "snapshot/document_writer.h"
#include "util/parallel.h"

namespace regpol::aws {

using nlohmann::json;

namespace {

// ECR's JSON 1.1 timestamps are epoch seconds (numbers); the snapshot gets RFC 3339 text.
json time_of(const json& v) {
  if (v.is_number()) {
    auto t = from_epoch_seconds(v.get<double>());
    if (t) return format_timestamp(*t);
  }
  if (v.is_string()) return v;
  return nullptr;
}

void copy_time(const json& from, const char* key, json& to, const char* as) {
  if (from.contains(key)) {
    json t = time_of(from[key]);
    if (!t.is_null()) to[as] = t;
  }
}

struct RepoData {
  json repository;  // the snapshot's repository entry
  std::vector<json> images;
};

bool optional_text(EcrClient& client, const std::string& op, const std::string& repo, const char* missing, const char* key, json& out,
                   const char* as, EcrError& error) {
  json r;
  if (client.call(op, {{"repositoryName", repo}}, r, error)) {
    if (r.contains(key) && r[key].is_string()) out[as] = r[key];
    return true;
  }
  return error.type == missing;  // none set: not an error
}

// A registry-wide configuration (`key` of `op`'s answer) as JSON text into `out`; a denied
// call leaves it unknown and names the operation in `denied`.
bool registry_configuration(EcrClient& client, const char* op, const char* key, std::string& out, std::vector<std::string>& denied,
                            EcrError& error) {
  json r;
  if (client.call(op, json::object(), r, error)) {
    if (r.contains(key) && r[key].is_object()) out = r[key].dump();
    return true;
  }
  if (error.type != "AccessDeniedException") return false;
  denied.emplace_back(op);
  return true;
}

}  // namespace

std::string ecr_source(const std::string& region, const std::string& account) {
  return "ecr:" + region + (account.empty() ? "" : "/" + account);
}

namespace {

// BatchGetImage takes at most 100 image ids a call.
constexpr std::size_t kBatchGetImageIds = 100;

struct IndexChildren {
  std::unordered_map<std::string, std::vector<std::string>> children;
  std::unordered_set<std::string> gone;
  std::size_t read = 0, unreadable = 0;
};

bool read_index_children(EcrClient& client, const std::string& repo, const std::vector<json>& details, IndexChildren& out, EcrError& error) {
  std::vector<std::string> indexes;
  for (const auto& d : details) {
    if (image::is_index_media_type(json_string(d, "imageManifestMediaType")) && json_string(d, "imageStatus", "ACTIVE") == "ACTIVE")
      indexes.push_back(json_string(d, "imageDigest"));
  }
  for (std::size_t at = 0; at < indexes.size(); at += kBatchGetImageIds) {
    json ids = json::array();
    for (std::size_t i = at; i < std::min(indexes.size(), at + kBatchGetImageIds); ++i) ids.push_back({{"imageDigest", indexes[i]}});
    json answer;
    const json request = {{"repositoryName", repo},
                          {"imageIds", ids},
                          {"acceptedMediaTypes", {image::kOciIndex, image::kDockerManifestList}}};
    if (!client.call("BatchGetImage", request, answer, error)) return false;
    if (answer.contains("images") && answer["images"].is_array()) {
      for (const auto& img : answer["images"]) {
        std::string digest = img.contains("imageId") ? json_string(img["imageId"], "imageDigest") : "";
        // The same reading as an OCI registry's manifests (registry/image/manifest.h): ECR serves them.
        image::Manifest manifest;
        std::string why;
        if (!image::parse_manifest(json_string(img, "imageManifest"), json_string(img, "imageManifestMediaType"), manifest, why) || !manifest.is_index ||
            digest.empty()) {
          error = {"", "BatchGetImage: the manifest of index " + (digest.empty() ? std::string("(no digest)") : digest) + " is not an image index" +
                           (why.empty() ? "" : ": " + why),
                   200, ErrorKind::BadInput};
          return false;
        }
        auto& kids = out.children[digest];
        for (const auto& m : manifest.manifests) {
          if (std::find(kids.begin(), kids.end(), m.digest) == kids.end()) kids.push_back(m.digest);
        }
        ++out.read;
      }
    }
    if (answer.contains("failures") && answer["failures"].is_array()) {
      for (const auto& f : answer["failures"]) {
        std::string digest = f.contains("imageId") && f["imageId"].is_object() ? json_string(f["imageId"], "imageDigest") : "";
        std::string code = json_string(f, "failureCode");
        if (code == "ImageNotFound") {
          out.gone.insert(digest);
        } else if (code == "ImageInaccessible" || code == "KmsError") {
          ++out.unreadable;
        } else {
          error = {code, "BatchGetImage: index " + digest + ": " + code + " " + json_string(f, "failureReason"), 200, ErrorKind::BadInput};
          return false;
        }
      }
    }
  }
  return true;
}

}  // namespace

bool add_index_children(EcrClient& client, const std::string& repository, std::vector<json>& details, IndexGraphStats& stats, EcrError& error) {
  IndexChildren graph;
  if (!read_index_children(client, repository, details, graph, error)) return false;
  if (!graph.gone.empty()) {
    details.erase(std::remove_if(details.begin(), details.end(), [&](const json& d) { return graph.gone.count(json_string(d, "imageDigest")) > 0; }),
                  details.end());
  }
  for (auto& d : details) {
    if (auto it = graph.children.find(json_string(d, "imageDigest")); it != graph.children.end()) d["children"] = it->second;
  }
  stats.read += graph.read;
  stats.unreadable += graph.unreadable;
  mark_children_unknown(details);
  return true;
}

bool add_referrer_subjects(EcrClient& client, const std::string& repository, std::vector<json>& details, std::size_t& calls, EcrError& error) {
  auto artifact_without_subject = [](const json& d) {
    const std::string type = json_string(d, "artifactMediaType");
    return !type.empty() && !image::is_image_config(type) && json_string(d, "subjectManifestDigest").empty();
  };
  if (std::none_of(details.begin(), details.end(), artifact_without_subject)) return true;
  std::unordered_map<std::string, std::string> subject_of;  // referrer -> subject
  for (const auto& d : details) {
    if (artifact_without_subject(d)) continue;  // an artifact is not asked for its own referrers
    const std::string digest = json_string(d, "imageDigest");
    std::vector<json> referrers;
    json input = {{"repositoryName", repository}, {"subjectId", {{"imageDigest", digest}}}, {"filter", {{"artifactStatus", "ANY"}}},
                  {"maxResults", 50}};
    const long before = client.calls();
    if (!client.call_all("ListImageReferrers", input, "referrers", referrers, error)) return false;
    calls += static_cast<std::size_t>(client.calls() - before);
    for (const auto& r : referrers) {
      const std::string referrer = json_string(r, "digest");
      if (image::valid_digest(referrer) && referrer != digest) subject_of.emplace(referrer, digest);
    }
  }
  for (auto& d : details) {
    if (!json_string(d, "subjectManifestDigest").empty()) continue;
    if (auto it = subject_of.find(json_string(d, "imageDigest")); it != subject_of.end()) d["subjectManifestDigest"] = it->second;
  }
  return true;
}

void mark_children_unknown(std::vector<json>& details) {
  for (auto& d : details) {
    if (!d.contains("children") && image::is_index_media_type(json_string(d, "imageManifestMediaType"))) d["childrenUnknown"] = true;
  }
}

json snapshot_image(const json& d, const std::string& repository) {
  json img = {{"repository", repository}, {"digest", json_string(d, "imageDigest")}};
  json tags = json::array();
  if (d.contains("imageTags") && d["imageTags"].is_array()) tags = d["imageTags"];
  img["tags"] = tags;
  if (d.contains("imageSizeInBytes")) img["sizeBytes"] = d["imageSizeInBytes"];
  copy_time(d, "imagePushedAt", img, "pushedAt");
  copy_time(d, "lastRecordedPullTime", img, "lastPulledAt");
  copy_time(d, "lastArchivedAt", img, "lastArchivedAt");
  copy_time(d, "lastActivatedAt", img, "lastActivatedAt");
  for (const auto& [from, to] : {std::pair{"imageManifestMediaType", "manifestMediaType"}, std::pair{"artifactMediaType", "artifactMediaType"},
                                 std::pair{"subjectManifestDigest", "subject"}, std::pair{"imageStatus", "status"}, std::pair{"registryId", "registryId"}}) {
    if (d.contains(from) && d[from].is_string()) img[to] = d[from];
  }
  if (d.contains("children") && d["children"].is_array()) img["children"] = d["children"];  // add_index_children
  if (d.contains("childrenUnknown")) img["childrenUnknown"] = true;                             // mark_children_unknown
  if (d.contains("imageScanFindingsSummary") && d["imageScanFindingsSummary"].is_object()) {
    json counts = d["imageScanFindingsSummary"].contains("findingSeverityCounts") ? d["imageScanFindingsSummary"]["findingSeverityCounts"] : json::object();
    if (!counts.is_object()) counts = json::object();
    json f = {{"critical", 0}, {"high", 0}, {"medium", 0}, {"low", 0}, {"informational", 0}};
    for (auto& [k, v] : counts.items()) {
      std::string lower = k;
      for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (f.contains(lower) && v.is_number_integer()) f[lower] = v;
    }
    img["findings"] = f;
    copy_time(d["imageScanFindingsSummary"], "imageScanCompletedAt", img, "scannedAt");
  }
  return img;
}

bool pull_ecr_snapshot(EcrClient& client, const PullOptions& options, std::string& document, PullStats& stats, Error& error) {
  auto started = std::chrono::system_clock::now();
  std::vector<json> repos;
  EcrError err;
  if (!client.call_all("DescribeRepositories", {{"maxResults", 1000}}, "repositories", repos, err)) {
    error = {err.kind, err.message};
    return false;
  }
  std::vector<RepoData> data;
  // The account the snapshot is of: the one asked for, else the one the answers name.
  std::string account = client.endpoint().registry_id;
  for (const auto& r : repos) {
    if (account.empty()) account = json_string(r, "registryId");
    std::string name = json_string(r, "repositoryName");
    bool match = options.repository_globs.empty();
    for (const auto& g : options.repository_globs) match = match || wildcard_match(g, name);
    if (!match) continue;
    json entry = {{"name", name}};
    if (r.contains("registryId")) entry["registryId"] = r["registryId"];
    if (r.contains("repositoryArn")) entry["arn"] = r["repositoryArn"];
    copy_time(r, "createdAt", entry, "createdAt");
    if (r.contains("imageTagMutability")) entry["mutability"] = r["imageTagMutability"];
    if (r.contains("imageTagMutabilityExclusionFilters") && r["imageTagMutabilityExclusionFilters"].is_array()) {
      json ex = json::array();
      for (const auto& f : r["imageTagMutabilityExclusionFilters"]) {
        if (f.contains("filter")) ex.push_back(f["filter"]);
      }
      entry["mutabilityExclusions"] = ex;
    }
    if (r.contains("imageScanningConfiguration")) entry["scanOnPush"] = json_bool(r["imageScanningConfiguration"], "scanOnPush", false);
    if (r.contains("encryptionConfiguration")) {
      entry["encryption"] = json_string(r["encryptionConfiguration"], "encryptionType", "AES256");
      if (r["encryptionConfiguration"].contains("kmsKey")) entry["kmsKey"] = r["encryptionConfiguration"]["kmsKey"];
    }
    data.push_back({std::move(entry), {}});
  }

  std::string scanning, replication;
  {
    EcrError e;
    if (!registry_configuration(client, "GetRegistryScanningConfiguration", "scanningConfiguration", scanning, stats.registry_settings_denied, e) ||
        !registry_configuration(client, "DescribeRegistry", "replicationConfiguration", replication, stats.registry_settings_denied, e)) {
      error = {e.kind, "the registry's settings: " + e.message};
      return false;
    }
  }

  std::atomic<bool> failed{false};
  std::atomic<std::size_t> repositories_done{0}, images_read{0}, indexes_read{0}, indexes_unreadable{0}, children_unknown{0}, referrer_calls{0};
  std::mutex error_mutex;
  auto fail_with = [&](ErrorKind kind, const std::string& message) {
    std::lock_guard<std::mutex> lock(error_mutex);
    if (!failed.exchange(true)) error = {kind, message};
  };
  // `jobs` repositories at a time; after a failure nothing more is read. An answer of an
  // unexpected shape is an error of the pull, never a crash of the thread.
  parallel_for(data.size(), options.jobs, [&](std::size_t i, unsigned) {
    if (failed) return;
    try {
      RepoData& d = data[i];
      std::string name = d.repository["name"].get<std::string>();
      EcrError e;
      std::vector<json> details;
      bool ok = (options.settings_only || client.call_all("DescribeImages", {{"repositoryName", name}, {"maxResults", 1000}}, "imageDetails", details, e)) &&
                optional_text(client, "GetLifecyclePolicy", name, "LifecyclePolicyNotFoundException", "lifecyclePolicyText", d.repository,
                              "lifecyclePolicy", e) &&
                optional_text(client, "GetRepositoryPolicy", name, "RepositoryPolicyNotFoundException", "policyText", d.repository,
                              "repositoryPolicy", e);
      if (ok && d.repository.contains("arn") && !options.settings_only) {
        json tags;
        ok = client.call("ListTagsForResource", {{"resourceArn", d.repository["arn"]}}, tags, e);
        if (ok && tags.contains("tags")) d.repository["tags"] = tags["tags"];
      }
      IndexGraphStats graph;
      std::size_t referrer_pages = 0;
      if (ok) ok = add_referrer_subjects(client, name, details, referrer_pages, e);
      if (ok && options.index_manifests) ok = add_index_children(client, name, details, graph, e);
      if (ok && !options.index_manifests) mark_children_unknown(details);
      if (!ok) {
        fail_with(e.kind, "repository `" + name + "`: " + e.message);
        return;
      }
      for (const auto& x : details) {
        d.images.push_back(snapshot_image(x, name));
        children_unknown += x.contains("childrenUnknown") ? 1 : 0;
      }
      indexes_read += graph.read;
      referrer_calls += referrer_pages;
      indexes_unreadable += graph.unreadable;
      const std::size_t read = images_read += details.size();
      if (options.progress) options.progress(++repositories_done, data.size(), read);
    } catch (const std::exception& x) {
      fail_with(ErrorKind::BadInput, std::string("an answer of an unexpected shape: ") + x.what());
    }
  });
  if (failed) return false;

  Micros captured = std::chrono::duration_cast<std::chrono::microseconds>(started.time_since_epoch()).count();
  document.clear();
  std::vector<std::pair<std::string, std::string>> registry_settings;
  if (!scanning.empty()) registry_settings.emplace_back("registryScanningConfiguration", scanning);
  if (!replication.empty()) registry_settings.emplace_back("registryReplicationConfiguration", replication);
  SnapshotDocumentWriter writer(document, captured / kMicrosPerSecond * kMicrosPerSecond, ecr_source(client.endpoint().region, account), {},
                                registry_settings);
  for (const auto& d : data) writer.repository(d.repository);
  for (const auto& d : data) {
    for (const auto& img : d.images) writer.image(img);
  }
  writer.finish();
  stats.images = writer.images();
  stats.repositories = data.size();
  stats.calls = client.calls();
  stats.index_manifests = indexes_read;
  stats.index_manifests_unreadable = indexes_unreadable;
  stats.children_unknown = children_unknown;
  stats.referrer_calls = referrer_calls;
  return true;
}

}  // namespace regpol::aws
