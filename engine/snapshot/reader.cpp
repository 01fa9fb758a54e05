#include "snapshot/reader.h"

#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <unordered_map>

#include "snapshot/fast_stream.h"
#include "snapshot/json_stream.h"
#include "snapshot/validate.h"
#include "util/huge_pages.h"
#include "util/parallel.h"
#include "util/text.h"

namespace regpol {

namespace {

enum class Field {
  Unknown, Repo, RegistryId, Digest, Tags, Size, PushedAt, LastPulled, ManifestType, ArtifactType,
  Critical, High, Medium, Low, Informational, Status, StorageClassF, LastArchived, LastActivated,
  Subject, Children, ChildrenUnknown, ScanSummary, ScanCompleted, PushedAtSource, Layers, LayerDigest, LayerSize,
  // repositories
  RepoArn, CreatedAt, Mutability, MutabilityFilter, ScanOnPush, Encryption, KmsKey, LifecyclePolicy, RepositoryPolicy,
};

struct FieldName {
  std::string_view name;
  Field field;
};

// Both ECR's names and regpol's own (docs/snapshots.md) are accepted in image elements.
constexpr FieldName kImageFields[] = {
    {"repositoryName", Field::Repo}, {"repository", Field::Repo},
    {"registryId", Field::RegistryId},
    {"imageDigest", Field::Digest}, {"digest", Field::Digest},
    {"imageTags", Field::Tags}, {"tags", Field::Tags},
    {"imageSizeInBytes", Field::Size}, {"sizeBytes", Field::Size},
    {"imagePushedAt", Field::PushedAt}, {"pushedAt", Field::PushedAt},
    {"lastRecordedPullTime", Field::LastPulled}, {"lastPulledAt", Field::LastPulled},
    {"imageManifestMediaType", Field::ManifestType}, {"manifestMediaType", Field::ManifestType},
    {"artifactMediaType", Field::ArtifactType},
    {"imageScanFindingsSummary.findingSeverityCounts.CRITICAL", Field::Critical},
    {"imageScanFindingsSummary.findingSeverityCounts.HIGH", Field::High},
    {"imageScanFindingsSummary.findingSeverityCounts.MEDIUM", Field::Medium},
    {"imageScanFindingsSummary.findingSeverityCounts.LOW", Field::Low},
    {"imageScanFindingsSummary.findingSeverityCounts.INFORMATIONAL", Field::Informational},
    {"findings.critical", Field::Critical}, {"findings.high", Field::High},
    {"findings.medium", Field::Medium}, {"findings.low", Field::Low},
    {"findings.informational", Field::Informational},
    // The summary object itself: its presence means "scanned", even with no severity counts.
    {"imageScanFindingsSummary", Field::ScanSummary},
    {"imageScanFindingsSummary.findingSeverityCounts", Field::ScanSummary},
    {"findings", Field::ScanSummary},
    {"imageScanFindingsSummary.imageScanCompletedAt", Field::ScanCompleted}, {"scannedAt", Field::ScanCompleted},
    {"imageStatus", Field::Status}, {"status", Field::Status},
    {"storageClass", Field::StorageClassF},
    {"lastArchivedAt", Field::LastArchived}, {"lastActivatedAt", Field::LastActivated},
    {"subjectManifestDigest", Field::Subject}, {"subject", Field::Subject},
    {"children", Field::Children}, {"childrenUnknown", Field::ChildrenUnknown},
    {"pushedAtSource", Field::PushedAtSource},
    {"layers", Field::Layers}, {"layers.digest", Field::LayerDigest}, {"layers.size", Field::LayerSize},
};

constexpr FieldName kRepoFields[] = {
    {"repositoryName", Field::Repo}, {"name", Field::Repo},
    {"registryId", Field::RegistryId},
    {"repositoryArn", Field::RepoArn}, {"arn", Field::RepoArn},
    {"createdAt", Field::CreatedAt},
    {"imageTagMutability", Field::Mutability}, {"mutability", Field::Mutability},
    {"imageTagMutabilityExclusionFilters.filter", Field::MutabilityFilter},
    {"mutabilityExclusions", Field::MutabilityFilter},
    {"imageScanningConfiguration.scanOnPush", Field::ScanOnPush}, {"scanOnPush", Field::ScanOnPush},
    {"encryptionConfiguration.encryptionType", Field::Encryption}, {"encryption", Field::Encryption},
    {"encryptionConfiguration.kmsKey", Field::KmsKey}, {"kmsKey", Field::KmsKey},
    {"lifecyclePolicy", Field::LifecyclePolicy}, {"repositoryPolicy", Field::RepositoryPolicy},
};

// Field names grouped by length: a lookup compares the path with the one to three names of
// its length, with no hashing (it runs for every value of every image).
template <std::size_t N>
Field lookup(const FieldName (&table)[N], std::string_view path) {
  static const std::vector<std::vector<FieldName>> by_length = [&] {
    std::vector<std::vector<FieldName>> v;
    for (const auto& f : table) {
      if (v.size() <= f.name.size()) v.resize(f.name.size() + 1);
      v[f.name.size()].push_back(f);
    }
    return v;
  }();
  if (path.size() >= by_length.size()) return Field::Unknown;
  for (const auto& f : by_length[path.size()]) {
    if (std::memcmp(f.name.data(), path.data(), path.size()) == 0) return f.field;
  }
  return Field::Unknown;
}

class SnapshotHandler : public JsonElementHandler {
 public:
  explicit SnapshotHandler(Registry& reg) : reg_(reg) {}

