#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/args.h"
#include "cli/commands.h"

namespace regpol::cli {

bool read_file(const std::string& path, std::string& out, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = path + ": cannot open: " + std::strerror(errno);
    return false;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  return true;
}

int fail(int code, const std::string& message) {
  std::cerr << "regpol: error: " << message << "\n";
  return code;
}

}  // namespace regpol::cli
