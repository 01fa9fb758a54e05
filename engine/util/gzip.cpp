#include "util/gzip.h"

#include <zlib.h>

namespace regpol {

bool gzip_compress(std::string_view in, std::string& out, std::string& error) {
  z_stream z{};
  // Level 6 (zlib's default): level 9 made the page 0.4% smaller and took twice as long.
  // windowBits 15 + 16: a gzip wrapper instead of zlib's. deflateInit2 writes a header with
  // no time, name or comment, so equal inputs give equal bytes.
  if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK) {
    error = "zlib could not start compressing";
    return false;
  }
  out.resize(deflateBound(&z, static_cast<uLong>(in.size())) + 32);
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));  // zlib does not write through next_in
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  if (rc != Z_STREAM_END) {
    error = "zlib could not compress the data (" + std::to_string(rc) + ")";
    return false;
  }
  return true;
}

}  // namespace regpol