  bool top_value(std::string_view key, const JsonValue& v) override {
    if (key == "capturedAt") {
      auto t = timestamp(v);
      if (!t) return reject("$.capturedAt", "`capturedAt` is not a timestamp with a zone");
      if (reg_.captured_at == kNoTime || *t > reg_.captured_at) reg_.captured_at = *t;
    } else if (key == "registryKind") {
      if (v.kind != JsonKind::String || (v.string != "ecr" && v.string != "distribution")) {
        return reject("$.registryKind", "unknown registry kind (expected \"ecr\" or \"distribution\")");
      }
      if (v.string == "distribution") reg_.referrers_follow_subject = true;
    } else if (key == "source") {
      if (v.kind != JsonKind::String) return reject("$.source", "`source` must be a string naming the registry (\"ecr:REGION\", \"oci://HOST\")");
      if (!reg_.source.empty() && reg_.source != v.string) reg_.mixed_sources = true;
      if (reg_.source.empty()) reg_.source = std::string(v.string);
    } else if (key == "registryScanningConfiguration" || key == "registryReplicationConfiguration") {
      // ECR's configuration objects, kept as their JSON text (read where they are compared).
      if (v.kind != JsonKind::String) return reject("$." + std::string(key), "`" + std::string(key) + "` must be a string holding ECR's configuration as JSON text");
      std::string& slot = key == "registryScanningConfiguration" ? reg_.scanning_configuration : reg_.replication_configuration;
      if (slot.empty()) slot = std::string(v.string);
    } else if (key == "schema") {
      if (v.kind != JsonKind::String || v.string != "regpol.snapshot/v1") {
        return reject("$.schema", "unsupported snapshot schema (expected \"regpol.snapshot/v1\")");
      }
    }
    return true;
  }

  bool begin_element(std::string_view top_key, std::size_t index) override {
    index_ = index;
    top_key_ = std::string(top_key);
    kind_ = (top_key == "imageDetails" || top_key == "images") ? Kind::Image
            : top_key == "repositories"                        ? Kind::Repo
                                                               : Kind::Ignored;
    repo_name_.clear();
    digest_.clear();
    tags_.clear();
    children_.clear();
    children_unknown_ = false;
    filters_.clear();
    img_ = Image{};
    repo_ = Repository{};
    registry_id_.clear();
    have_status_ = false;
    have_source_ = false;
    layers_.clear();
    scanned_ = false;
    scan_completed_ = kNoTime;
    seen_fields_ = 0;
    return true;
  }

