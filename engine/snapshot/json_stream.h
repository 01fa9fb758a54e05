#pragma once
// Streams a JSON document of the shape {"key": [ {element}, ... ], "key2": scalar, ...}
// without building a DOM of the whole file: each array element is reported field by field
// (with a dotted path inside the element), so memory stays bounded by the largest value.
#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>
#include <string_view>

namespace regpol {

enum class JsonKind { Null, Bool, Integer, Unsigned, Float, String, ArrayStart, ObjectStart };

struct JsonValue {
  JsonKind kind = JsonKind::Null;
  bool boolean = false;
  std::int64_t integer = 0;
  std::uint64_t unsigned_integer = 0;
  double number = 0;
  std::string_view string;
  bool is_number() const { return kind == JsonKind::Integer || kind == JsonKind::Unsigned || kind == JsonKind::Float; }
  double as_double() const {
    return kind == JsonKind::Integer ? static_cast<double>(integer)
           : kind == JsonKind::Unsigned ? static_cast<double>(unsigned_integer) : number;
  }
};

class JsonElementHandler {
 public:
  virtual ~JsonElementHandler() = default;
  // A scalar directly under the top-level object ("capturedAt": ...).
  virtual bool top_value(std::string_view key, const JsonValue& v) = 0;
  virtual bool begin_element(std::string_view top_key, std::size_t index) = 0;
  // `path` is dotted inside the element ("imageScanFindingsSummary.findingSeverityCounts.HIGH");
  // `in_array` says the value is an item of an array at that path.
  virtual bool field(std::string_view path, const JsonValue& v, bool in_array) = 0;
  virtual bool end_element() = 0;
  // Set by the handler when it rejects something; the stream stops.
  std::string error;
  std::string error_path;
};

struct JsonStreamResult {
  bool ok = true;
  std::string message;  // parse error or the handler's error
  std::string location; // "byte 1234" or a JSON path
  std::vector<std::string> top_arrays;  // the top-level keys whose value is an array, in order
};

// Reads `file` in chunks. `first_byte` is the first non-blank byte, already known by the caller.
JsonStreamResult stream_json_file(std::FILE* file, JsonElementHandler& handler);
JsonStreamResult stream_json_text(std::string_view text, JsonElementHandler& handler);

}  // namespace regpol
