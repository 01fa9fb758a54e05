#include "util/json_log.h"

#include <mutex>
#include <ostream>
#include <string>

#include "util/json_writer.h"
#include "util/time.h"

namespace regpol {

namespace {

bool starts_with(const std::string& s, const char* prefix, std::size_t& at) {
  const std::string p = prefix;
  if (s.compare(at, p.size(), p) != 0) return false;
  at += p.size();
  return true;
}

// Collects characters into lines and hands each whole line, as JSON, to the real buffer.
// One mutex: lines written from several threads stay whole.
class JsonLineBuffer : public std::streambuf {
 public:
  explicit JsonLineBuffer(std::streambuf* out) : out_(out) {}
  ~JsonLineBuffer() override {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!line_.empty()) emit();
    out_->pubsync();
  }

 protected:
  int_type overflow(int_type c) override {
    if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
    std::lock_guard<std::mutex> lock(mutex_);
    put(traits_type::to_char_type(c));
    return c;
  }
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    std::lock_guard<std::mutex> lock(mutex_);
    for (std::streamsize i = 0; i < n; ++i) put(s[i]);
    return n;
  }
  int sync() override { return out_->pubsync(); }

 private:
  void put(char c) {
    // A carriage return rewrites a terminal line; in a log it ends one.
    if (c == '\n' || c == '\r') {
      if (!line_.empty()) emit();
      return;
    }
    line_ += c;
  }
  void emit() {
    const std::string json = json_log_line(line_, format_timestamp(current_time()));
    out_->sputn(json.data(), static_cast<std::streamsize>(json.size()));
    line_.clear();
  }

  std::streambuf* out_;
  std::string line_;
  std::mutex mutex_;
};

}  // namespace

std::string json_log_line(const std::string& line, const std::string& time) {
  std::size_t at = 0;
  starts_with(line, "regpol: ", at);
  std::string level = "info";
  if (starts_with(line, "error: ", at)) level = "error";
  else if (starts_with(line, "warning: ", at)) level = "warning";
  std::string out;
  JsonWriter(out).object().member("time", time).member("level", level).member("message", std::string_view(line).substr(at)).end();
  out += '\n';
  return out;
}

JsonLogLines::JsonLogLines(std::ostream& stream)
    : stream_(stream), previous_(stream.rdbuf()), filter_(std::make_unique<JsonLineBuffer>(previous_)) {
  stream_.rdbuf(filter_.get());
}

JsonLogLines::~JsonLogLines() {
  stream_.flush();
  stream_.rdbuf(previous_);
  filter_.reset();  // writes out an unfinished line
}

}  // namespace regpol