  bool field(std::string_view path, const JsonValue& v, bool in_array) override {
    if (kind_ == Kind::Ignored) return true;
    Field f = kind_ == Kind::Image ? lookup(kImageFields, path) : lookup(kRepoFields, path);
    if (f == Field::Unknown) return true;  // unknown fields are ignored
    // A field given twice (a duplicate key, or both of its names) is ambiguous: never keep
    // just the last one. List fields and the scan summary's nested names come many times.
    const bool layer_field = f == Field::Layers || f == Field::LayerDigest || f == Field::LayerSize;
    if (!in_array && f != Field::Tags && f != Field::Children && f != Field::MutabilityFilter && f != Field::ScanSummary && !layer_field) {
      auto bit = std::uint64_t{1} << static_cast<unsigned>(f);
      if (seen_fields_ & bit) return reject(at(path), "field given twice (a duplicate key, or both its ECR and regpol names)");
      seen_fields_ |= bit;
    }
    if (v.kind == JsonKind::Null) return true;
    const bool list_field = f == Field::Tags || f == Field::Children || f == Field::MutabilityFilter;
    if (layer_field) return layer_value(path, v, f, in_array);
    if (v.kind == JsonKind::ArrayStart) {
      if (list_field && !in_array) return true;
      return wrong_type(path, "an array is not allowed here");
    }
    if (f == Field::ScanSummary) {
      if (v.kind != JsonKind::ObjectStart || in_array) return wrong_type(path, "expected an object of severity counts");
      scanned_ = true;
      return true;
    }
    if (v.kind == JsonKind::ObjectStart) {
      if (f == Field::MutabilityFilter && in_array) return true;
      return wrong_type(path, "an object is not allowed here");
    }
    if (list_field && !in_array && f != Field::MutabilityFilter) return wrong_type(path, "expected an array of strings");
    switch (f) {
      case Field::Repo: return string_into(path, v, repo_name_);
      case Field::RegistryId: return string_into(path, v, registry_id_);
      case Field::Digest: return string_into(path, v, digest_);
      case Field::Tags:
        if (v.kind != JsonKind::String) return wrong_type(path, "expected a string tag");
        tags_.emplace_back(v.string);
        return true;
      case Field::Children:
        if (v.kind != JsonKind::String) return wrong_type(path, "expected a digest string");
        children_.emplace_back(v.string);
        return true;
      case Field::ChildrenUnknown:
        if (v.kind != JsonKind::Bool) return wrong_type(path, "expected true or false");
        children_unknown_ = v.boolean;
        return true;
      case Field::MutabilityFilter:
        if (v.kind != JsonKind::String) return wrong_type(path, "expected a string filter");
        filters_.emplace_back(v.string);
        return true;
      case Field::Size: {
        if (!v.is_number()) return wrong_type(path, "expected a number of bytes");
        if (v.kind == JsonKind::Integer && v.integer < 0) return reject(at(path), "negative image size");
        if (v.kind == JsonKind::Float && (v.number < 0 || v.number > 9.0e18 || v.number != std::floor(v.number))) {
          return reject(at(path), "image size must be a non-negative whole number");
        }
        // ECR sizes are Longs: more than 2^63-1 is not a size, never clamped to one.
        if (v.kind == JsonKind::Unsigned && v.unsigned_integer > static_cast<std::uint64_t>(INT64_MAX))
          return reject(at(path), "image size above 9223372036854775807 bytes (ECR's largest)");
        img_.size_bytes = v.kind == JsonKind::Unsigned ? static_cast<std::int64_t>(v.unsigned_integer)
                          : v.kind == JsonKind::Integer ? v.integer : static_cast<std::int64_t>(v.number);
        return true;
      }
      case Field::PushedAt: return time_into(path, v, img_.pushed_at);
      case Field::ScanCompleted: return time_into(path, v, scan_completed_);
      case Field::LastPulled: return time_into(path, v, img_.last_pulled_at);
      case Field::LastArchived: return time_into(path, v, img_.last_archived_at);
      case Field::LastActivated: return time_into(path, v, img_.last_activated_at);
      case Field::CreatedAt: return time_into(path, v, repo_.created_at);
      case Field::ManifestType: return intern_into(path, v, img_.manifest_media_type);
      case Field::ArtifactType: return intern_into(path, v, img_.artifact_media_type);
      case Field::Subject:
        if (v.kind == JsonKind::String) {
          if (auto why = check_digest(v.string); !why.empty()) return reject(at(path), why);
        }
        return intern_into(path, v, img_.subject);
      case Field::PushedAtSource: {
        if (v.kind != JsonKind::String) return wrong_type(path, "expected pushed, config-created, first-seen or unknown");
        if (v.string == "pushed") img_.time_source = TimeSource::Pushed;
        else if (v.string == "config-created") img_.time_source = TimeSource::ConfigCreated;
        else if (v.string == "first-seen") img_.time_source = TimeSource::FirstSeen;
        else if (v.string == "unknown") img_.time_source = TimeSource::Unknown;
        else return reject(at(path), "unknown `pushedAtSource` `" + std::string(v.string.substr(0, 64)) +
                                         "` (expected pushed, config-created, first-seen or unknown)");
        have_source_ = true;
        return true;
      }
      case Field::RepoArn: return intern_into(path, v, repo_.arn);
      case Field::Encryption: return intern_into(path, v, repo_.encryption);
      case Field::KmsKey: return intern_into(path, v, repo_.kms_key);
      case Field::LifecyclePolicy: return intern_into(path, v, repo_.lifecycle_policy);
      case Field::RepositoryPolicy: return intern_into(path, v, repo_.repository_policy);
      case Field::Critical: case Field::High: case Field::Medium: case Field::Low: case Field::Informational: {
        if (!v.is_number() || v.as_double() < 0 || v.as_double() > 2e9) return wrong_type(path, "expected a non-negative count");
        img_.findings[static_cast<std::size_t>(static_cast<int>(f) - static_cast<int>(Field::Critical))] =
            static_cast<std::int16_t>(std::min(v.as_double(), 32767.0));
        return true;
      }
      case Field::Status: {
        if (v.kind != JsonKind::String) return wrong_type(path, "expected ACTIVE, ARCHIVED or ACTIVATING");
        if (v.string == "ACTIVE") img_.status = ImageStatus::Active;
        else if (v.string == "ARCHIVED") img_.status = ImageStatus::Archived;
        else if (v.string == "ACTIVATING") img_.status = ImageStatus::Activating;
        else return reject(at(path), "unknown image status `" + std::string(v.string) + "` (expected ACTIVE, ARCHIVED or ACTIVATING)");
        have_status_ = true;
        return true;
      }
      case Field::StorageClassF: {
        if (v.kind != JsonKind::String || (v.string != "standard" && v.string != "archive")) {
          return wrong_type(path, "expected \"standard\" or \"archive\"");
        }
        if (!have_status_) img_.status = v.string == "archive" ? ImageStatus::Archived : ImageStatus::Active;
        return true;
      }
      case Field::Mutability: {
        if (v.kind != JsonKind::String) return wrong_type(path, "expected a mutability setting");
        std::string_view s = v.string;
        if (s == "MUTABLE" || s == "mutable") repo_.mutability = Mutability::Mutable;
        else if (s == "IMMUTABLE" || s == "immutable") repo_.mutability = Mutability::Immutable;
        else if (s == "MUTABLE_WITH_EXCLUSION") repo_.mutability = Mutability::MutableWithExclusion;
        else if (s == "IMMUTABLE_WITH_EXCLUSION") repo_.mutability = Mutability::ImmutableWithExclusion;
        else return reject(at(path), "unknown tag mutability `" + std::string(s) + "`");
        return true;
      }
      case Field::ScanOnPush:
        if (v.kind != JsonKind::Bool) return wrong_type(path, "expected true or false");
        repo_.scan_on_push = v.boolean ? 1 : 0;
        return true;
      default: return true;
    }
  }

