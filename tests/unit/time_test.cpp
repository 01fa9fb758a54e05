#include <doctest/doctest.h>

#include "util/time.h"

using namespace regpol;

TEST_CASE("timestamps with zones parse to the same instant") {
  auto z = parse_timestamp("2026-11-27T00:00:00Z");
  REQUIRE(z);
  CHECK(*z == 1795737600LL * kMicrosPerSecond);
  CHECK(parse_timestamp("2026-11-27T01:00:00+01:00") == z);
  CHECK(parse_timestamp("2026-11-26T19:00:00-0500") == z);
  CHECK(parse_timestamp("2026-11-27 00:00:00z") == z);
  CHECK(*parse_timestamp("2026-11-27T00:00:00.25Z") == *z + 250000);
  CHECK(*parse_timestamp("2026-11-27T00:00:00.1234567Z") == *z + 123456);
}

TEST_CASE("timestamps without a zone or out of range are rejected") {
  CHECK_FALSE(parse_timestamp("2026-11-27T00:00:00"));
  CHECK_FALSE(parse_timestamp("2026-02-30T00:00:00Z"));
  CHECK_FALSE(parse_timestamp("2026-11-27T24:00:00Z"));
  CHECK_FALSE(parse_timestamp("2026-11-27T00:00:00+25:00"));
  CHECK_FALSE(parse_timestamp("2026-11-27"));
  CHECK_FALSE(parse_timestamp("2026-11-27T00:00:00.Z"));
  CHECK_FALSE(parse_timestamp("2026-11-27T00:00:00Zjunk"));
  CHECK_FALSE(parse_timestamp(""));
}

TEST_CASE("epoch seconds keep their fraction") {
  CHECK(*from_epoch_seconds(1795348800.5) == 1795348800LL * kMicrosPerSecond + 500000);
  CHECK_FALSE(from_epoch_seconds(1e300));
}

TEST_CASE("formatting is canonical UTC and round-trips") {
  CHECK(format_timestamp(*parse_timestamp("2026-11-27T01:00:00+01:00")) == "2026-11-27T00:00:00Z");
  CHECK(format_timestamp(*parse_timestamp("2026-11-27T00:00:00.5Z")) == "2026-11-27T00:00:00.5Z");
  CHECK(format_timestamp(*parse_timestamp("1969-12-31T23:59:59.5Z")) == "1969-12-31T23:59:59.5Z");
}

TEST_CASE("formatting: every field's digits, fractions without trailing zeros") {
  CHECK(format_timestamp(*parse_timestamp("0001-01-01T00:00:00Z")) == "0001-01-01T00:00:00Z");
  CHECK(format_timestamp(*parse_timestamp("9999-12-31T23:59:59.999999Z")) == "9999-12-31T23:59:59.999999Z");
  CHECK(format_timestamp(*parse_timestamp("2000-02-29T09:08:07.000100Z")) == "2000-02-29T09:08:07.0001Z");
  CHECK(format_timestamp(*parse_timestamp("2026-07-04T12:34:56.120Z")) == "2026-07-04T12:34:56.12Z");
  CHECK(format_timestamp(0) == "1970-01-01T00:00:00Z");
  CHECK(format_timestamp(-1) == "1969-12-31T23:59:59.999999Z");
  CHECK(format_timestamp(-kMicrosPerDay - 1) == "1969-12-30T23:59:59.999999Z");
  // The extremes (kNoTime is INT64_MIN) format without overflow: some text, never undefined
  // behaviour (UBSan fails this test otherwise).
  CHECK(!format_timestamp(kNoTime).empty());
  CHECK(!format_timestamp(INT64_MAX).empty());
  std::string out = "x";
  append_timestamp(out, kMicrosPerSecond);
  CHECK(out == "x1970-01-01T00:00:01Z");
  // Every second of a leap day and its neighbours round-trips through the text.
  Micros start = *parse_timestamp("2024-02-28T00:00:00Z");
  for (Micros t = start; t < start + 3 * kMicrosPerDay; t += 997 * kMicrosPerSecond + 1234) {
    CHECK(*parse_timestamp(format_timestamp(t)) == t);
  }
}
