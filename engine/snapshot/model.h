#pragma once
// The registry model every decision is made against: registry -> repositories -> images.
// Compact by design (millions of images): strings are interned into one pool and images
// refer to them by 32-bit ids; tag and child lists live in one shared id array.
#include <array>
#include <cstring>
#include <memory>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "snapshot/graph.h"
#include "util/huge_pages.h"
#include "util/time.h"

namespace regpol {

using StrId = std::uint32_t;
constexpr StrId kNoStr = 0;  // id 0 is the empty string, used for "absent"

// Interns strings; ids are dense and stable for the pool's lifetime.
class StringPool {
 public:
  StringPool();
  StrId intern(std::string_view s);
  // Keeps `s` without indexing it: for strings that are unique anyway (image digests), so
  // they cost no hash-table entry. find() does not see them; compare them by value.
  // A sha256 digest costs its 71 bytes and nothing else.
  StrId store(std::string_view s);
  std::string_view get(StrId id) const {
    if (id & kDigestBit) {
      std::size_t i = id & ~kDigestBit;
      return {digest_blocks_[i / kDigestsPerBlock].get() + (i % kDigestsPerBlock) * kDigestLength, kDigestLength};
    }
    // Each string is stored after its length: one byte, or 0xFF and four bytes.
    const auto* p = reinterpret_cast<const unsigned char*>(starts_[id]);
    if (p == nullptr) return {};
    std::uint32_t len = p[0];
    if (len == 0xFF) {
      std::memcpy(&len, p + 1, 4);
      return {reinterpret_cast<const char*>(p + 5), len};
    }
    return {reinterpret_cast<const char*>(p + 1), len};
  }
  std::size_t size() const { return starts_.size(); }
  void reserve(std::size_t n) {
    starts_.reserve(n);
    advise_huge_pages(starts_.data(), starts_.capacity() * sizeof(const char*));
  }
  // Looks a string up without adding it; kNoStr when absent.
  StrId find(std::string_view s) const;

 private:
  // sha256 digests, the one string every image has, are kept apart at a fixed width: no
  // length byte and no 8-byte start, their place follows from their id.
  static constexpr StrId kDigestBit = 0x80000000u;
  static constexpr std::size_t kDigestLength = 71;  // "sha256:" + 64 hex digits
  static constexpr std::size_t kDigestsPerBlock = (8u << 20) / kDigestLength;
  StrId store_digest(std::string_view s);
  std::vector<std::unique_ptr<char[]>> digest_blocks_;
  std::size_t digest_count_ = 0;

  std::vector<std::unique_ptr<char[]>> blocks_;
  std::size_t block_used_ = 0, block_size_ = 0;
  std::vector<const char*> starts_;  // 8 bytes a string: the length lives in the block
  std::unordered_map<std::string_view, StrId> index_;
};

enum class ImageStatus : std::uint8_t { Active, Archived, Activating };
enum class StorageClass : std::uint8_t { Standard, Archive };

// Where an image's `pushed_at` came from. ECR records pushes; a Distribution registry does
// not, so a pulled OCI snapshot uses the image config's `created` time or the first time
// regpol saw the digest (docs/registries.md). Unknown: no usable time at all, or a
// placeholder (reproducible builds write 1970-01-01; anything before 2000 counts as one):
// such an image is never an age candidate and sorts as newest, so count rules keep it.
enum class TimeSource : std::uint8_t { Pushed, ConfigCreated, FirstSeen, Unknown };

enum class Severity5 : std::uint8_t { Critical, High, Medium, Low, Informational };
constexpr int kSeverityCount = 5;

// At most this many tags, and this many manifest-list children, per image (the readers
// reject more with a located error): the counts are 16-bit to keep an image at 80 bytes.
constexpr std::size_t kMaxImageListLength = 65535;

struct Image {
  // 8-byte fields first, then 4, 2 and 1: 80 bytes, no padding inside.
  Micros pushed_at = kNoTime;
  Micros last_pulled_at = kNoTime;
  Micros last_archived_at = kNoTime;
  Micros last_activated_at = kNoTime;
  std::int64_t size_bytes = -1;      // -1: unknown
  StrId digest = kNoStr;
  std::uint32_t repo = 0;            // index into Registry::repositories
  std::uint32_t tags_begin = 0;      // tags, then manifest-list children (digests): a range of Registry::ids
  StrId manifest_media_type = kNoStr;
  StrId artifact_media_type = kNoStr;
  StrId subject = kNoStr;            // referrer subject digest
  std::uint16_t tag_count = 0;
  std::uint16_t child_count = 0;
  std::array<std::int16_t, kSeverityCount> findings{-1, -1, -1, -1, -1};  // -1: not scanned; counts cap at 32767
  ImageStatus status = ImageStatus::Active;
  TimeSource time_source = TimeSource::Pushed;  // fills the last byte of padding

