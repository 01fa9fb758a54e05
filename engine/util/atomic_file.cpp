#include "util/atomic_file.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "util/text.h"

namespace regpol {

AtomicFile::AtomicFile(std::string path) : path_(std::move(path)), tmp_(path_ + ".tmp-XXXXXX") {
  // A device, a pipe or a terminal (`--out /dev/stdout`) is written directly: it cannot be
  // replaced, and must never be (renaming over /dev/full would replace the device).
  struct stat target {};
  if (::stat(path_.c_str(), &target) == 0 && !S_ISREG(target.st_mode)) {
    tmp_.clear();
    if (S_ISDIR(target.st_mode)) {
      error_ = "cannot write `" + path_ + "`: is a directory";
      return;
    }
    file_ = std::fopen(path_.c_str(), "wb");
    if (!file_) error_ = "cannot write `" + path_ + "`: " + errno_message(errno);
    return;
  }
  int fd = ::mkstemp(tmp_.data());
  if (fd < 0) {
    error_ = "cannot write `" + path_ + "`: " + errno_message(errno);
    return;
  }
  // Keep the target's permissions when it exists (mkstemp creates 0600).
  struct stat st {};
  if (::stat(path_.c_str(), &st) == 0 && S_ISREG(st.st_mode)) ::fchmod(fd, st.st_mode & 07777);
  else ::fchmod(fd, 0644 & ~[] { mode_t m = ::umask(0); ::umask(m); return m; }());
  file_ = ::fdopen(fd, "wb");
  if (!file_) {
    error_ = "cannot write `" + path_ + "`: " + errno_message(errno);
    ::close(fd);
    ::unlink(tmp_.c_str());
  }
}

AtomicFile::~AtomicFile() {
  if (file_) std::fclose(file_);
  if (!committed_ && !tmp_.empty()) ::unlink(tmp_.c_str());
}

bool AtomicFile::commit() {
  if (!file_) return false;
  bool ok = std::fflush(file_) == 0 && !std::ferror(file_);
  int err = errno;
  if (ok && !tmp_.empty() && ::fsync(::fileno(file_)) != 0) ok = false, err = errno;
  if (std::fclose(file_) != 0 && ok) ok = false, err = errno;
  file_ = nullptr;
  if (ok && !tmp_.empty() && ::rename(tmp_.c_str(), path_.c_str()) != 0) ok = false, err = errno;
  if (!ok) {
    error_ = "cannot write `" + path_ + "`: " + errno_message(err);
    return false;
  }
  committed_ = true;
  return true;
}

std::string write_file_atomically(const std::string& path, const std::string& text) {
  AtomicFile f(path);
  if (!f.stream()) return f.error();
  std::fwrite(text.data(), 1, text.size(), f.stream());
  return f.commit() ? "" : f.error();
}

}  // namespace regpol
