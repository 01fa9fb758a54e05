#include "util/read_file.h"
#include "util/text.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace regpol {

std::string describe_bytes(std::size_t bytes) {
  if (bytes >= (std::size_t{1} << 30) && bytes % (std::size_t{1} << 30) == 0) return std::to_string(bytes >> 30) + " GiB";
  if (bytes >= (std::size_t{1} << 20) && bytes % (std::size_t{1} << 20) == 0) return std::to_string(bytes >> 20) + " MiB";
  if (bytes >= 1024 && bytes % 1024 == 0) return std::to_string(bytes >> 10) + " KiB";
  return std::to_string(bytes) + " bytes";
}

ReadFileResult read_file_limited(const std::string& path, std::size_t max_bytes) {
  ReadFileResult r;
  auto fail = [&](const std::string& why) {
    r.ok = false;
    r.text.clear();
    r.error = "cannot read `" + path + "`: " + why;
    return r;
  };
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail(errno_message(errno));
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    ::close(fd);
    return fail("is a directory");
  }
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && static_cast<unsigned long long>(st.st_size) > max_bytes) {
    ::close(fd);
    return fail("larger than " + describe_bytes(max_bytes));
  }
  char buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      ::close(fd);
      return fail(errno_message(e));
    }
    if (n == 0) break;
    if (r.text.size() + static_cast<std::size_t>(n) > max_bytes) {
      ::close(fd);
      return fail("larger than " + describe_bytes(max_bytes));
    }
    r.text.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  r.ok = true;
  return r;
}

bool read_document(const std::string& path, std::string& out, std::string& error) {
  ReadFileResult r = read_file_limited(path, kMaxDocumentBytes);
  if (!r.ok) {
    error = r.error;
    return false;
  }
  out = std::move(r.text);
  return true;
}

}  // namespace regpol
