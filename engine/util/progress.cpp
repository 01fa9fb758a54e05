#include "util/progress.h"

#include <cstdio>
#include <iostream>
#include <utility>

namespace regpol {

ProgressLine::ProgressLine(std::string what, std::string unit, bool terminal, std::chrono::milliseconds interval)
    : what_(std::move(what)), unit_(std::move(unit)), terminal_(terminal), interval_(interval), start_(std::chrono::steady_clock::now()),
      last_(start_) {}

void ProgressLine::update(std::size_t done, std::size_t total, const std::string& detail, const char* unit) {
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard<std::mutex> lock(mutex_);
  if (!terminal_ && (interval_.count() == 0 || now - last_ < interval_)) return;
  last_ = now;
  const double secs = std::chrono::duration<double>(now - start_).count();
  const double rate = secs > 0 ? static_cast<double>(done) / secs : 0;
  char buf[256];
  std::snprintf(buf, sizeof buf, "%s: %zu/%zu %s, %.0f/s", what_.c_str(), done, total, unit ? unit : unit_.c_str(), rate);
  std::string line = buf;
  if (!detail.empty()) line += ", " + detail;
  if (rate > 0 && total >= done) {
    std::snprintf(buf, sizeof buf, ", ETA %.0fs", static_cast<double>(total - done) / rate);
    line += buf;
  }
  if (terminal_) {
    std::cerr << "\r" << line << "   " << std::flush;
    printed_ = true;
  } else {
    std::cerr << "regpol: " << line << "\n" << std::flush;
  }
}

void ProgressLine::end() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (terminal_ && printed_) std::cerr << "\n";
  printed_ = false;
}

double ProgressLine::seconds() const { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count(); }

}  // namespace regpol
