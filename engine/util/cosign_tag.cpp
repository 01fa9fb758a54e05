#include "util/cosign_tag.h"

#include <algorithm>

namespace regpol {

bool cosign_tag_subject(std::string_view tag, std::string& subject, std::string_view& suffix) {
  constexpr std::string_view kPrefix = "sha256-";
  if (tag.size() < 71 || tag.substr(0, kPrefix.size()) != kPrefix) return false;
  const std::string_view hex = tag.substr(7, 64);
  if (!std::all_of(hex.begin(), hex.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); })) return false;
  if (tag.size() > 71 && tag[71] != '.') return false;
  subject = "sha256:" + std::string(hex);
  suffix = tag.size() > 72 ? tag.substr(72) : std::string_view{};
  return true;
}

}  // namespace regpol
