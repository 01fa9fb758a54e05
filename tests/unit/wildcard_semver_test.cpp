#include <doctest/doctest.h>

#include "plan/semver.h"
#include "plan/wildcard.h"

using namespace regpol;

TEST_CASE("ECR wildcard patterns") {
  CHECK(wildcard_match("prod*", "prod"));
  CHECK(wildcard_match("prod*", "prod-1"));
  CHECK_FALSE(wildcard_match("prod*", "xprod"));
  CHECK(wildcard_match("*", ""));
  CHECK(wildcard_match("v*-rc*", "v1.0-rc1"));
  CHECK_FALSE(wildcard_match("v*-rc*", "v1.0"));
  CHECK(wildcard_match("a*b*c", "aXbYbZc"));
  CHECK_FALSE(wildcard_match("a*b*c", "aXbYbZ"));
  CHECK_FALSE(wildcard_match("v?", "v1"));
  CHECK(wildcard_match("v?", "v1", true));
  CHECK(wildcard_match("latest", "latest"));
  CHECK_FALSE(wildcard_match("latest", "Latest"));
}

TEST_CASE("semantic versions order by precedence") {
  auto v = [](const char* s) { return *parse_semver(s); };
  CHECK(compare_semver(v("v1.2.3"), v("1.2.3")) == 0);
  CHECK(compare_semver(v("1.10.0"), v("1.9.9")) > 0);
  CHECK(compare_semver(v("1.0.0-rc.1"), v("1.0.0")) < 0);
  CHECK(compare_semver(v("1.0.0-alpha"), v("1.0.0-alpha.1")) < 0);
  CHECK(compare_semver(v("1.0.0-alpha.1"), v("1.0.0-alpha.beta")) < 0);
  CHECK(compare_semver(v("1.0.0-2"), v("1.0.0-10")) < 0);
  CHECK(compare_semver(v("2"), v("1.99.99")) > 0);
  CHECK_FALSE(parse_semver("latest"));
  CHECK_FALSE(parse_semver("pr-123"));
  CHECK_FALSE(parse_semver("1.2.3.4"));
  CHECK_FALSE(parse_semver("v1..2"));
}
