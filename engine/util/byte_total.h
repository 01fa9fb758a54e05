#pragma once
// Totals of image sizes. One image is at most 2^63-1 bytes (ECR's Long), so a sum over a
// few of them already overflows 64 bits; totals are kept in 128 bits, which no snapshot
// can overflow (2^32 images of 2^63 bytes each).
#include <string>

namespace regpol {

__extension__ using ByteTotal = unsigned __int128;  // GCC and Clang; __extension__ for -pedantic

// Exact decimal text (JSON numbers in reports).
inline std::string to_decimal(ByteTotal v) {
  if (v == 0) return "0";
  std::string out;
  while (v > 0) {
    out.insert(out.begin(), static_cast<char>('0' + static_cast<int>(v % 10)));
    v /= 10;
  }
  return out;
}

}  // namespace regpol
