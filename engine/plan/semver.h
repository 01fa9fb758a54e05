#pragma once
// Semantic versions read from tags: "v1.2.3", "1.2.3-rc.1", "1.2" (missing parts are 0).
// Ordering follows semver 2.0.0 precedence (pre-releases before the release; build metadata ignored).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace regpol {

struct Semver {
  std::uint64_t major = 0, minor = 0, patch = 0;
  std::string prerelease;  // empty for a release
};

// Accepts an optional leading `v`/`V`, then 1 to 3 dot-separated numbers, then an optional
// `-prerelease` and `+build`. Anything else is not a version.
std::optional<Semver> parse_semver(std::string_view tag);
// <0, 0, >0 like strcmp, by semver precedence.
int compare_semver(const Semver& a, const Semver& b);

}  // namespace regpol