  StorageClass storage_class() const {
    return status == ImageStatus::Active ? StorageClass::Standard : StorageClass::Archive;
  }
};

static_assert(sizeof(Image) == 80, "an image is 80 bytes (the memory budget is 200 bytes per image)");

enum class Mutability : std::uint8_t { Unknown, Mutable, Immutable, MutableWithExclusion, ImmutableWithExclusion };
// ECR's name of a mutability setting ("IMMUTABLE_WITH_EXCLUSION"); "unknown" for Unknown.
const char* mutability_name(Mutability m);

struct Repository {
  StrId name = kNoStr;
  StrId registry_id = kNoStr;
  StrId arn = kNoStr;
  Mutability mutability = Mutability::Unknown;
  std::vector<StrId> mutability_exclusions;
  std::int8_t scan_on_push = -1;     // -1 unknown
  StrId encryption = kNoStr;
  StrId kms_key = kNoStr;            // the KMS key ARN of KMS or KMS_DSSE encryption, when known
  // The repository's lifecycle policy and repository policy documents (JSON text) as an
  // ECR pull read them; kNoStr when the repository has none or the snapshot does not say
  // (a snapshot that is not a pull: Registry::source tells them apart).
  StrId lifecycle_policy = kNoStr, repository_policy = kNoStr;
  Micros created_at = kNoTime;
  std::vector<std::uint32_t> images;  // indices into Registry::images
};

// A blob an image's manifest references (config and layers), for the bytes a deletion
// really frees: a blob goes only when no kept image references it.
struct Blob {
  StrId digest = kNoStr;
  std::int64_t size = 0;
};

struct Registry {
  StringPool strings;
  std::vector<Repository> repositories;
  std::unordered_map<StrId, std::uint32_t> repo_index;  // name -> repository
  std::vector<Image> images;
  std::vector<StrId> ids;  // tag and child lists
  // Blobs, when the snapshot lists them (OCI pulls): image i's are
  // blobs[blob_end[i-1] .. blob_end[i]). Empty when no image lists any.
  std::vector<Blob> blobs;
  std::vector<std::uint32_t> blob_end;
  // The snapshot came from a Distribution registry: an artifact (signature, SBOM) whose
  // subject is deleted goes with it, unless a rule or protect clause decided it.
  bool referrers_follow_subject = false;
  // Index images whose children the snapshot does not know (`childrenUnknown`: the pull
  // did not read their manifests, or the registry would not hand them out), as indices
  // into `images`: their children look like ordinary untagged images, and reports say so.
  std::vector<std::uint32_t> children_unknown;
  // When each scanned image's scan completed, for the images whose snapshot entry says
  // (describe-images' imageScanFindingsSummary.imageScanCompletedAt, regpol's scannedAt):
  // image index -> time. Kept beside the images, which have no room for it.
  std::unordered_map<std::uint32_t, Micros> scan_completed_at;
  Micros captured_at = kNoTime;
  // Where the snapshot came from, as its files say: `source` the registry ("ecr:REGION" or
  // "ecr:REGION/ACCOUNT", "oci://HOST:PORT[/PREFIX]"), `store_id` the SQLite store it was
  // read from (a store keeps its id when copied). apply refuses a target they do not name.
  std::string source, store_id;
  bool mixed_sources = false;  // files of different registries or stores were merged
  // A SQLite store written before stores kept the lifecycle and repository policy
  // documents: its repositories' documents are unknown, not absent.
  bool policy_documents_unknown = false;
  // The registry's scanning and replication configurations as an ECR pull read them
  // (GetRegistryScanningConfiguration's `scanningConfiguration`, DescribeRegistry's
  // `replicationConfiguration`), as JSON text; "" when the snapshot does not say.
  std::string scanning_configuration, replication_configuration;
  std::vector<std::string> source_files;
  std::vector<std::uint32_t> file_first_image;  // parallel to source_files: images are stored in reading order

  // Where image `index` was read: the file and its position among that file's images.
  std::pair<std::string, std::uint32_t> image_source(std::uint32_t index) const;

  // Who refers to whom (snapshot/graph.h), built on first use: read it only once the
  // registry is complete.
  const ImageGraph& graph() const { return graph_.get(*this); }

  std::uint32_t repository(std::string_view name);  // finds or adds
  std::string_view str(StrId id) const { return strings.get(id); }
  std::string_view repo_name(const Image& img) const { return str(repositories[img.repo].name); }
  const StrId* tags_of(const Image& img) const { return ids.data() + img.tags_begin; }
  const StrId* children_of(const Image& img) const { return ids.data() + img.tags_begin + img.tag_count; }
  bool has_blobs() const { return !blob_end.empty(); }
  std::pair<const Blob*, const Blob*> blobs_of(std::uint32_t index) const {
    if (index >= blob_end.size()) return {nullptr, nullptr};
    std::uint32_t b = index == 0 ? 0 : blob_end[index - 1];
    return {blobs.data() + b, blobs.data() + blob_end[index]};
  }

 private:
  LazyImageGraph graph_;
};

// An image by name, "repository@digest": the key of LifecycleOptions::in_use (by name, not
// by index, so that apply's act-time recheck finds it in the registry as it is then).
inline std::string in_use_key(std::string_view repository, std::string_view digest) {
  std::string key;
  key.reserve(repository.size() + 1 + digest.size());
  key.append(repository).append(1, '@').append(digest);
  return key;
}

}  // namespace regpol
