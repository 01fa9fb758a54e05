#include "plan/semver.h"

#include <vector>

namespace regpol {

namespace {

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

bool parse_number(std::string_view s, std::uint64_t& out) {
  if (!all_digits(s) || s.size() > 18) return false;
  out = 0;
  for (char c : s) out = out * 10 + static_cast<std::uint64_t>(c - '0');
  return true;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == sep) {
      parts.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  return parts;
}

}  // namespace

std::optional<Semver> parse_semver(std::string_view tag) {
  if (!tag.empty() && (tag[0] == 'v' || tag[0] == 'V')) tag.remove_prefix(1);
  if (auto plus = tag.find('+'); plus != std::string_view::npos) tag = tag.substr(0, plus);
  std::string_view pre;
  if (auto dash = tag.find('-'); dash != std::string_view::npos) {
    pre = tag.substr(dash + 1);
    tag = tag.substr(0, dash);
    if (pre.empty()) return std::nullopt;
  }
  auto parts = split(tag, '.');
  if (parts.empty() || parts.size() > 3) return std::nullopt;
  Semver v;
  std::uint64_t* fields[] = {&v.major, &v.minor, &v.patch};
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (!parse_number(parts[i], *fields[i])) return std::nullopt;
  }
  v.prerelease = std::string(pre);
  return v;
}

int compare_semver(const Semver& a, const Semver& b) {
  if (a.major != b.major) return a.major < b.major ? -1 : 1;
  if (a.minor != b.minor) return a.minor < b.minor ? -1 : 1;
  if (a.patch != b.patch) return a.patch < b.patch ? -1 : 1;
  if (a.prerelease.empty() || b.prerelease.empty()) {
    if (a.prerelease.empty() && b.prerelease.empty()) return 0;
    return a.prerelease.empty() ? 1 : -1;
  }
  auto pa = split(a.prerelease, '.');
  auto pb = split(b.prerelease, '.');
  for (std::size_t i = 0; i < pa.size() && i < pb.size(); ++i) {
    bool na = all_digits(pa[i]), nb = all_digits(pb[i]);
    if (na && nb) {
      std::uint64_t x = 0, y = 0;
      parse_number(pa[i], x);
      parse_number(pb[i], y);
      if (x != y) return x < y ? -1 : 1;
    } else if (na != nb) {
      return na ? -1 : 1;  // numeric identifiers sort before alphanumeric ones
    } else if (int c = pa[i].compare(pb[i]); c != 0) {
      return c < 0 ? -1 : 1;
    }
  }
  if (pa.size() != pb.size()) return pa.size() < pb.size() ? -1 : 1;
  return 0;
}

}  // namespace regpol