  bool end_element() override {
    if (kind_ == Kind::Image) return finish_image();
    if (kind_ == Kind::Repo) return finish_repo();
    return true;
  }

 private:
  enum class Kind { Image, Repo, Ignored };

  std::string at(std::string_view path) const {
    std::string p = "$." + top_key_ + "[" + std::to_string(index_) + "]";
    if (!path.empty()) p += "." + std::string(path);
    return p;
  }
  bool reject(std::string path, std::string message) {
    error = std::move(message);
    error_path = std::move(path);
    return false;
  }
  bool wrong_type(std::string_view path, const std::string& expected) {
    return reject(at(path), "wrong type for `" + std::string(path) + "`: " + expected);
  }
  bool string_into(std::string_view path, const JsonValue& v, std::string& out) {
    if (v.kind != JsonKind::String) return wrong_type(path, "expected a string");
    out.assign(v.string);
    return true;
  }
  bool intern_into(std::string_view path, const JsonValue& v, StrId& out) {
    if (v.kind != JsonKind::String) return wrong_type(path, "expected a string");
    out = intern_cached(v.string);
    return true;
  }
  // Media types and registry ids repeat from image to image: a small direct-mapped cache of
  // recent strings spares most hash-table lookups.
  StrId intern_cached(std::string_view s) {
    std::size_t slot = (s.size() * 31 + (s.empty() ? 0 : static_cast<unsigned char>(s.back()))) % recent_.size();
    auto& [text, id] = recent_[slot];
    if (id != kNoStr && text == s) return id;
    id = reg_.strings.intern(s);
    text.assign(s);
    return id;
  }
  static std::optional<Micros> timestamp(const JsonValue& v) {
    if (v.kind == JsonKind::String) return parse_timestamp(v.string);
    if (v.is_number()) return from_epoch_seconds(v.as_double());
    return std::nullopt;
  }
  bool time_into(std::string_view path, const JsonValue& v, Micros& out) {
    if (v.kind != JsonKind::String && !v.is_number()) {
      return wrong_type(path, "expected a timestamp (ISO 8601 string with a zone, or epoch seconds)");
    }
    auto t = timestamp(v);
    if (!t) {
      std::string shown = v.kind == JsonKind::String ? "\"" + std::string(v.string.substr(0, 64)) + "\"" : "number";
      return reject(at(path), "invalid timestamp " + shown + " (expected ISO 8601 with a zone, or epoch seconds)");
    }
    if (auto why = check_image_time(*t); !why.empty()) return reject(at(path), why);
    out = *t;
    return true;
  }

