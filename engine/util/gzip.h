#pragma once
// gzip (RFC 1952) with zlib: an HTML report carries its image table compressed, which the
// browser's own DecompressionStream("gzip") opens, so a 50,000-image report stays a few MB.
// The output is the same for the same input (no time or name in the header).
#include <string>
#include <string_view>

namespace regpol {

// False with `error` when zlib fails (out of memory).
bool gzip_compress(std::string_view in, std::string& out, std::string& error);

}  // namespace regpol
