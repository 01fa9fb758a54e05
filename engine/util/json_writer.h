#pragma once
// regpol's one JSON writer: streaming (it appends text as it goes, so a report of a million
// images is never a tree in memory), in regpol's layout (`{"a": 1, "b": [2, 3]}`), with
// strings escaped as RFC 8259 requires and only numbers JSON can carry (no NaN, no
// infinity). Reports, snapshots, logs and artifacts write through it; the hottest loop (the
// per-image lines of plan's report) appends with the same functions directly.
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace regpol {

// Appends `s` as a JSON string literal (quotes included), escaping as RFC 8259 requires.
void append_json_string(std::string& out, std::string_view s);
// Appends the integer in decimal.
void append_json_integer(std::string& out, std::int64_t v);
// Appends the shortest decimal that reads back as `v`; `null` for NaN or an infinity,
// which JSON cannot carry.
void append_json_number(std::string& out, double v);

// Writes one JSON value into `out`, member by member:
//   JsonWriter w(out);
//   w.object().key("name").string("a").key("tags").array().string("v1").end().end();
// Commas and the `": "` between a key and its value are the writer's business; a value
// already rendered as JSON text goes in with raw().
class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  JsonWriter& object();
  JsonWriter& array();
  JsonWriter& end();  // closes the innermost object or array
  JsonWriter& key(std::string_view k);
  JsonWriter& string(std::string_view v);
  JsonWriter& integer(std::int64_t v);
  JsonWriter& number(double v);
  JsonWriter& boolean(bool v);
  JsonWriter& null();
  JsonWriter& raw(std::string_view json);  // a value written elsewhere, as JSON text

  // Shorthands for a member: key(k) then the value.
  JsonWriter& member(std::string_view k, std::string_view v) { return key(k).string(v); }
  JsonWriter& member(std::string_view k, const char* v) { return key(k).string(v); }
  template <typename T>
    requires(std::is_integral_v<T> && !std::is_same_v<T, bool>)
  JsonWriter& member(std::string_view k, T v) {
    return key(k).integer(static_cast<std::int64_t>(v));
  }
  JsonWriter& member(std::string_view k, bool v) { return key(k).boolean(v); }

  // True once every object and array opened has been closed.
  bool complete() const { return open_.empty() && wrote_; }

 private:
  void before_value();
  std::string& out_;
  struct Open {
    char close;       // '}' or ']'
    bool has_member;  // a comma goes before the next one
  };
  std::vector<Open> open_;
  bool after_key_ = false, wrote_ = false;
};

}  // namespace regpol