  // `layers`: an array of {"digest", "size"} objects (a "mediaType" is allowed and ignored).
  bool layer_value(std::string_view path, const JsonValue& v, Field f, bool in_array) {
    if (f == Field::Layers) {
      if (v.kind == JsonKind::ArrayStart && !in_array) return true;
      if (v.kind == JsonKind::ObjectStart && in_array) {
        layers_.push_back({});
        return true;
      }
      return wrong_type(path, "expected an array of {\"digest\", \"size\"} objects");
    }
    if (layers_.empty()) return wrong_type(path, "expected an array of {\"digest\", \"size\"} objects");
    PendingLayer& l = layers_.back();
    if (f == Field::LayerDigest) {
      if (v.kind != JsonKind::String) return wrong_type(path, "expected a digest string");
      if (auto why = check_digest(v.string); !why.empty()) return reject(at(path), why);
      if (!l.digest.empty()) return reject(at(path), "field given twice");
      l.digest.assign(v.string);
      return true;
    }
    if (v.kind != JsonKind::Integer && v.kind != JsonKind::Unsigned) return wrong_type(path, "expected a number of bytes");
    if ((v.kind == JsonKind::Integer && v.integer < 0) ||
        (v.kind == JsonKind::Unsigned && v.unsigned_integer > static_cast<std::uint64_t>(INT64_MAX)))
      return reject(at(path), "layer size out of range");
    if (l.size >= 0) return reject(at(path), "field given twice");
    l.size = v.kind == JsonKind::Unsigned ? static_cast<std::int64_t>(v.unsigned_integer) : v.integer;
    return true;
  }

