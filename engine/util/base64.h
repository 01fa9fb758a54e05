#pragma once
// Standard base64 (RFC 4648, with padding): Basic auth headers, and the compressed data
// an HTML report carries inline.
#include <string>
#include <string_view>

namespace regpol {

std::string base64_encode(std::string_view in);

}  // namespace regpol
