#pragma once
// Small text helpers shared by the layers.
#include <cctype>
#include <cstring>
#include <string>
#include <string_view>

namespace regpol {

// One character in ASCII lower case, whatever the locale (std::tolower follows it): IAM
// folds only A-Z.
constexpr char ascii_fold(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// ASCII lower case: IAM action and condition-key names compare case-insensitively.
inline std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = ascii_fold(c);
  return out;
}

// "1 image", "2 images": counts in messages read as English.
inline std::string plural(std::size_t n, std::string_view one, std::string_view many = {}) {
  return std::to_string(n) + " " + std::string(n == 1 ? one : many.empty() ? std::string(one) + "s" : std::string(many));
}

// The message of an errno value. strerror_r, not strerror: readers run on several threads.
inline std::string errno_message(int err) {
  char buf[256];
  // GNU strerror_r returns the message, which may or may not be in `buf`.
  return ::strerror_r(err, buf, sizeof buf);
}

}  // namespace regpol
