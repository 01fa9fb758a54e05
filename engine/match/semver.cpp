#include "match/semver.h"

#include <vector>

namespace regpol {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_ident_char(char c) { return is_digit(c) || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '-'; }

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!is_digit(c)) return false;
  }
  return true;
}

// A numeric identifier: digits, and no leading zero unless it is "0".
bool numeric_identifier(std::string_view s) { return all_digits(s) && (s.size() == 1 || s[0] != '0'); }

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

// Dot-separated non-empty identifiers of [0-9A-Za-z-]; with `pre`, numeric ones without
// leading zeros.
bool identifiers(std::string_view s, bool pre) {
  for (std::string_view id : split(s, '.')) {
    if (id.empty()) return false;
    for (char c : id) {
      if (!is_ident_char(c)) return false;
    }
    if (pre && all_digits(id) && !numeric_identifier(id)) return false;
  }
  return true;
}

// Two numeric identifiers (no leading zeros) by value: the longer is larger.
int compare_numeric(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  int c = a.compare(b);
  return c < 0 ? -1 : c > 0 ? 1 : 0;
}

}  // namespace

double Semver::number(const std::string& digits) {
  double v = 0;
  for (char c : digits) v = v * 10 + (c - '0');
  return v;
}

std::optional<Semver> parse_semver(std::string_view tag) {
  if (!tag.empty() && tag[0] == 'v') tag.remove_prefix(1);
  Semver v;
  // The build part starts at the first '+'; the pre-release at the first '-' before it
  // (a '-' may also appear inside pre-release identifiers).
  if (auto plus = tag.find('+'); plus != std::string_view::npos) {
    std::string_view build = tag.substr(plus + 1);
    if (!identifiers(build, false)) return std::nullopt;
    v.build = std::string(build);
    tag = tag.substr(0, plus);
  }
  if (auto dash = tag.find('-'); dash != std::string_view::npos) {
    std::string_view pre = tag.substr(dash + 1);
    if (!identifiers(pre, true)) return std::nullopt;
    v.prerelease = std::string(pre);
    tag = tag.substr(0, dash);
  }
  auto parts = split(tag, '.');
  if (parts.size() != 3) return std::nullopt;
  for (auto p : parts) {
    if (!numeric_identifier(p)) return std::nullopt;
  }
  v.major = std::string(parts[0]);
  v.minor = std::string(parts[1]);
  v.patch = std::string(parts[2]);
  return v;
}

int compare_semver(const Semver& a, const Semver& b) {
  if (int c = compare_numeric(a.major, b.major)) return c;
  if (int c = compare_numeric(a.minor, b.minor)) return c;
  if (int c = compare_numeric(a.patch, b.patch)) return c;
  if (a.prerelease.empty() || b.prerelease.empty()) {
    if (a.prerelease.empty() && b.prerelease.empty()) return 0;
    return a.prerelease.empty() ? 1 : -1;  // a pre-release comes before its release
  }
  auto pa = split(a.prerelease, '.');
  auto pb = split(b.prerelease, '.');
  for (std::size_t i = 0; i < pa.size() && i < pb.size(); ++i) {
    bool na = all_digits(pa[i]), nb = all_digits(pb[i]);
    if (na && nb) {
      if (int c = compare_numeric(pa[i], pb[i])) return c;
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
