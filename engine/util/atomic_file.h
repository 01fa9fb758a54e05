#pragma once
// Output files written whole or not at all: the content goes to a temporary file beside
// the target, which replaces the target (rename) only after every write, the flush and the
// close succeeded. A full disk or a killed process never leaves a truncated file behind.
// A target that exists and is not a regular file (a device, a pipe) is written directly.
#include <cstdio>
#include <string>

namespace regpol {

class AtomicFile {
 public:
  explicit AtomicFile(std::string path);
  ~AtomicFile();  // removes the temporary file unless commit() succeeded
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  // The stream to write to; nullptr when the temporary file could not be created (error()).
  std::FILE* stream() { return file_; }
  // Flushes, checks every write, closes and renames over the target. False with error().
  bool commit();
  const std::string& error() const { return error_; }

 private:
  std::string path_, tmp_;
  std::FILE* file_ = nullptr;
  bool committed_ = false;
  std::string error_;
};

// Writes `text` to `path` through an AtomicFile; "" or the error.
std::string write_file_atomically(const std::string& path, const std::string& text);

}  // namespace regpol
