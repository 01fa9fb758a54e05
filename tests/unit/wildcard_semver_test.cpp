#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "match/semver.h"
#include "match/wildcard.h"

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

TEST_CASE("IAM action patterns ignore ASCII case, as lower-casing both sides would") {
  CHECK(wildcard_match_nocase("ecr:Batch*", "ECR:batchgetimage"));
  CHECK(wildcard_match_nocase("ECR:?ETREPOSITORYPOLICY", "ecr:SetRepositoryPolicy"));
  CHECK_FALSE(wildcard_match_nocase("ecr:Batch*", "ecr:GetAuthorizationToken"));
  CHECK_FALSE(wildcard_match_nocase("ecr:?", "ecr:"));
  CHECK_FALSE(wildcard_match_nocase("\xc3\x89", "\xc3\xa9"));  // only ASCII letters fold, as IAM's action names are ASCII
  // Against the definition it replaces, on every short pattern and text over a small alphabet.
  const std::string alphabet = "aAb*?";
  auto lower = [](std::string s) {
    for (auto& c : s) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
    return s;
  };
  std::vector<std::string> words{""};
  for (std::size_t n = 0; n < words.size() && words.size() < 800; ++n) {
    if (words[n].size() < 4) {
      for (char c : alphabet) words.push_back(words[n] + c);
    }
  }
  int checked = 0;
  for (const auto& p : words) {
    for (const auto& t : words) {
      if (t.find_first_of("*?") != std::string::npos) continue;
      CHECK(wildcard_match_nocase(p, t) == wildcard_match(lower(p), lower(t), true));
      ++checked;
    }
  }
  CHECK(checked > 10000);
}

TEST_CASE("semantic versions order by precedence") {
  auto v = [](const char* s) { return *parse_semver(s); };
  CHECK(compare_semver(v("v1.2.3"), v("1.2.3")) == 0);
  CHECK(compare_semver(v("1.10.0"), v("1.9.9")) > 0);
  CHECK(compare_semver(v("1.0.0-rc.1"), v("1.0.0")) < 0);
  CHECK(compare_semver(v("1.0.0-2"), v("1.0.0-10")) < 0);
  CHECK(compare_semver(v("2.0.0"), v("1.99.99")) > 0);
  CHECK(compare_semver(v("1.0.0+build.1"), v("1.0.0+build.2")) == 0);  // build metadata is ignored
  CHECK(compare_semver(v("1.0.0-rc.1+b"), v("1.0.0-rc.1")) == 0);
  CHECK_FALSE(parse_semver("latest"));
  CHECK_FALSE(parse_semver("pr-123"));
  CHECK_FALSE(parse_semver("1.2.3.4"));
  CHECK_FALSE(parse_semver("v1..2"));
}

// The precedence example of semver 2.0.0 (section 11), each strictly below the next.
TEST_CASE("semver 2.0.0 precedence chain") {
  const char* chain[] = {"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2",
                         "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "2.0.0", "2.1.0", "2.1.1"};
  const std::size_t n = sizeof chain / sizeof chain[0];
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < n; ++j) {
      auto a = parse_semver(chain[i]), b = parse_semver(chain[j]);
      REQUIRE(a);
      REQUIRE(b);
      int c = compare_semver(*a, *b);
      CAPTURE(chain[i]);
      CAPTURE(chain[j]);
      CHECK((i < j ? c < 0 : i > j ? c > 0 : c == 0));
    }
  }
}

TEST_CASE("numbers of any length compare by value") {
  auto v = [](const char* s) { return *parse_semver(s); };
  CHECK(compare_semver(v("9999999999999999999.0.0"), v("10000000000000000000.0.0")) < 0);
  CHECK(compare_semver(v("1.0.0-9999999999999999999"), v("1.0.0-10000000000000000000")) < 0);
  CHECK(compare_semver(v("1.0.0-18446744073709551616"), v("1.0.0-18446744073709551615")) > 0);
  CHECK(compare_semver(v("99999999999999999999999.999999999999999999.99999999999999999"), v("1.0.0")) > 0);
  CHECK(v("12345678901234567890.1.2").major == "12345678901234567890");
}

// The strings semver.org lists as valid and invalid (its regular-expression test set).
TEST_CASE("semver.org valid versions") {
  const char* valid[] = {
      "0.0.4", "1.2.3", "10.20.30", "1.1.2-prerelease+meta", "1.1.2+meta", "1.1.2+meta-valid", "1.0.0-alpha",
      "1.0.0-beta", "1.0.0-alpha.beta", "1.0.0-alpha.beta.1", "1.0.0-alpha.1", "1.0.0-alpha0.valid",
      "1.0.0-alpha.0valid", "1.0.0-alpha-a.b-c-somethinglong+build.1-aef.1-its-okay", "1.0.0-rc.1+build.1",
      "2.0.0-rc.1+build.123", "1.2.3-beta", "10.2.3-DEV-SNAPSHOT", "1.2.3-SNAPSHOT-123", "1.0.0", "2.0.0", "1.1.7",
      "2.0.0+build.1848", "2.0.1-alpha.1227", "1.0.0-alpha+beta", "1.2.3----RC-SNAPSHOT.12.9.1--.12+788",
      "1.2.3----R-S.12.9.1--.12+meta", "1.2.3----RC-SNAPSHOT.12.9.1--.12", "1.0.0+0.build.1-rc.10000aaa-kk-0.1",
      "99999999999999999999999.999999999999999999.99999999999999999", "1.0.0-0A.is.legal",
      // regpol's one allowance: a lower-case `v` prefix
      "v1.2.3", "v1.0.0-rc.1"};
  for (const char* s : valid) {
    CAPTURE(s);
    CHECK(parse_semver(s).has_value());
  }
}

TEST_CASE("semver.org invalid versions, and tags that only look like versions") {
  const char* invalid[] = {
      "1", "1.2", "1.2.3-0123", "1.2.3-0123.0123", "1.1.2+.123", "+invalid", "-invalid", "-invalid+invalid",
      "-invalid.01", "alpha", "alpha.beta", "alpha.beta.1", "alpha.1", "alpha+beta", "alpha_beta", "alpha.",
      "alpha..", "beta", "1.0.0-alpha_beta", "-alpha.", "1.0.0-alpha..", "1.0.0-alpha..1", "1.0.0-alpha...1",
      "1.0.0-alpha....1", "1.0.0-alpha.....1", "1.0.0-alpha......1", "1.0.0-alpha.......1", "01.1.1", "1.01.1",
      "1.1.01", "1.2.3.DEV", "1.2-SNAPSHOT", "1.2.31.2.3----RC-SNAPSHOT.12.09.1--..12+788", "1.2-RC-SNAPSHOT",
      "-1.0.3-gamma+b7718", "+justmeta", "9.8.7+meta+meta", "9.8.7-whatever+meta+meta",
      "99999999999999999999999.999999999999999999.99999999999999999----RC-SNAPSHOT.12.09.1--------------------------------..12",
      // tags seen in registries that are not versions
      "v1", "v1.5", "1234", "20260101", "2024.10", "v01.2.3", "1.02.0", "V1.2.3", "rc.01", "beta..1", "1.0.0-rc.01",
      "1.0.0-", "1.0.0+", "vv1.0.0", "v", "", "1.0.0-beta..1", " 1.0.0", "1.0.0 "};
  for (const char* s : invalid) {
    CAPTURE(s);
    CHECK_FALSE(parse_semver(s).has_value());
  }
}
