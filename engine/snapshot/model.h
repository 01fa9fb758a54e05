#pragma once
// The registry model every decision is made against: registry -> repositories -> images.
// Compact by design (millions of images): strings are interned into one pool and images
// refer to them by 32-bit ids; tag and child lists live in one shared id array.
#include <array>
#include <memory>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "util/time.h"

namespace regpol {

using StrId = std::uint32_t;
constexpr StrId kNoStr = 0;  // id 0 is the empty string, used for "absent"

// Interns strings; ids are dense and stable for the pool's lifetime.
class StringPool {
 public:
  StringPool();
  StrId intern(std::string_view s);
  std::string_view get(StrId id) const { return views_[id]; }
  std::size_t size() const { return views_.size(); }
  // Looks a string up without adding it; kNoStr when absent.
  StrId find(std::string_view s) const;

 private:
  std::vector<std::unique_ptr<char[]>> blocks_;
  std::size_t block_used_ = 0, block_size_ = 0;
  std::vector<std::string_view> views_;
  std::unordered_map<std::string_view, StrId> index_;
};

enum class ImageStatus : std::uint8_t { Active, Archived, Activating };
enum class StorageClass : std::uint8_t { Standard, Archive };

enum class Severity5 : std::uint8_t { Critical, High, Medium, Low, Informational };
constexpr int kSeverityCount = 5;

struct Image {
  StrId digest = kNoStr;
  std::uint32_t repo = 0;            // index into Registry::repositories
  std::uint32_t tags_begin = 0;      // range into Registry::ids
  std::uint32_t tag_count = 0;
  std::uint32_t children_begin = 0;  // manifest-list children (digests), range into Registry::ids
  std::uint32_t child_count = 0;
  Micros pushed_at = kNoTime;
  Micros last_pulled_at = kNoTime;
  Micros last_archived_at = kNoTime;
  Micros last_activated_at = kNoTime;
  std::int64_t size_bytes = -1;      // -1: unknown
  StrId manifest_media_type = kNoStr;
  StrId artifact_media_type = kNoStr;
  StrId subject = kNoStr;            // referrer subject digest
  std::array<std::int32_t, kSeverityCount> findings{-1, -1, -1, -1, -1};  // -1: not scanned
  ImageStatus status = ImageStatus::Active;
  std::uint16_t source_file = 0;     // where it was read, for located errors
  std::uint32_t source_index = 0;    // element index in that file's image array

  StorageClass storage_class() const {
    return status == ImageStatus::Active ? StorageClass::Standard : StorageClass::Archive;
  }
};

enum class Mutability : std::uint8_t { Unknown, Mutable, Immutable, MutableWithExclusion, ImmutableWithExclusion };

struct Repository {
  StrId name = kNoStr;
  StrId registry_id = kNoStr;
  StrId arn = kNoStr;
  Mutability mutability = Mutability::Unknown;
  std::vector<StrId> mutability_exclusions;
  std::int8_t scan_on_push = -1;     // -1 unknown
  StrId encryption = kNoStr;
  Micros created_at = kNoTime;
  std::vector<std::uint32_t> images;  // indices into Registry::images
};

struct Registry {
  StringPool strings;
  std::vector<Repository> repositories;
  std::unordered_map<StrId, std::uint32_t> repo_index;  // name -> repository
  std::vector<Image> images;
  std::vector<StrId> ids;  // tag and child lists
  Micros captured_at = kNoTime;
  std::vector<std::string> source_files;

  std::uint32_t repository(std::string_view name);  // finds or adds
  std::string_view str(StrId id) const { return strings.get(id); }
  std::string_view repo_name(const Image& img) const { return str(repositories[img.repo].name); }
  const StrId* tags_of(const Image& img) const { return ids.data() + img.tags_begin; }
  const StrId* children_of(const Image& img) const { return ids.data() + img.children_begin; }
};

}  // namespace regpol
