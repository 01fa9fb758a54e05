#include "snapshot/fast_stream.h"

#include <simdjson.h>

#include <cstring>
#include <string>
#include <vector>

namespace regpol {

namespace {

namespace od = simdjson::ondemand;

// Bytes from a file (in chunks) or from memory, with the absolute offset of each byte.
class Source {
 public:
  explicit Source(std::FILE* f) : file_(f), buf_(1 << 20) {}
  explicit Source(std::string_view text) : text_(text) {}
  // -1 at the end.
  int peek() {
    if (pos_ < len_) return static_cast<unsigned char>(data()[pos_]);
    if (!fill()) return -1;
    return static_cast<unsigned char>(data()[pos_]);
  }
  void advance() {
    ++pos_;
    ++offset_;
  }
  std::size_t offset() const { return offset_; }
  // The bytes buffered from the current position on (refilling when empty); consume(n)
  // moves past n of them.
  std::string_view window() {
    if (pos_ >= len_ && !fill()) return {};
    return std::string_view(data() + pos_, len_ - pos_);
  }
  void consume(std::size_t n) {
    pos_ += n;
    offset_ += n;
  }

 private:
  const char* data() const { return file_ ? buf_.data() : text_.data(); }
  bool fill() {
    if (!file_) {
      if (len_ == 0 && !text_.empty() && !filled_) {
        len_ = text_.size();
        filled_ = true;
        return pos_ < len_;
      }
      return false;
    }
    len_ = std::fread(buf_.data(), 1, buf_.size(), file_);
    pos_ = 0;
    return len_ > 0;
  }
  std::FILE* file_ = nullptr;
  std::string_view text_;
  std::vector<char> buf_;
  std::size_t pos_ = 0, len_ = 0, offset_ = 0;
  bool filled_ = false;
};

class Scanner {
 public:
  Scanner(Source& src, JsonElementHandler& h) : src_(src), h_(h) {}

  JsonStreamResult run() {
    skip_ws();
    if (src_.peek() == '[') return fail("expected a JSON object at the top level, found an array");
    if (!expect('{')) return result_;
    skip_ws();
    if (src_.peek() == '}') {
      src_.advance();
      return finish();
    }
    while (true) {
      skip_ws();
      std::string key;
      if (!read_key(key)) return result_;
      skip_ws();
      if (!expect(':')) return result_;
      skip_ws();
      int c = src_.peek();
      if (c == '[') {
        src_.advance();
        if (!array(key)) return result_;
      } else if (c == '{') {
        return fail("top-level `" + key + "` must be an array or a scalar, not an object", "$." + key);
      } else {
        std::size_t at = src_.offset();
        if (!capture_scalar(elem_) || !scalar(elem_, at, [&](const JsonValue& v) { return h_.top_value(key, v); })) return result_;
      }
      skip_ws();
      int d = src_.peek();
      if (d == ',') {
        src_.advance();
        continue;
      }
      if (d == '}') {
        src_.advance();
        return finish();
      }
      malformed(d < 0 ? "unexpected end of input; expected ',' or '}'" : "expected ',' or '}'");
      return result_;
    }
  }

 private:
  JsonStreamResult finish() {
    skip_ws();
    if (src_.peek() >= 0) malformed("unexpected content after the top-level object");
    return result_;
  }

  bool array(const std::string& key) {
    std::size_t index = 0;
    skip_ws();
    if (src_.peek() == ']') {
      src_.advance();
      return true;
    }
    while (true) {
      skip_ws();
      int c = src_.peek();
      std::size_t at = src_.offset();
      if (c == '{') {
        if (!capture_object(elem_)) return false;
        if (!element(key, index++, elem_, at)) return false;
      } else if (c == '[') {
        fail("`" + key + "` must hold objects, not arrays", "$." + key);
        return false;
      } else {
        if (!capture_scalar(elem_) || !scalar(elem_, at, [&](const JsonValue& v) { return h_.top_value(key, v); })) return false;
      }
      skip_ws();
      int d = src_.peek();
      if (d == ',') {
        src_.advance();
        continue;
      }
      if (d == ']') {
        src_.advance();
        return true;
      }
      malformed(d < 0 ? "unexpected end of input; expected ',' or ']'" : "expected ',' or ']'");
      return false;
    }
  }

