#pragma once
// SHA-256 digests (OpenSSL's libcrypto), as lowercase hex: what a run records of the policy
// and the snapshots it planned from, and what a plan artifact is checked against.
#include <string>
#include <string_view>
#include <vector>

namespace regpol {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void update(std::string_view bytes);
  // The digest of everything added so far, as 64 hex digits; the object is spent after.
  std::string hex();

 private:
  void* ctx_;
};

std::string sha256_hex(std::string_view bytes);

// Bytes as lowercase hex digits (two a byte).
std::string to_hex(std::string_view bytes);

// The digest of the files' contents, in the order given (each file's length is hashed
// before its bytes, so moving bytes between files changes it). False with `error` when a
// file cannot be read.
bool sha256_files(const std::vector<std::string>& paths, std::string& hex, std::string& error);

}  // namespace regpol
