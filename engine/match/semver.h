#pragma once
// Semantic versions read from tags, exactly as semver 2.0.0 defines them, with one
// allowance: an optional lower-case `v` before the version ("v1.2.3"). MAJOR.MINOR.PATCH are
// numeric identifiers without leading zeros, of any length; the pre-release and build parts
// are dot-separated, non-empty [0-9A-Za-z-] identifiers, a numeric pre-release identifier
// without leading zeros. Anything else ("v1", "1.5", "20260101", "V1.2.3", "1.02.0",
// "1.2.3-rc.01") is not a version.
// Ordering follows semver 2.0.0 precedence: numeric parts by value (any length), a
// pre-release before its release, pre-release identifiers numeric-before-alphanumeric and
// ASCII order, a longer identifier list after its prefix; build metadata is ignored.
#include <optional>
#include <string>
#include <string_view>

namespace regpol {

struct Semver {
  // Decimal digits without leading zeros ("0" for zero): exact at any length.
  std::string major, minor, patch;
  std::string prerelease;  // empty for a release
  std::string build;       // ignored by precedence

  // The part as a number for `where` comparisons (exact up to 2^53).
  static double number(const std::string& digits);
};

std::optional<Semver> parse_semver(std::string_view tag);
// <0, 0, >0 like strcmp, by semver precedence.
int compare_semver(const Semver& a, const Semver& b);

}  // namespace regpol