  // Copies one object, braces included, honouring strings and escapes.
  bool capture_object(std::string& out) {
    out.clear();
    int depth = 0;
    bool in_string = false, escape = false;
    while (true) {
      std::string_view w = src_.window();
      if (w.empty()) {
        malformed("unexpected end of input inside an object");
        return false;
      }
      std::size_t i = 0;
      for (; i < w.size(); ++i) {
        char c = w[i];
        if (in_string) {
          if (escape) {
            escape = false;
          } else if (c == '\\') {
            escape = true;
          } else if (c == '"') {
            in_string = false;
          } else {
            // Most of an element is string bytes: jump to the next quote or backslash.
            const char* q = static_cast<const char*>(std::memchr(w.data() + i, '"', w.size() - i));
            const char* b = static_cast<const char*>(std::memchr(w.data() + i, '\\', (q ? q : w.data() + w.size()) - (w.data() + i)));
            const char* next = b ? b : q;
            if (!next) {
              i = w.size() - 1;
              continue;
            }
            i = static_cast<std::size_t>(next - w.data()) - 1;
          }
          continue;
        }
        if (c == '"') in_string = true;
        else if (c == '{' || c == '[') ++depth;
        else if ((c == '}' || c == ']') && --depth == 0) {
          out.append(w.data(), i + 1);
          src_.consume(i + 1);
          return true;
        }
      }
      out.append(w.data(), w.size());
      src_.consume(w.size());
    }
  }

  // Copies a scalar up to the next ',', ']' or '}' outside a string.
  bool capture_scalar(std::string& out) {
    out.clear();
    bool in_string = false, escape = false;
    while (true) {
      int c = src_.peek();
      if (c < 0) break;
      if (!in_string && (c == ',' || c == ']' || c == '}')) break;
      out.push_back(static_cast<char>(c));
      src_.advance();
      if (in_string) {
        if (escape) escape = false;
        else if (c == '\\') escape = true;
        else if (c == '"') in_string = false;
      } else if (c == '"') {
        in_string = true;
      }
    }
    while (!out.empty() && (out.back() == ' ' || out.back() == '\n' || out.back() == '\r' || out.back() == '\t')) out.pop_back();
    if (out.empty()) {
      malformed("expected a value");
      return false;
    }
    return true;
  }

  bool read_key(std::string& key) {
    std::size_t at = src_.offset();
    if (src_.peek() != '"') {
      malformed("expected a string key");
      return false;
    }
    // Copy the string token exactly: from its opening quote to its closing one.
    elem_.clear();
    elem_.push_back('"');
    src_.advance();
    bool escape = false;
    while (true) {
      int c = src_.peek();
      if (c < 0) return malformed("unexpected end of input inside a key");
      elem_.push_back(static_cast<char>(c));
      src_.advance();
      if (escape) escape = false;
      else if (c == '\\') escape = true;
      else if (c == '"') break;
    }
    // Let simdjson validate and unescape the key.
    return scalar(elem_, at, [&](const JsonValue& v) {
      if (v.kind != JsonKind::String) return false;
      key.assign(v.string);
      return true;
    }, "expected a string key");
  }

  template <typename F>
  bool scalar(std::string& text, std::size_t at, F&& on_value, const char* what = nullptr) {
    text.reserve(text.size() + simdjson::SIMDJSON_PADDING);
    od::document doc;
    if (parser_.iterate(text.data(), text.size(), text.capacity()).get(doc)) return malformed_at(at, "invalid JSON value");
    JsonValue v;
    od::json_type type;
    if (doc.type().get(type)) return malformed_at(at, what ? what : "invalid JSON value");
    if (!read_scalar(doc, type, v)) return malformed_at(at, what ? what : "invalid JSON value");
    if (!single_token(text)) return malformed_at(at, "invalid JSON value");
    if (!on_value(v)) {
      if (what) return malformed_at(at, what);
      return handler_failed();
    }
    return true;
  }

  template <typename V>
  bool read_scalar(V& val, od::json_type type, JsonValue& v) {
    switch (type) {
      case od::json_type::string: {
        std::string_view s;
        if (val.get_string().get(s)) return false;
        v.kind = JsonKind::String;
        v.string = s;
        return true;
      }
      case od::json_type::boolean: {
        bool b;
        if (val.get_bool().get(b)) return false;
        v.kind = JsonKind::Bool;
        v.boolean = b;
        return true;
      }
      case od::json_type::null: {
        bool is_null = false;
        if (val.is_null().get(is_null) || !is_null) return false;
        v.kind = JsonKind::Null;
        return true;
      }
      case od::json_type::number: {
        od::number_type nt;
        if (val.get_number_type().get(nt)) return false;
        if (nt == od::number_type::signed_integer) {
          std::int64_t i;
          if (val.get_int64().get(i)) return false;
          // As nlohmann/json does: non-negative integers are unsigned.
          if (i >= 0) {
            v.kind = JsonKind::Unsigned;
            v.unsigned_integer = static_cast<std::uint64_t>(i);
          } else {
            v.kind = JsonKind::Integer;
            v.integer = i;
          }
        } else if (nt == od::number_type::unsigned_integer) {
          std::uint64_t u;
          if (val.get_uint64().get(u)) return false;
          v.kind = JsonKind::Unsigned;
          v.unsigned_integer = u;
        } else {
          double d;
          if (val.get_double().get(d)) return false;
          v.kind = JsonKind::Float;
          v.number = d;
        }
        return true;
      }
      default: return false;
    }
  }

