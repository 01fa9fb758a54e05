// regpol's JSON writer against nlohmann/json: strings parse back to the same bytes (plain
// text, every escape, every control character), numbers to the same double, and the layout is regpol's.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>

#include "util/json_writer.h"

using namespace regpol;

static std::string written(std::string_view s) {
  std::string out;
  append_json_string(out, s);
  return out;
}

TEST_CASE("plain strings are copied between quotes") {
  CHECK(written("") == "\"\"");
  CHECK(written("sha256:abc") == "\"sha256:abc\"");
  CHECK(written("caf\xc3\xa9") == "\"caf\xc3\xa9\"");
}

TEST_CASE("quotes, backslashes and control characters are escaped") {
  CHECK(written("a\"b") == "\"a\\\"b\"");
  CHECK(written("a\\b") == "\"a\\\\b\"");
  CHECK(written("\n\r\t") == "\"\\n\\r\\t\"");
  CHECK(written(std::string_view("\x01x\x1f", 3)) == "\"\\u0001x\\u001f\"");
  CHECK(written(std::string_view("\0", 1)) == "\"\\u0000\"");
}

TEST_CASE("random strings parse back to themselves") {
  std::mt19937 rng(7);
  const std::string alphabet = std::string("ab\"\\\n\t\x01\x1f /:") + '\0';
  for (int i = 0; i < 2000; ++i) {
    std::string s;
    // Mostly plain, sometimes a byte to escape: both the word-at-a-time path and the bytewise one.
    for (int n = static_cast<int>(rng() % 40); n > 0; --n) s += rng() % 8 ? char('a' + rng() % 26) : alphabet[rng() % alphabet.size()];
    CHECK(nlohmann::json::parse(written(s)).get<std::string>() == s);
  }
}

TEST_CASE("JsonWriter writes regpol's layout: commas, nesting, every kind of value") {
  std::string out;
  JsonWriter w(out);
  w.object().member("name", "a\"b").member("count", std::size_t{3}).member("ok", true).key("none").null();
  w.key("list").array().integer(-1).number(0.5).string("x").object().end().array().end().end();
  w.key("raw").raw("{\"k\": 1}").end();
  CHECK(out == "{\"name\": \"a\\\"b\", \"count\": 3, \"ok\": true, \"none\": null, \"list\": [-1, 0.5, \"x\", {}, []], \"raw\": {\"k\": 1}}");
  CHECK(w.complete());
  auto parsed = nlohmann::json::parse(out);
  CHECK(parsed["list"][1] == 0.5);
}

TEST_CASE("JsonWriter numbers: what JSON can carry, read back exactly; never NaN or infinity") {
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> any(-1e12, 1e12);
  for (int i = 0; i < 2000; ++i) {
    double v = i % 3 ? any(rng) : std::ldexp(any(rng), -60);
    std::string out;
    append_json_number(out, v);
    CHECK(nlohmann::json::parse(out).get<double>() == v);  // shortest text, same double
  }
  for (double bad : {std::nan(""), std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity()}) {
    std::string out;
    JsonWriter(out).object().key("v").number(bad).end();
    CHECK(out == "{\"v\": null}");
    CHECK(nlohmann::json::parse(out)["v"].is_null());
  }
  std::string ints;
  JsonWriter(ints).array().integer(INT64_MIN).integer(INT64_MAX).integer(0).end();
  CHECK(ints == "[-9223372036854775808, 9223372036854775807, 0]");
}
