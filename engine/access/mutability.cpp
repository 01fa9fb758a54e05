#include "access/mutability.h"

#include "match/tag_mutability.h"

namespace regpol {

bool tag_is_immutable(const TagMutability& m, const std::string& tag) {
  return ecr_tag_is_immutable(m.immutable, m.except, [](const std::string& p) -> std::string_view { return p; }, tag);
}

std::string TagState::get(const std::string& repository, const std::string& tag) const {
  auto r = tags_.find(repository);
  if (r == tags_.end()) return {};
  auto t = r->second.find(tag);
  return t == r->second.end() ? std::string() : t->second;
}

}  // namespace regpol
