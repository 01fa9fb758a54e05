#include "snapshot/validate.h"

#include <array>
#include <cstdio>

namespace regpol {

namespace {
bool is_lower_alnum(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z'); }
bool is_alnum(char c) { return is_lower_alnum(c) || (c >= 'A' && c <= 'Z'); }

std::string shown(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, 80)) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", u);
      out += buf;
    } else {
      out += c;
    }
  }
  return s.size() > 80 ? out + "…" : out;
}
}  // namespace

// Every digest of a snapshot passes here (millions per load): the hex check is one table
// lookup per character with no branch, and the message is built only for a bad digest.
constexpr std::array<unsigned char, 256> kNotLowerHex = [] {
  std::array<unsigned char, 256> t{};
  for (auto& v : t) v = 1;
  for (char c = '0'; c <= '9'; ++c) t[static_cast<unsigned char>(c)] = 0;
  for (char c = 'a'; c <= 'f'; ++c) t[static_cast<unsigned char>(c)] = 0;
  return t;
}();

std::string check_digest(std::string_view d) {
  std::size_t hex = d.substr(0, 7) == "sha256:" ? 64 : d.substr(0, 7) == "sha512:" ? 128 : 0;
  if (hex == 0) return "digest `" + shown(d) + "` is not `sha256:` or `sha512:` followed by hex digits";
  std::string_view h = d.substr(7);
  if (h.size() != hex) return "digest `" + shown(d) + "` has " + std::to_string(h.size()) + " hex digits (" + std::to_string(hex) + " expected)";
  unsigned bad = 0;
  for (char c : h) bad |= kNotLowerHex[static_cast<unsigned char>(c)];
  if (bad) return "digest `" + shown(d) + "` has a character that is not a lower-case hex digit";
  return "";
}

std::string check_tag(std::string_view t) {
  if (t.empty()) return "empty tag";
  if (t.size() > 128) return "tag longer than 128 characters";
  if (!is_alnum(t[0]) && t[0] != '_') return "tag `" + shown(t) + "` must start with a letter, digit or `_`";
  for (char c : t) {
    if (!is_alnum(c) && c != '_' && c != '.' && c != '-') return "tag `" + shown(t) + "` has a character outside [A-Za-z0-9._-]";
  }
  return "";
}

std::string check_repository_name(std::string_view n) {
  if (n.size() < 2 || n.size() > 256) return "repository name `" + shown(n) + "` is not 2 to 256 characters long";
  // Components separated by '/'; in each, runs of [a-z0-9] joined by '.', '_', '__' or '-'+.
  std::size_t i = 0;
  while (true) {
    std::size_t start = i;
    while (i < n.size() && n[i] != '/') ++i;
    std::string_view comp = n.substr(start, i - start);
    bool ok = !comp.empty() && is_lower_alnum(comp.front()) && is_lower_alnum(comp.back());
    for (std::size_t k = 0; ok && k < comp.size(); ++k) {
      char c = comp[k];
      if (is_lower_alnum(c)) continue;
      if (c == '-') ok = is_lower_alnum(comp[k + 1]) || comp[k + 1] == '-';  // a run of dashes joins two runs
      else if (c == '.') ok = is_lower_alnum(comp[k - 1]) && is_lower_alnum(comp[k + 1]);
      else if (c == '_') ok = is_lower_alnum(comp[k - 1]) && (is_lower_alnum(comp[k + 1]) || (comp[k + 1] == '_' && is_lower_alnum(comp[k + 2])));
      else ok = false;
      if (ok && c == '_' && comp[k + 1] == '_') ++k;
    }
    if (!ok) return "repository name `" + shown(n) + "` is not lower-case letters and digits joined by `.`, `_`, `-` and `/`";
    if (i == n.size()) return "";
    ++i;  // past '/'
  }
}

std::string check_image_time(Micros t) {
  constexpr Micros kLast = 253402300799LL * kMicrosPerSecond + (kMicrosPerSecond - 1);  // 9999-12-31T23:59:59.999999Z
  if (t < 0) return "time before 1970-01-01T00:00:00Z";
  if (t > kLast) return "time after 9999-12-31T23:59:59Z";
  return "";
}

}  // namespace regpol
