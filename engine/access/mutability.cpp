#include "access/mutability.h"

#include <algorithm>

#include "match/wildcard.h"

namespace regpol {

bool tag_is_immutable(const TagMutability& m, const std::string& tag) {
  bool excluded = std::any_of(m.except.begin(), m.except.end(), [&](const std::string& p) { return wildcard_match(p, tag, true); });
  return m.immutable != excluded;
}

std::string TagState::get(const std::string& repository, const std::string& tag) const {
  auto r = tags_.find(repository);
  if (r == tags_.end()) return {};
  auto t = r->second.find(tag);
  return t == r->second.end() ? std::string() : t->second;
}

}  // namespace regpol
