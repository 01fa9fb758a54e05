// The report's JSON string writer against nlohmann/json: what it writes must parse back to
// the same bytes, for plain text, every escape and every control character.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
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
