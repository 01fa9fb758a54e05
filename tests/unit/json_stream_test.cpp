// The simdjson bulk path gives the handler exactly the events of the nlohmann SAX path, and
// accepts and rejects the same documents.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "snapshot/fast_stream.h"
#include "snapshot/generator.h"
#include "snapshot/json_stream.h"
#include "test_util.h"

using namespace regpol;

namespace {

class Recorder : public JsonElementHandler {
 public:
  std::vector<std::string> events;
  static std::string show(const JsonValue& v) {
    switch (v.kind) {
      case JsonKind::Null: return "null";
      case JsonKind::Bool: return v.boolean ? "true" : "false";
      case JsonKind::Integer: return "i" + std::to_string(v.integer);
      case JsonKind::Unsigned: return "u" + std::to_string(v.unsigned_integer);
      case JsonKind::Float: return "f" + std::to_string(v.number);
      case JsonKind::String: return "s" + std::string(v.string);
      case JsonKind::ArrayStart: return "[";
      case JsonKind::ObjectStart: return "{";
    }
    return "?";
  }
  bool top_value(std::string_view key, const JsonValue& v) override {
    events.push_back("top " + std::string(key) + "=" + show(v));
    return true;
  }
  bool begin_element(std::string_view key, std::size_t index) override {
    events.push_back("begin " + std::string(key) + "#" + std::to_string(index));
    return true;
  }
  bool field(std::string_view path, const JsonValue& v, bool in_array) override {
    events.push_back(std::string(path) + (in_array ? "[]" : "") + "=" + show(v));
    return true;
  }
  bool end_element() override {
    events.emplace_back("end");
    return true;
  }
};

// The bulk path run on one thread and pipelined on two: the same events, the same result
// (message and location), for good and bad documents alike.
void same_bulk(const std::string& text) {
  Recorder a, b;
  JsonStreamResult ra = fast_stream_json_text(text, a, false);
  JsonStreamResult rb = fast_stream_json_text(text, b, true);
  INFO(text.substr(0, 300));
  CHECK(ra.ok == rb.ok);
  CHECK(ra.message == rb.message);
  CHECK(ra.location == rb.location);
  CHECK(a.events == b.events);
}

void same(const std::string& text) {
  Recorder a, b;
  JsonStreamResult ra = stream_json_text(text, a);
  JsonStreamResult rb = fast_stream_json_text(text, b);
  INFO(text.substr(0, 300));
  CHECK(ra.ok == rb.ok);
  if (ra.ok && rb.ok) CHECK(a.events == b.events);
  same_bulk(text);
}

}  // namespace

TEST_CASE("the bulk path and the SAX path agree") {
  for (const char* text : {
           R"({"imageDetails": [{"repositoryName": "r", "imageDigest": "sha256:a", "imageTags": ["x", "y"], "imagePushedAt": 1.5,
               "imageScanFindingsSummary": {"findingSeverityCounts": {"HIGH": 2}}, "n": null, "b": true, "neg": -3, "big": 18446744073709551615}]})",
           R"({"schema": "regpol.snapshot/v1", "capturedAt": "2026-11-27T00:00:00Z", "images": [], "repositories": [{"name": "a", "f": [{"filter": "x"}]}]})",
           R"({"imageDetails": [{"a": "esc\"aped\\ \u00e9"}], "nextToken": "t", "list": [1, "two", null]})",
           R"(  {"imageDetails":[{"a":[[1,2],[3]]}]}  )",
           R"({})", R"({"imageDetails": []})",
           // malformed: both reject
           R"({"imageDetails": [{"a": 1})", R"({"imageDetails": [{"a": 1}] trailing)", R"([1, 2])", R"({"a": {"b": 1}})",
           R"({"imageDetails": [[1]]})", R"({"imageDetails": [{"a": tru}]})", R"({"x": "a" "b"})", R"({"imageDetails": [{"a": 1e999999}]})",
           R"({"imageDetails": [{"a": 1},]})", R"({"imageDetails" [{"a": 1}]})", R"()", R"({"a": 01})",
       }) {
    same(text);
  }
  GeneratorOptions o;
  o.repositories = 5;
  o.images_per_repository = 10;
  for (bool ecr : {true, false}) {
    o.ecr_format = ecr;
    same(testing::generated_snapshot(o));
  }
}

TEST_CASE("pipelined reading gives the sequential events and errors across many batches") {
  GeneratorOptions o;
  o.repositories = 40;
  o.images_per_repository = 150;  // a few MB: many batches of the pipeline
  o.ecr_format = true;
  std::string text = testing::generated_snapshot(o);
  REQUIRE(text.size() > (2u << 20));
  same_bulk(text);
  // Damage it at several depths: a bad element far in, a truncation, a bad tail.
  std::string bad = text;
  auto far = bad.find("\"imageDigest\"", bad.size() * 3 / 4);
  REQUIRE(far != std::string::npos);
  bad.replace(far, 13, "\"imageDigest\" 1");
  same_bulk(bad);
  same_bulk(text.substr(0, text.size() * 2 / 3));
  same_bulk(text + "x");
  // A handler that rejects an element in the middle stops both at the same place.
  class StopAt : public Recorder {
   public:
    bool begin_element(std::string_view key, std::size_t index) override {
      if (index == 3000) {
        error = "stop";
        error_path = "$.x";
        return false;
      }
      return Recorder::begin_element(key, index);
    }
  };
  StopAt a, b;
  JsonStreamResult ra = fast_stream_json_text(text, a, false);
  JsonStreamResult rb = fast_stream_json_text(text, b, true);
  CHECK_FALSE(ra.ok);
  CHECK(ra.message == rb.message);
  CHECK(ra.location == rb.location);
  CHECK(a.events == b.events);
}

TEST_CASE("an exception in the pipelined reader's consumer reaches the caller, the reader joined") {
  GeneratorOptions o;
  o.repositories = 40;
  o.images_per_repository = 150;  // many batches: the reader is still running when it throws
  o.ecr_format = true;
  std::string text = testing::generated_snapshot(o);
  class Throws : public Recorder {
   public:
    bool begin_element(std::string_view key, std::size_t index) override {
      if (index == 1000) throw std::runtime_error("handler failed");
      return Recorder::begin_element(key, index);
    }
  };
  Throws h;
  // Before, the reader thread was left joinable and the process terminated.
  CHECK_THROWS_WITH_AS(fast_stream_json_text(text, h, true), "handler failed", std::runtime_error);
  CHECK(h.events.size() > 1000);
}
