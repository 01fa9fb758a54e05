#pragma once
// Small text helpers shared by the layers.
#include <cctype>
#include <string>
#include <string_view>

namespace regpol {

// ASCII lower case: IAM action and condition-key names compare case-insensitively.
inline std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace regpol
