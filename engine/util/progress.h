#pragma once
// A progress line on stderr for long work (a pull, an apply): on a terminal, one line
// rewritten in place; in a job's log (no terminal), a whole line at most every `interval`,
// so a log shows the work moving without flooding. Safe to update from many threads.
#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>

namespace regpol {

class ProgressLine {
 public:
  // `what` names the work ("pulling ecr", "applying"); `unit` what is counted
  // ("repositories", "actions"). interval 0: silent without a terminal.
  ProgressLine(std::string what, std::string unit, bool terminal, std::chrono::milliseconds interval);
  // `done` of `total`; `detail` is appended ("4,210 images"); `unit` replaces the one given
  // at construction (a pull's stages count different things).
  void update(std::size_t done, std::size_t total, const std::string& detail = "", const char* unit = nullptr);
  // Ends a terminal's line.
  void end();
  double seconds() const;

 private:
  std::string what_, unit_;
  bool terminal_;
  std::chrono::milliseconds interval_;
  std::chrono::steady_clock::time_point start_, last_;
  bool printed_ = false;
  std::mutex mutex_;
};

}  // namespace regpol
