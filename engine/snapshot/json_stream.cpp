#include "snapshot/json_stream.h"

#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>
#include <vector>

namespace regpol {

namespace {

// An input iterator over a FILE* with a large buffer, for nlohmann's iterator adapter.
class ChunkReader {
 public:
  explicit ChunkReader(std::FILE* f) : file_(f), buf_(1 << 20) { refill(); }
  bool at_end() const { return pos_ >= len_; }
  char get() const { return buf_[pos_]; }
  void advance() {
    if (++pos_ >= len_) refill();
  }

 private:
  void refill() {
    len_ = std::fread(buf_.data(), 1, buf_.size(), file_);
    pos_ = 0;
  }
  std::FILE* file_;
  std::vector<char> buf_;
  std::size_t pos_ = 0, len_ = 0;
};

class ChunkIterator {
 public:
  using iterator_category = std::input_iterator_tag;
  using value_type = char;
  using difference_type = std::ptrdiff_t;
  using pointer = const char*;
  using reference = char;
  ChunkIterator() = default;
  explicit ChunkIterator(ChunkReader* r) : r_(r) {}
  char operator*() const { return r_->get(); }
  ChunkIterator& operator++() {
    r_->advance();
    return *this;
  }
  ChunkIterator operator++(int) {
    ChunkIterator t = *this;
    r_->advance();
    return t;
  }
  bool operator==(const ChunkIterator& o) const { return done() == o.done(); }
  bool operator!=(const ChunkIterator& o) const { return !(*this == o); }

 private:
  bool done() const { return r_ == nullptr || r_->at_end(); }
  ChunkReader* r_ = nullptr;
};

using json = nlohmann::json;

class Sax : public nlohmann::json_sax<json> {
 public:
  explicit Sax(JsonElementHandler& h) : h_(h) {}

  bool null() override { return value(JsonValue{}); }
  bool boolean(bool b) override {
    JsonValue v;
    v.kind = JsonKind::Bool;
    v.boolean = b;
    return value(v);
  }
  bool number_integer(number_integer_t n) override {
    JsonValue v;
    v.kind = JsonKind::Integer;
    v.integer = n;
    return value(v);
  }
  bool number_unsigned(number_unsigned_t n) override {
    JsonValue v;
    v.kind = JsonKind::Unsigned;
    v.unsigned_integer = n;
    return value(v);
  }
  bool number_float(number_float_t n, const string_t&) override {
    JsonValue v;
    v.kind = JsonKind::Float;
    v.number = n;
    return value(v);
  }
  bool string(string_t& s) override {
    JsonValue v;
    v.kind = JsonKind::String;
    v.string = s;
    return value(v);
  }
  bool binary(binary_t&) override { return fail("binary values are not supported"); }

  bool start_object(std::size_t) override {
    if (frames_.empty()) {
      frames_.push_back({Frame::Object, 0});
      return true;
    }
    if (frames_.size() == 2 && frames_[1].kind == Frame::Array) {  // an element of a top-level array
      in_element_ = true;
      element_depth_ = frames_.size() + 1;
      if (!h_.begin_element(top_key_, frames_[1].count++)) return fail_handler();
      frames_.push_back({Frame::Object, 0});
      path_len_.push_back(path_.size());
      return true;
    }
    if (frames_.size() == 1) return fail("top-level `" + top_key_ + "` must be an array or a scalar, not an object");
    if (in_element_) {
      JsonValue v;
      v.kind = JsonKind::ObjectStart;
      if (!h_.field(path_, v, frames_.back().kind == Frame::Array)) return fail_handler();
    }
    frames_.push_back({Frame::Object, 0});
    path_len_.push_back(path_.size());
    return true;
  }
  bool key(string_t& k) override {
    if (frames_.size() == 1) {
      top_key_ = k;
      return true;
    }
    path_.resize(path_len_.back());
    if (!path_.empty()) path_ += '.';
    path_ += k;
    return true;
  }
  bool end_object() override {
    frames_.pop_back();
    if (frames_.empty()) return true;
    path_.resize(path_len_.back());
    path_len_.pop_back();
    if (in_element_ && frames_.size() + 1 == element_depth_) {
      in_element_ = false;
      path_.clear();
      if (!h_.end_element()) return fail_handler();
    }
    return true;
  }
  bool start_array(std::size_t) override {
    if (frames_.empty()) return fail("expected a JSON object at the top level, found an array");
    if (frames_.size() == 1) {
      frames_.push_back({Frame::Array, 0});
      return true;
    }
    if (frames_.size() == 2) return fail("`" + top_key_ + "` must hold objects, not arrays");
    if (in_element_) {
      JsonValue v;
      v.kind = JsonKind::ArrayStart;
      if (!h_.field(path_, v, frames_.back().kind == Frame::Array)) return fail_handler();
    }
    frames_.push_back({Frame::Array, 0});
    return true;
  }
  bool end_array() override {
    frames_.pop_back();
    return true;
  }
  bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& ex) override {
    if (!failed_) {
      failed_ = true;
      std::string what = ex.what();
      // nlohmann's message starts with "[json.exception.parse_error.101] parse error at line 1, column 5: "
      auto p = what.find(": ");
      if (p != std::string::npos && what.find("parse error") != std::string::npos) what = what.substr(p + 2);
      result.message = "malformed JSON: " + what;
      result.location = "byte " + std::to_string(position > 0 ? position - 1 : 0);
    }
    return false;
  }

  JsonStreamResult result;

 private:
  struct Frame {
    enum Kind { Object, Array } kind;
    std::size_t count;
  };

  bool value(const JsonValue& v) {
    if (frames_.empty()) return fail("expected a JSON object at the top level");
    if (frames_.size() == 1) {
      if (!h_.top_value(top_key_, v)) return fail_handler();
      return true;
    }
    if (frames_.size() == 2) {  // a scalar item of a top-level array
      if (!h_.top_value(top_key_, v)) return fail_handler();
      return true;
    }
    if (!h_.field(path_, v, frames_.back().kind == Frame::Array)) return fail_handler();
    return true;
  }
  bool fail(std::string msg) {
    failed_ = true;
    result.ok = false;
    result.message = std::move(msg);
    result.location = "$." + top_key_;
    return false;
  }
  bool fail_handler() {
    failed_ = true;
    result.ok = false;
    result.message = h_.error.empty() ? "rejected" : h_.error;
    result.location = h_.error_path;
    return false;
  }

  JsonElementHandler& h_;
  std::vector<Frame> frames_;
  std::vector<std::size_t> path_len_;
  std::string top_key_;
  std::string path_;
  bool in_element_ = false;
  std::size_t element_depth_ = 0;
  bool failed_ = false;
};

template <typename Run>
JsonStreamResult run_sax(JsonElementHandler& handler, Run run) {
  Sax sax(handler);
  bool ok = false;
  try {
    ok = run(sax);
  } catch (const std::exception& e) {
    sax.result.message = std::string("malformed JSON: ") + e.what();
    ok = false;
  }
  if (!ok) sax.result.ok = false;
  return sax.result;
}

}  // namespace

JsonStreamResult stream_json_file(std::FILE* file, JsonElementHandler& handler) {
  ChunkReader reader(file);
  return run_sax(handler, [&](Sax& sax) {
    return json::sax_parse(ChunkIterator(&reader), ChunkIterator(), &sax, json::input_format_t::json, true);
  });
}

JsonStreamResult stream_json_text(std::string_view text, JsonElementHandler& handler) {
  return run_sax(handler, [&](Sax& sax) {
    return json::sax_parse(text.begin(), text.end(), &sax, json::input_format_t::json, true);
  });
}

}  // namespace regpol
