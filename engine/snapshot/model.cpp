#include "snapshot/model.h"

#include <cstring>
#include <memory>

namespace regpol {

StringPool::StringPool() { views_.emplace_back(); }

StrId StringPool::intern(std::string_view s) {
  if (s.empty()) return kNoStr;
  auto it = index_.find(s);
  if (it != index_.end()) return it->second;
  // Strings live in large blocks so that interning does not allocate per string.
  if (block_used_ + s.size() > block_size_) {
    block_size_ = std::max<std::size_t>(1 << 20, s.size());
    blocks_.push_back(std::make_unique<char[]>(block_size_));
    block_used_ = 0;
  }
  char* dst = blocks_.back().get() + block_used_;
  std::memcpy(dst, s.data(), s.size());
  block_used_ += s.size();
  std::string_view stored(dst, s.size());
  auto id = static_cast<StrId>(views_.size());
  views_.push_back(stored);
  index_.emplace(stored, id);
  return id;
}

StrId StringPool::find(std::string_view s) const {
  auto it = index_.find(s);
  return it == index_.end() ? kNoStr : it->second;
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

}  // namespace regpol
