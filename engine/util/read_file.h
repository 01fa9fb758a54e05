#pragma once
// Reads a whole input file with a size limit, so that `/dev/zero`, a huge file or an endless
// pipe fails fast with a message instead of growing without bound. Directories are refused
// by name ("is a directory"), not read as empty.
#include <cstddef>
#include <string>

namespace regpol {

// Largest policy source file (and each imported module) regpol reads: docs/limits.md.
inline constexpr std::size_t kMaxPolicyFileBytes = std::size_t{16} << 20;

// Largest JSON document (ECR lifecycle policy, IAM policy, one request file) read whole.
inline constexpr std::size_t kMaxDocumentBytes = std::size_t{64} << 20;

struct ReadFileResult {
  bool ok = false;
  std::string text;
  std::string error;  // "cannot read `P`: REASON", when !ok; never includes the content
};

// Reads `path` (a regular file, pipe or device) up to `max_bytes`; more is an error.
ReadFileResult read_file_limited(const std::string& path, std::size_t max_bytes);

// A whole JSON document (up to kMaxDocumentBytes) into `out`; false with `error` otherwise.
bool read_document(const std::string& path, std::string& out, std::string& error);

// "16 MiB", "1 KiB", "100 bytes": for limit messages.
std::string describe_bytes(std::size_t bytes);

}  // namespace regpol
