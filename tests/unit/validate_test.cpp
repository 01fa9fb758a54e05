// The snapshot field checks (snapshot/validate.h): what they accept and the message each
// refusal gives.
#include <doctest/doctest.h>

#include <string>

#include "snapshot/validate.h"

using namespace regpol;

TEST_CASE("check_digest accepts sha256 and sha512 in lower-case hex only") {
  const std::string hex64(64, 'a'), hex128(128, '0');
  CHECK(check_digest("sha256:" + hex64).empty());
  CHECK(check_digest("sha512:" + hex128).empty());
  CHECK(check_digest("sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef").empty());
  for (char bad : {'A', 'F', 'g', 'z', ':', ' ', '\0', '\x7f', '\xff', '/', '`'}) {
    std::string d = "sha256:" + hex64;
    d[7 + 31] = bad;
    CHECK_MESSAGE(check_digest(d).find("is not a lower-case hex digit") != std::string::npos, static_cast<int>(bad));
  }
  CHECK(check_digest("sha256:" + hex64.substr(1)).find("has 63 hex digits (64 expected)") != std::string::npos);
  CHECK(check_digest("sha512:" + hex64).find("has 64 hex digits (128 expected)") != std::string::npos);
  CHECK(check_digest("md5:abc").find("is not `sha256:` or `sha512:`") != std::string::npos);
  CHECK(check_digest("").find("is not `sha256:` or `sha512:`") != std::string::npos);
  CHECK(check_digest("sha256").find("is not `sha256:` or `sha512:`") != std::string::npos);
  // Control characters are shown escaped, never raw.
  std::string ctl = "sha256:" + hex64;
  ctl[10] = '\n';
  CHECK(check_digest(ctl).find("\\x0a") != std::string::npos);
}
