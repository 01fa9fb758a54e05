#include "util/redact.h"

#include <array>

#include "util/text.h"

namespace regpol {

namespace {

constexpr std::string_view kRedacted = "[redacted]";

// Markers after which a credential follows (compared in lower case).
constexpr std::array<std::string_view, 13> kMarkers = {
    "bearer ",   "basic ",       "signature=",          "credential=",          "x-amz-security-token", "\"password\"", "\"token\"",
    "\"access_token\"", "secretaccesskey", "sessiontoken", "authorization:", "password=", "token="};

bool ends_value(char c) { return c == ' ' || c == '"' || c == '\'' || c == ',' || c == ';' || c == '\n' || c == '\r' || c == '\t' || c == '&' || c == '}'; }

}  // namespace

std::string redact_credentials(std::string_view text, const std::vector<std::string>& secrets) {
  std::string out(text);
  for (const auto& s : secrets) {
    if (s.size() < 4) continue;
    for (std::size_t at = out.find(s); at != std::string::npos; at = out.find(s, at + kRedacted.size())) out.replace(at, s.size(), kRedacted);
  }
  std::string lower = ascii_lower(out);
  std::string result;
  result.reserve(out.size());
  std::size_t i = 0;
  while (i < out.size()) {
    std::size_t best = std::string::npos, best_len = 0;
    for (auto m : kMarkers) {
      std::size_t at = lower.find(m, i);
      if (at != std::string::npos && (best == std::string::npos || at < best)) best = at, best_len = m.size();
    }
    if (best == std::string::npos) break;
    std::size_t v = best + best_len;
    // Skip what separates the marker from its value: spaces, colons, equals signs, quotes.
    while (v < out.size() && (out[v] == ' ' || out[v] == ':' || out[v] == '=' || out[v] == '"' || out[v] == '\'')) ++v;
    // "Authorization: Bearer x": the scheme word is kept, the value after it goes.
    if (lower.compare(best, best_len, "authorization:") == 0) {
      for (std::string_view scheme : {"bearer ", "basic ", "aws4-hmac-sha256 "}) {
        if (lower.compare(v, scheme.size(), scheme) == 0) v += scheme.size();
      }
    }
    std::size_t end = v;
    while (end < out.size() && !ends_value(out[end])) ++end;
    result.append(out, i, v - i);
    if (end > v) result += kRedacted;
    i = end > v ? end : v;
  }
  result.append(out, i, std::string::npos);
  return result;
}

}  // namespace regpol
