#pragma once
// What a valid value of registry metadata is, for every snapshot reader (JSON and the
// SQLite store alike): one set of rules, so that no reader accepts what another rejects.
// Each function returns "" when the value is valid, else why not (for a located error).
#include <string>
#include <string_view>

#include "util/time.h"

namespace regpol {

// OCI digest `algorithm:encoded`: sha256 with 64, or sha512 with 128, lower-case hex digits.
std::string check_digest(std::string_view digest);
// OCI / ECR tag: [A-Za-z0-9_][A-Za-z0-9._-]{0,127}.
std::string check_tag(std::string_view tag);
// OCI repository name (path components of [a-z0-9]+ joined by `.`, `_`, `__` or runs of
// `-`, separated by `/`), 2 to 256 characters as ECR allows.
std::string check_repository_name(std::string_view name);
// Image times: from 1970-01-01T00:00:00Z (AWS timestamps are epoch-based, never negative)
// to 9999-12-31T23:59:59Z.
std::string check_image_time(Micros t);

}  // namespace regpol
