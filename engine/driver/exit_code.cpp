#include "driver/exit_code.h"

#include <iostream>

namespace regpol {

int fail(int code, const std::string& message) {
  std::cerr << "regpol: error: " << message << "\n";
  return code;
}

}  // namespace regpol