  bool finish_image() {
    if (repo_name_.empty()) return reject(at(""), "missing `repositoryName`");
    if (digest_.empty()) return reject(at(""), "missing `imageDigest`");
    // A registry's own push record is always a real time. A time read from an image config
    // (or first seen) may be a placeholder: it must never make an image look old.
    if (img_.time_source != TimeSource::Pushed &&
        (img_.pushed_at == kNoTime || img_.pushed_at < kPlaceholderTimeBefore || img_.time_source == TimeSource::Unknown)) {
      img_.time_source = TimeSource::Unknown;
      img_.pushed_at = kNoTime;
    }
    if (img_.pushed_at == kNoTime && img_.time_source == TimeSource::Pushed)
      return reject(at(""), have_source_ ? "`pushedAtSource` is `pushed` but `pushedAt` is missing" : "missing `imagePushedAt`");
    for (std::size_t i = 0; i < layers_.size(); ++i) {
      if (layers_[i].digest.empty() || layers_[i].size < 0)
        return reject(at("layers[" + std::to_string(i) + "]"), "a layer needs both `digest` and `size`");
    }
    if (auto why = check_repository_name(repo_name_); !why.empty()) return reject(at("repositoryName"), why);
    if (auto why = check_digest(digest_); !why.empty()) return reject(at("imageDigest"), why);
    for (std::size_t i = 0; i < tags_.size(); ++i) {
      if (auto why = check_tag(tags_[i]); !why.empty()) return reject(at("imageTags[" + std::to_string(i) + "]"), why);
    }
    for (std::size_t i = 0; i < children_.size(); ++i) {
      if (auto why = check_digest(children_[i]); !why.empty()) return reject(at("children[" + std::to_string(i) + "]"), why);
    }
    // A scan summary without a severity is a clean scan: zero findings, not "not scanned".
    if (scanned_) {
      for (auto& n : img_.findings) n = std::max<std::int16_t>(n, 0);
    }
    // describe-images lists a repository's images together: the previous image's repository
    // is usually this one, found without hashing its name.
    if (repo_name_ != last_repo_name_) {  // always true for the first image (its name is not empty)
      last_repo_ = reg_.repository(repo_name_);
      last_repo_name_ = repo_name_;
    }
    std::uint32_t r = last_repo_;
    if (!registry_id_.empty()) reg_.repositories[r].registry_id = intern_cached(registry_id_);
    img_.repo = r;
    img_.digest = reg_.strings.store(digest_);
    img_.tags_begin = static_cast<std::uint32_t>(reg_.ids.size());
    std::sort(tags_.begin(), tags_.end());
    if (auto dup = std::adjacent_find(tags_.begin(), tags_.end()); dup != tags_.end())
      return reject(at("imageTags"), "tag `" + *dup + "` appears twice on one image");
    if (tags_.size() > kMaxImageListLength) return reject(at("imageTags"), "more than 65535 tags on one image");
    if (children_.size() > kMaxImageListLength) return reject(at("children"), "more than 65535 manifest-list children");
    // Tags and digests are stored unindexed (most are unique: git shas, pr numbers, digests);
    // they are compared by value, never by id. Children follow the tags.
    for (const auto& t : tags_) reg_.ids.push_back(reg_.strings.store(t));
    img_.tag_count = static_cast<std::uint16_t>(tags_.size());
    for (const auto& c : children_) reg_.ids.push_back(reg_.strings.store(c));
    img_.child_count = static_cast<std::uint16_t>(children_.size());
    if (!layers_.empty() || reg_.has_blobs()) {
      reg_.blob_end.resize(reg_.images.size(), static_cast<std::uint32_t>(reg_.blobs.size()));  // earlier images: none
      for (const auto& l : layers_) reg_.blobs.push_back({reg_.strings.intern(l.digest), l.size});
      reg_.blob_end.push_back(static_cast<std::uint32_t>(reg_.blobs.size()));
    }
    if (children_unknown_) reg_.children_unknown.push_back(static_cast<std::uint32_t>(reg_.images.size()));
    if (scan_completed_ != kNoTime) reg_.scan_completed_at[static_cast<std::uint32_t>(reg_.images.size())] = scan_completed_;
    reg_.images.push_back(img_);  // finish_registry lists each repository's images
    return true;
  }

  bool finish_repo() {
    if (repo_name_.empty()) return reject(at(""), "missing `repositoryName`");
    if (auto why = check_repository_name(repo_name_); !why.empty()) return reject(at("repositoryName"), why);
    std::uint32_t r = reg_.repository(repo_name_);
    Repository& dst = reg_.repositories[r];
    if (!registry_id_.empty()) dst.registry_id = reg_.strings.intern(registry_id_);
    if (repo_.arn) dst.arn = repo_.arn;
    if (repo_.created_at != kNoTime) dst.created_at = repo_.created_at;
    if (repo_.mutability != Mutability::Unknown) dst.mutability = repo_.mutability;
    if (repo_.scan_on_push >= 0) dst.scan_on_push = repo_.scan_on_push;
    if (repo_.encryption) dst.encryption = repo_.encryption;
    if (repo_.kms_key) dst.kms_key = repo_.kms_key;
    if (repo_.lifecycle_policy) dst.lifecycle_policy = repo_.lifecycle_policy;
    if (repo_.repository_policy) dst.repository_policy = repo_.repository_policy;
    if (!filters_.empty()) {
      dst.mutability_exclusions.clear();
      for (const auto& f : filters_) dst.mutability_exclusions.push_back(reg_.strings.intern(f));
    }
    return true;
  }

