#include "snapshot/model.h"

#include <algorithm>
#include <cstring>
#include <memory>

#include "util/huge_pages.h"

namespace regpol {

StringPool::StringPool() { starts_.push_back(nullptr); }

StrId StringPool::intern(std::string_view s) {
  if (s.empty()) return kNoStr;
  auto it = index_.find(s);
  if (it != index_.end()) return it->second;
  StrId id = store(s);
  index_.emplace(get(id), id);
  return id;
}

StrId StringPool::store_digest(std::string_view s) {
  if (digest_count_ % kDigestsPerBlock == 0) {
    digest_blocks_.push_back(std::unique_ptr<char[]>(new char[kDigestsPerBlock * kDigestLength]));
    advise_huge_pages(digest_blocks_.back().get(), kDigestsPerBlock * kDigestLength);
  }
  std::memcpy(digest_blocks_.back().get() + (digest_count_ % kDigestsPerBlock) * kDigestLength, s.data(), kDigestLength);
  return static_cast<StrId>(kDigestBit | digest_count_++);
}

StrId StringPool::store(std::string_view s) {
  if (s.empty()) return kNoStr;
  if (s.size() == kDigestLength && s.substr(0, 7) == "sha256:" && digest_count_ < kDigestBit - 1) return store_digest(s);
  const std::size_t header = s.size() < 0xFF ? 1 : 5;
  const std::size_t need = header + s.size();
  // Strings live in large blocks so that storing one does not allocate.
  if (block_used_ + need > block_size_) {
    // Not zero-filled: every byte is written before it is read. Blocks of 8 MiB, backed by
    // huge pages where the kernel allows (see advise_huge_pages).
    block_size_ = std::max<std::size_t>(8 << 20, need);
    blocks_.push_back(std::unique_ptr<char[]>(new char[block_size_]));
    advise_huge_pages(blocks_.back().get(), block_size_);
    block_used_ = 0;
  }
  char* dst = blocks_.back().get() + block_used_;
  if (header == 1) {
    dst[0] = static_cast<char>(s.size());
  } else {
    dst[0] = static_cast<char>(0xFF);
    auto len = static_cast<std::uint32_t>(s.size());
    std::memcpy(dst + 1, &len, 4);
  }
  std::memcpy(dst + header, s.data(), s.size());
  block_used_ += need;
  auto id = static_cast<StrId>(starts_.size());
  starts_.push_back(dst);
  return id;
}

StrId StringPool::find(std::string_view s) const {
  auto it = index_.find(s);
  return it == index_.end() ? kNoStr : it->second;
}

std::pair<std::string, std::uint32_t> Registry::image_source(std::uint32_t index) const {
  auto it = std::upper_bound(file_first_image.begin(), file_first_image.end(), index);
  if (it == file_first_image.begin()) return {"?", index};
  auto f = static_cast<std::size_t>(it - file_first_image.begin() - 1);
  return {source_files[f], index - file_first_image[f]};
}

std::uint32_t Registry::repository(std::string_view name) {
  StrId id = strings.intern(name);
  auto it = repo_index.find(id);
  if (it != repo_index.end()) return it->second;
  auto idx = static_cast<std::uint32_t>(repositories.size());
  Repository r;
  r.name = id;
  repositories.push_back(std::move(r));
  repo_index.emplace(id, idx);
  return idx;
}

const char* mutability_name(Mutability m) {
  switch (m) {
    case Mutability::Mutable: return "MUTABLE";
    case Mutability::Immutable: return "IMMUTABLE";
    case Mutability::MutableWithExclusion: return "MUTABLE_WITH_EXCLUSION";
    case Mutability::ImmutableWithExclusion: return "IMMUTABLE_WITH_EXCLUSION";
    case Mutability::Unknown: break;
  }
  return "unknown";
}

}  // namespace regpol
