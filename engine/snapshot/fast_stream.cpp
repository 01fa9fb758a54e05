#include "snapshot/fast_stream.h"

#include <simdjson.h>

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace regpol {

namespace {

namespace od = simdjson::ondemand;

// Bytes from a file (in chunks) or from memory, with the absolute offset of each byte.
class Source {
 public:
  // `head`: bytes the caller already read from `f` (to tell the format), served first.
  Source(std::FILE* f, std::string_view head) : file_(f), buf_(std::max<std::size_t>(1 << 20, head.size())) {
    std::copy(head.begin(), head.end(), buf_.begin());
    len_ = head.size();
  }
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

// Keeps the first error only (the earliest in the input); always false, for `return`.
bool record_malformed(JsonStreamResult& result, std::size_t at, const std::string& message) {
  if (result.ok) {
    result.ok = false;
    result.message = "malformed JSON: " + message;
    result.location = "byte " + std::to_string(at);
  }
  return false;
}

// A scalar's text is one token: a string whose closing quote is the last byte, or a
// literal or number without blanks inside.
bool single_token(std::string_view t) {
  if (t.empty()) return false;
  if (t[0] != '"') return t.find_first_of(" \t\r\n\"") == std::string_view::npos;
  bool escape = false;
  for (std::size_t i = 1; i < t.size(); ++i) {
    if (escape) escape = false;
    else if (t[i] == '\\') escape = true;
    else if (t[i] == '"') return i + 1 == t.size();
  }
  return false;
}

// One element or top-level scalar cut out of the stream: its text is
// batch.text[begin, begin + length); `at` is its byte offset in the input (for errors).
struct Item {
  bool element = true;  // else a scalar directly under the top-level object
  std::uint32_t key = 0;  // index into Batch::keys
  std::size_t index = 0;  // position in its array
  std::size_t at = 0;
  std::size_t begin = 0, length = 0;
};

// Items in input order, with their text in one buffer (simdjson reads up to
// SIMDJSON_PADDING bytes past each item, which stay inside the buffer's capacity).
struct Batch {
  std::string text;
  std::vector<std::string> keys;
  std::vector<Item> items;
  void clear() {
    text.clear();
    keys.clear();
    items.clear();
  }
};

constexpr std::size_t kBatchBytes = 1 << 20;

// No single element, scalar or key may be larger: a hostile file (one 2 GB string on one
// line) is a located error instead of gigabytes of memory. Real image entries are < 10 KB.
constexpr std::size_t kMaxElementBytes = 256u << 20;

// The first half of the bulk path: finds the top-level keys, checks the structure between
// elements and cuts each element out whole (honouring strings and escapes), without
// parsing it. Full batches go to `deliver`, which returns false to stop early.
class Splitter {
 public:
  using Deliver = std::function<bool(Batch&)>;
  Splitter(Source& src, Deliver deliver) : src_(src), deliver_(std::move(deliver)) { reset_batch(); }

  // ok, or the first structural error (when `deliver` asks to stop, scanning stops too).
  JsonStreamResult run() {
    scan();
    if (!stopped_ && !batch_.items.empty()) stopped_ = !deliver_(batch_);
    return result_;
  }

 private:
  void scan() {
    skip_bom();
    skip_ws();
    if (src_.peek() == '[') return fail("expected a JSON object at the top level, found an array");
    if (!expect('{')) return;
    skip_ws();
    if (src_.peek() == '}') {
      src_.advance();
      return finish();
    }
    while (true) {
      skip_ws();
      std::string key;
      if (!read_key(key)) return;
      skip_ws();
      if (!expect(':')) return;
      skip_ws();
      int c = src_.peek();
      if (std::find(seen_keys_.begin(), seen_keys_.end(), key) != seen_keys_.end())
        return fail("top-level key `" + key + "` appears twice", "$." + key);
      seen_keys_.push_back(key);
      if (c == '[') {
        src_.advance();
        result_.top_arrays.push_back(key);
        if (!array(key)) return;
      } else if (c == '{') {
        return fail("top-level `" + key + "` must be an array or a scalar, not an object", "$." + key);
      } else {
        if (!scalar_item(key)) return;
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
      return;
    }
  }

  void finish() {
    skip_ws();
    if (src_.peek() >= 0) malformed("unexpected content after the top-level object");
  }

  void reset_batch() {
    batch_.clear();
    batch_.text.reserve(kBatchBytes + (64 << 10));
    key_in_batch_ = false;
  }
  std::uint32_t key_id(const std::string& key) {
    if (!key_in_batch_ || batch_.keys.back() != key) {
      batch_.keys.push_back(key);
      key_in_batch_ = true;
    }
    return static_cast<std::uint32_t>(batch_.keys.size() - 1);
  }
  // Adds the item whose text was just appended from `begin`; hands the batch on when full.
  bool commit(bool element, const std::string& key, std::size_t index, std::size_t at, std::size_t begin) {
    Item it;
    it.element = element;
    it.key = key_id(key);
    it.index = index;
    it.at = at;
    it.begin = begin;
    it.length = batch_.text.size() - begin;
    batch_.items.push_back(it);
    // Padding after the item so simdjson may read past its end.
    batch_.text.append(simdjson::SIMDJSON_PADDING, ' ');
    if (batch_.text.size() < kBatchBytes) return true;
    if (!deliver_(batch_)) {
      stopped_ = true;
      return false;
    }
    reset_batch();
    return true;
  }

  bool scalar_item(const std::string& key) {
    std::size_t at = src_.offset();
    std::size_t begin = batch_.text.size();
    if (!capture_scalar(batch_.text)) return false;
    return commit(false, key, 0, at, begin);
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
        std::size_t begin = batch_.text.size();
        if (!capture_object(batch_.text)) return false;
        if (!commit(true, key, index++, at, begin)) return false;
      } else if (c == '[') {
        fail("`" + key + "` must hold objects, not arrays", "$." + key);
        return false;
      } else {
        if (!scalar_item(key)) return false;
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

  // Appends one object, braces included, honouring strings and escapes.
  bool capture_object(std::string& out) {
    const std::size_t begin = out.size();
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
      if (out.size() - begin > kMaxElementBytes) return too_large();
    }
  }

  bool too_large() { return malformed("an element larger than 256 MiB (image entries are a few KB)"); }

  // Appends a scalar up to the next ',', ']' or '}' outside a string, without trailing blanks.
  bool capture_scalar(std::string& out) {
    std::size_t begin = out.size();
    bool in_string = false, escape = false;
    while (true) {
      int c = src_.peek();
      if (c < 0) break;
      if (!in_string && (c == ',' || c == ']' || c == '}')) break;
      out.push_back(static_cast<char>(c));
      src_.advance();
      if (out.size() - begin > kMaxElementBytes) return too_large();
      if (in_string) {
        if (escape) escape = false;
        else if (c == '\\') escape = true;
        else if (c == '"') in_string = false;
      } else if (c == '"') {
        in_string = true;
      }
    }
    while (out.size() > begin && (out.back() == ' ' || out.back() == '\n' || out.back() == '\r' || out.back() == '\t')) out.pop_back();
    if (out.size() == begin) {
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
    key_text_.clear();
    key_text_.push_back('"');
    src_.advance();
    bool escape = false;
    while (true) {
      int c = src_.peek();
      if (c < 0) return malformed("unexpected end of input inside a key");
      key_text_.push_back(static_cast<char>(c));
      src_.advance();
      if (key_text_.size() > kMaxElementBytes) return too_large();
      if (escape) escape = false;
      else if (c == '\\') escape = true;
      else if (c == '"') break;
    }
    // Let simdjson validate and unescape the key.
    std::string_view k;
    if (!parse_string_token(key_text_, k)) return malformed_at(at, "expected a string key");
    key.assign(k);
    return true;
  }

  bool parse_string_token(std::string& text, std::string_view& out) {
    text.reserve(text.size() + simdjson::SIMDJSON_PADDING);
    od::document doc;
    if (key_parser_.iterate(text.data(), text.size(), text.capacity()).get(doc)) return false;
    return !doc.get_string().get(out) && single_token(text);
  }

  // A UTF-8 byte-order mark before the top-level object, as some editors and PowerShell write.
  void skip_bom() {
    if (src_.peek() != 0xEF) return;
    src_.advance();
    if (src_.peek() == 0xBB) src_.advance();
    if (src_.peek() == 0xBF) src_.advance();
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
  bool malformed_at(std::size_t at, const std::string& message) { return record_malformed(result_, at, message); }
  void fail(const std::string& message, const std::string& location = "") {
    result_.ok = false;
    result_.message = message;
    result_.location = location;
  }

  Source& src_;
  Deliver deliver_;
  Batch batch_;
  bool key_in_batch_ = false;
  bool stopped_ = false;
  od::parser key_parser_;
  std::string key_text_;
  JsonStreamResult result_;
  std::vector<std::string> seen_keys_;  // top-level keys so far (a key twice is an error)
};

// The second half: parses each item with simdjson and gives the handler the same events as
// the SAX path (ObjectStart/ArrayStart for nested containers, leaves with dotted paths).
class ElementParser {
 public:
  explicit ElementParser(JsonElementHandler& h) : h_(h) {}

  // False at the first item that is invalid or that the handler rejects (see result()).
  bool consume(Batch& batch) {
    for (const Item& it : batch.items) {
      const std::string& key = batch.keys[it.key];
      const char* text = batch.text.data() + it.begin;
      if (it.element ? !element(key, it.index, text, it.length, it.at) : !top_scalar(key, text, it.length, it.at)) return false;
    }
    return true;
  }
  const JsonStreamResult& result() const { return result_; }

 private:
  bool top_scalar(const std::string& key, const char* text, std::size_t length, std::size_t at) {
    od::document doc;
    if (parser_.iterate(text, length, length + simdjson::SIMDJSON_PADDING).get(doc)) return malformed_at(at, "invalid JSON value");
    JsonValue v;
    od::json_type type;
    if (doc.type().get(type)) return malformed_at(at, "invalid JSON value");
    if (!read_scalar(doc, type, v)) return malformed_at(at, "invalid JSON value");
    if (!single_token(std::string_view(text, length))) return malformed_at(at, "invalid JSON value");
    if (!h_.top_value(key, v)) return handler_failed();
    return true;
  }

  bool element(const std::string& key, std::size_t index, const char* text, std::size_t length, std::size_t at) {
    od::document doc;
    if (parser_.iterate(text, length, length + simdjson::SIMDJSON_PADDING).get(doc)) return malformed_at(at, "invalid JSON in an element");
    od::object obj;
    if (doc.get_object().get(obj)) return malformed_at(at, "invalid JSON in an element");
    if (!h_.begin_element(key, index)) return handler_failed();
    path_.clear();
    if (!walk_object(obj, at)) return false;
    if (!h_.end_element()) return handler_failed();
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

  // Deepest nesting inside one element. Real entries nest four levels; the bound keeps a
  // hostile unknown field from recursing without end (docs/limits.md).
  static constexpr int kMaxDepth = 128;

  bool walk_object(od::object& obj, std::size_t at, int depth = 1) {
    if (depth > kMaxDepth) return malformed_at(at, "JSON nested deeper than " + std::to_string(kMaxDepth) + " levels in an element");
    std::size_t base = path_.size();
    for (auto field : obj) {
      std::string_view k;
      if (field.unescaped_key().get(k)) return malformed_at(at, "invalid JSON in an element");
      path_.resize(base);
      if (!path_.empty()) path_ += '.';
      path_.append(k.data(), k.size());
      od::value v;
      if (field.value().get(v)) return malformed_at(at, "invalid JSON in an element");
      if (!walk_value(v, false, at, depth)) return false;
    }
    path_.resize(base);
    return true;
  }

  bool walk_value(od::value& val, bool in_array, std::size_t at, int depth) {
    od::json_type type;
    if (val.type().get(type)) return malformed_at(at, "invalid JSON in an element");
    JsonValue v;
    if (type == od::json_type::object) {
      v.kind = JsonKind::ObjectStart;
      if (!h_.field(path_, v, in_array)) return handler_failed();
      od::object obj;
      if (val.get_object().get(obj)) return malformed_at(at, "invalid JSON in an element");
      return walk_object(obj, at, depth + 1);
    }
    if (type == od::json_type::array) {
      v.kind = JsonKind::ArrayStart;
      if (!h_.field(path_, v, in_array)) return handler_failed();
      od::array arr;
      if (val.get_array().get(arr)) return malformed_at(at, "invalid JSON in an element");
      if (depth + 1 > kMaxDepth) return malformed_at(at, "JSON nested deeper than " + std::to_string(kMaxDepth) + " levels in an element");
      for (auto item : arr) {
        od::value iv;
        if (item.get(iv)) return malformed_at(at, "invalid JSON in an element");
        if (!walk_value(iv, true, at, depth + 1)) return false;
      }
      return true;
    }
    if (!read_scalar(val, type, v)) return malformed_at(at, "invalid JSON in an element");
    if (!h_.field(path_, v, in_array)) return handler_failed();
    return true;
  }

  bool malformed_at(std::size_t at, const std::string& message) { return record_malformed(result_, at, message); }
  bool handler_failed() {
    if (result_.ok) {
      result_.ok = false;
      result_.message = h_.error.empty() ? "rejected" : h_.error;
      result_.location = h_.error_path;
    }
    return false;
  }

  JsonElementHandler& h_;
  od::parser parser_;
  std::string path_;
  JsonStreamResult result_;
};

// The whole input, one batch at a time on one thread.
JsonStreamResult run_sequential(Source& src, JsonElementHandler& handler) {
  ElementParser parser(handler);
  Splitter splitter(src, [&](Batch& b) { return parser.consume(b); });
  JsonStreamResult split = splitter.run();
  // An item the parser rejected comes before anything the splitter found after it.
  if (!parser.result().ok) return parser.result();
  return split;
}

// Two threads: the splitter reads and cuts ahead while the calling thread parses and feeds
// the handler, batches passing through a small bounded queue (memory stays bounded). The
// handler sees exactly the events, and the caller exactly the result, of run_sequential.
JsonStreamResult run_pipelined(Source& src, JsonElementHandler& handler) {
  constexpr std::size_t kInFlight = 3;
  std::mutex mu;
  // One waiter on each side: the reader waits for a spare batch, this thread for a full one.
  // A side is woken only when its queue was empty (waking a thread costs more, on a VM, than
  // the batch it hands over).
  std::condition_variable has_full, has_spare;
  std::deque<std::unique_ptr<Batch>> full, spare;
  bool done = false, stop = false;
  for (std::size_t i = 0; i < kInFlight; ++i) spare.push_back(std::make_unique<Batch>());

  JsonStreamResult split;
  // An exception must not leave either thread: one escaping the reader's function would
  // terminate the process, and one escaping this thread with the reader still joinable
  // too. The reader's becomes an error result; this thread's stops the reader, joins it and
  // goes on to the caller.
  auto give_up = [&](const std::string& why) {
    std::lock_guard<std::mutex> lock(mu);
    split.ok = false;
    split.message = "cannot read on: " + why;
    done = true;
    has_full.notify_one();
  };
  std::thread reader([&]() noexcept {
    try {
      Splitter splitter(src, [&](Batch& b) {
        std::unique_lock<std::mutex> lock(mu);
        has_spare.wait(lock, [&] { return stop || !spare.empty(); });
        if (stop) return false;
        auto next = std::move(spare.front());
        spare.pop_front();
        next->clear();
        std::swap(*next, b);  // the splitter keeps filling the (emptied, reserved) spare
        bool was_empty = full.empty();
        full.push_back(std::move(next));
        if (was_empty) has_full.notify_one();
        return true;
      });
      JsonStreamResult r = splitter.run();
      std::lock_guard<std::mutex> lock(mu);
      split = r;
      done = true;
      has_full.notify_one();
    } catch (const std::exception& e) {
      give_up(e.what());
    } catch (...) {
      give_up("an unexpected error");
    }
  });
  auto stop_reader = [&] {
    {
      std::lock_guard<std::mutex> lock(mu);
      stop = true;
    }
    has_spare.notify_one();
    reader.join();
  };

  ElementParser parser(handler);
  bool ok = true;
  while (true) {
    std::unique_ptr<Batch> batch;
    {
      std::unique_lock<std::mutex> lock(mu);
      has_full.wait(lock, [&] { return !full.empty() || done; });
      if (full.empty()) break;
      batch = std::move(full.front());
      full.pop_front();
    }
    try {
      if (ok) ok = parser.consume(*batch);
    } catch (...) {
      stop_reader();
      throw;
    }
    std::lock_guard<std::mutex> lock(mu);
    bool was_empty = spare.empty();
    spare.push_back(std::move(batch));
    if (!ok) stop = true;
    if (was_empty || stop) has_spare.notify_one();
    if (!ok) break;
  }
  reader.join();
  if (!parser.result().ok) return parser.result();
  return split;
}

}  // namespace

JsonStreamResult fast_stream_json_file(std::FILE* file, JsonElementHandler& handler, bool pipelined, std::string_view head) {
  Source src(file, head);
  return pipelined ? run_pipelined(src, handler) : run_sequential(src, handler);
}

JsonStreamResult fast_stream_json_text(std::string_view text, JsonElementHandler& handler, bool pipelined) {
  Source src(text);
  return pipelined ? run_pipelined(src, handler) : run_sequential(src, handler);
}

}  // namespace regpol