  // A scalar's text is one token: a string whose closing quote is the last byte, or a
  // literal or number without blanks inside.
  static bool single_token(const std::string& t) {
    if (t.empty()) return false;
    if (t[0] != '"') return t.find_first_of(" \t\r\n\"") == std::string::npos;
    bool escape = false;
    for (std::size_t i = 1; i < t.size(); ++i) {
      if (escape) escape = false;
      else if (t[i] == '\\') escape = true;
      else if (t[i] == '"') return i + 1 == t.size();
    }
    return false;
  }

  // One element of a top-level array: walk it and give the handler the same events as the
  // SAX path (ObjectStart/ArrayStart for nested containers, leaves with dotted paths).
  bool element(const std::string& key, std::size_t index, std::string& text, std::size_t at) {
    text.reserve(text.size() + simdjson::SIMDJSON_PADDING);
    od::document doc;
    if (parser_.iterate(text.data(), text.size(), text.capacity()).get(doc)) return malformed_at(at, "invalid JSON in an element");
    od::object obj;
    if (doc.get_object().get(obj)) return malformed_at(at, "invalid JSON in an element");
    if (!h_.begin_element(key, index)) return handler_failed();
    path_.clear();
    if (!walk_object(obj, at)) return false;
    if (!h_.end_element()) return handler_failed();
    return true;
  }

  bool walk_object(od::object& obj, std::size_t at) {
    std::size_t base = path_.size();
    for (auto field : obj) {
      std::string_view k;
      if (field.unescaped_key().get(k)) return malformed_at(at, "invalid JSON in an element");
      path_.resize(base);
      if (!path_.empty()) path_ += '.';
      path_.append(k.data(), k.size());
      od::value v;
      if (field.value().get(v)) return malformed_at(at, "invalid JSON in an element");
      if (!walk_value(v, false, at)) return false;
    }
    path_.resize(base);
    return true;
  }

  bool walk_value(od::value& val, bool in_array, std::size_t at) {
    od::json_type type;
    if (val.type().get(type)) return malformed_at(at, "invalid JSON in an element");
    JsonValue v;
    if (type == od::json_type::object) {
      v.kind = JsonKind::ObjectStart;
      if (!h_.field(path_, v, in_array)) return handler_failed();
      od::object obj;
      if (val.get_object().get(obj)) return malformed_at(at, "invalid JSON in an element");
      return walk_object(obj, at);
    }
    if (type == od::json_type::array) {
      v.kind = JsonKind::ArrayStart;
      if (!h_.field(path_, v, in_array)) return handler_failed();
      od::array arr;
      if (val.get_array().get(arr)) return malformed_at(at, "invalid JSON in an element");
      for (auto item : arr) {
        od::value iv;
        if (item.get(iv)) return malformed_at(at, "invalid JSON in an element");
        if (!walk_value(iv, true, at)) return false;
      }
      return true;
    }
    if (!read_scalar(val, type, v)) return malformed_at(at, "invalid JSON in an element");
    if (!h_.field(path_, v, in_array)) return handler_failed();
    return true;
  }

  void skip_ws() {
    for (int c = src_.peek(); c == ' ' || c == '\n' || c == '\r' || c == '\t'; c = src_.peek()) src_.advance();
  }
  bool expect(char c) {
    if (src_.peek() == c) {
      src_.advance();
      return true;
    }
    malformed(std::string(src_.peek() < 0 ? "unexpected end of input" : "unexpected character") + "; expected '" + c + "'");
    return false;
  }
  bool malformed(const std::string& message) { return malformed_at(src_.offset(), message); }
  bool malformed_at(std::size_t at, const std::string& message) {
    if (result_.ok) {
      result_.ok = false;
      result_.message = "malformed JSON: " + message;
      result_.location = "byte " + std::to_string(at);
    }
    return false;
  }
  JsonStreamResult fail(const std::string& message, const std::string& location = "") {
    result_.ok = false;
    result_.message = message;
    result_.location = location;
    return result_;
  }
  bool handler_failed() {
    if (result_.ok) {
      result_.ok = false;
      result_.message = h_.error.empty() ? "rejected" : h_.error;
      result_.location = h_.error_path;
    }
    return false;
  }

  Source& src_;
  JsonElementHandler& h_;
  od::parser parser_;
  std::string elem_, path_;
  JsonStreamResult result_;
};

}  // namespace

JsonStreamResult fast_stream_json_file(std::FILE* file, JsonElementHandler& handler) {
  Source src(file);
  Scanner s(src, handler);
  return s.run();
}

JsonStreamResult fast_stream_json_text(std::string_view text, JsonElementHandler& handler) {
  Source src(text);
  Scanner s(src, handler);
  return s.run();
}

}  // namespace regpol