  Registry& reg_;
  std::size_t index_ = 0;
  std::string top_key_;
  Kind kind_ = Kind::Ignored;
  std::string repo_name_, digest_, registry_id_;
  std::vector<std::string> tags_, children_, filters_;
  Image img_;
  Repository repo_;
  bool have_status_ = false;
  bool have_source_ = false;  // `pushedAtSource` was given
  struct PendingLayer {
    std::string digest;
    std::int64_t size = -1;
  };
  std::vector<PendingLayer> layers_;
  bool scanned_ = false;  // the element has a findings summary (docs/snapshots.md)
  Micros scan_completed_ = kNoTime;
  bool children_unknown_ = false;  // `childrenUnknown`: an index whose children were not read
  std::uint64_t seen_fields_ = 0;  // one bit per Field set in this element
  std::uint32_t last_repo_ = 0;
  std::string last_repo_name_;
  std::array<std::pair<std::string, StrId>, 16> recent_{};
};

bool finish_stream(const JsonStreamResult& r, std::string_view name, LoadError& error) {
  if (r.ok) {
    // `{}` or `{"other": []}` is not an empty snapshot: it is not a snapshot at all.
    for (const auto& key : r.top_arrays) {
      if (key == "imageDetails" || key == "images" || key == "repositories") return true;
    }
    error.file = std::string(name);
    error.location = "$";
    error.message = "not a snapshot: no `imageDetails`, `images` or `repositories` array at the top level";
    return false;
  }
  error.file = std::string(name);
  error.location = r.location;
  error.message = r.message;
  return false;
}

}  // namespace

SnapshotFormat sniff_snapshot_head(std::string_view head) {
  if (head.size() >= 16 && std::memcmp(head.data(), "SQLite format 3", 16) == 0) return SnapshotFormat::Sqlite;
  if (head.empty()) return SnapshotFormat::Empty;
  if (head.substr(0, 3) == "\xEF\xBB\xBF") head.remove_prefix(3);  // a byte-order mark, as for policies
  std::size_t i = head.find_first_not_of(" \n\r\t");
  if (i == std::string_view::npos) return SnapshotFormat::Json;  // leading blanks: let the JSON reader decide
  return head[i] == '{' ? SnapshotFormat::Json : SnapshotFormat::Unknown;
}

static void register_file(Registry& registry, std::string_view name) {
  registry.source_files.emplace_back(name);
  registry.file_first_image.push_back(static_cast<std::uint32_t>(registry.images.size()));
}

bool load_json_snapshot(const std::string& path, std::FILE* f, std::string_view head, Registry& registry, LoadError& error,
                        unsigned threads) {
  // Reserve by file size so that the arrays never reallocate (a reallocation briefly holds
  // old and new copies); capacity that is never written is never resident. A pipe has no
  // size: the arrays grow as they go.
  struct stat st {};
  if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
    auto estimate = static_cast<std::size_t>(st.st_size) / 200;
    registry.images.reserve(registry.images.size() + estimate);
    registry.ids.reserve(registry.ids.size() + estimate);
    registry.strings.reserve(registry.strings.size() + 2 * estimate);
    advise_huge_pages(registry.images.data(), registry.images.capacity() * sizeof(Image));
    advise_huge_pages(registry.ids.data(), registry.ids.capacity() * sizeof(StrId));
  }
  register_file(registry, path);
  SnapshotHandler handler(registry);
  JsonStreamResult r = fast_stream_json_file(f, handler, resolve_threads(threads) > 1, head);
  if (r.ok && std::ferror(f)) r = {false, "read error: " + errno_message(errno), "", {}};
  return finish_stream(r, path, error);
}

bool load_json_snapshot_text(std::string_view name, std::string_view text, Registry& registry, LoadError& error, unsigned threads) {
  register_file(registry, name);
  SnapshotHandler handler(registry);
  return finish_stream(fast_stream_json_text(text, handler, resolve_threads(threads) > 1), name, error);
}

namespace {

// One repository's checks (a digest once, a tag on one digest) and its newest-first order.
bool check_and_order(Registry& registry, Repository& repo, LoadError& error) {
  auto where = [&](std::uint32_t idx) {
    auto [file, position] = registry.image_source(idx);
    return file + " (image " + std::to_string(position) + ")";
  };
  auto locate = [&](std::uint32_t idx) {
    auto [file, position] = registry.image_source(idx);
    error.file = file;
    error.location = "image " + std::to_string(position);
  };
  auto& imgs = repo.images;
  std::sort(imgs.begin(), imgs.end(), [&](std::uint32_t a, std::uint32_t b) {
    return registry.str(registry.images[a].digest) < registry.str(registry.images[b].digest);
  });
  for (std::size_t i = 1; i < imgs.size(); ++i) {
    const Image& a = registry.images[imgs[i - 1]];
    const Image& b = registry.images[imgs[i]];
    if (registry.str(a.digest) == registry.str(b.digest)) {
      std::uint32_t first = std::min(imgs[i - 1], imgs[i]), second = std::max(imgs[i - 1], imgs[i]);
      locate(second);
      error.message = "digest `" + std::string(registry.str(b.digest)) + "` appears twice in repository `" +
                      std::string(registry.str(repo.name)) + "` (also at " + where(first) + ")";
      return false;
    }
  }
  std::vector<std::pair<std::string_view, std::uint32_t>> pairs;
  for (auto idx : imgs) {
    const Image& img = registry.images[idx];
    for (std::uint32_t t = 0; t < img.tag_count; ++t) pairs.emplace_back(registry.str(registry.tags_of(img)[t]), idx);
  }
  std::sort(pairs.begin(), pairs.end());
  for (std::size_t i = 1; i < pairs.size(); ++i) {
    if (pairs[i].first == pairs[i - 1].first) {
      std::uint32_t first = std::min(pairs[i - 1].second, pairs[i].second), second = std::max(pairs[i - 1].second, pairs[i].second);
      locate(second);
      error.message = "tag `" + std::string(pairs[i].first) + "` names two digests in repository `" +
                      std::string(registry.str(repo.name)) + "`: `" + std::string(registry.str(registry.images[first].digest)) +
                      "` and `" + std::string(registry.str(registry.images[second].digest)) + "` (also at " + where(first) + ")";
      return false;
    }
  }
  // Newest first; equal push times by digest so the order never depends on input order.
  // An image without a usable time (TimeSource::Unknown) sorts as newest: count rules keep it.
  std::sort(imgs.begin(), imgs.end(), [&](std::uint32_t a, std::uint32_t b) {
    const Image& x = registry.images[a];
    const Image& y = registry.images[b];
    const Micros xt = x.pushed_at == kNoTime ? INT64_MAX : x.pushed_at, yt = y.pushed_at == kNoTime ? INT64_MAX : y.pushed_at;
    if (xt != yt) return xt > yt;
    return registry.str(x.digest) < registry.str(y.digest);
  });
  return true;
}

}  // namespace

bool finish_registry(Registry& registry, LoadError& error, unsigned threads) {
  // Images read after the last one that listed blobs list none.
  if (registry.has_blobs()) registry.blob_end.resize(registry.images.size(), static_cast<std::uint32_t>(registry.blobs.size()));
  // Each repository's image list, exactly sized (no doubling growth while reading).
  {
    std::vector<std::uint32_t> count(registry.repositories.size(), 0);
    for (const auto& img : registry.images) ++count[img.repo];
    for (std::size_t r = 0; r < count.size(); ++r) {
      registry.repositories[r].images.clear();
      registry.repositories[r].images.reserve(count[r]);
    }
    for (std::uint32_t i = 0; i < registry.images.size(); ++i) registry.repositories[registry.images[i].repo].images.push_back(i);
  }
  // Repositories are independent: checked and ordered on every core. Each worker keeps its
  // first failing repository; the error reported is the first of those (in reading order),
  // whatever the thread count.
  const std::size_t n = registry.repositories.size();
  std::vector<std::pair<std::size_t, LoadError>> first_failure(parallel_workers(n, threads), {SIZE_MAX, LoadError{}});
  parallel_for(n, threads, [&](std::size_t r, unsigned worker) {
    LoadError e;
    if (!check_and_order(registry, registry.repositories[r], e) && r < first_failure[worker].first) first_failure[worker] = {r, e};
  });
  auto failed = std::min_element(first_failure.begin(), first_failure.end(),
                                 [](const auto& a, const auto& b) { return a.first < b.first; });
  if (failed->first != SIZE_MAX) {
    error = failed->second;
    return false;
  }
  // Repositories by name, so reports never depend on file order.
  std::vector<std::uint32_t> order(registry.repositories.size());
  for (std::uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    return registry.str(registry.repositories[a].name) < registry.str(registry.repositories[b].name);
  });
  std::vector<Repository> sorted;
  sorted.reserve(order.size());
  std::vector<std::uint32_t> new_index(order.size());
  for (std::uint32_t i = 0; i < order.size(); ++i) {
    new_index[order[i]] = i;
    sorted.push_back(std::move(registry.repositories[order[i]]));
  }
  registry.repositories = std::move(sorted);
  registry.repo_index.clear();
  for (std::uint32_t i = 0; i < registry.repositories.size(); ++i) registry.repo_index[registry.repositories[i].name] = i;
  for (auto& img : registry.images) img.repo = new_index[img.repo];
  return true;
}

}  // namespace regpol
