#include "util/sha256.h"

#include <openssl/evp.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <new>

#include "util/text.h"

namespace regpol {

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  if (!ctx_ || EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(ctx_), EVP_sha256(), nullptr) != 1) throw std::bad_alloc();
}

Sha256::~Sha256() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_)); }

void Sha256::update(std::string_view bytes) { EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), bytes.data(), bytes.size()); }

std::string Sha256::hex() {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(ctx_), md, &n);
  return to_hex(std::string_view(reinterpret_cast<const char*>(md), n));
}

std::string to_hex(std::string_view bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(digits[c >> 4]);
    out.push_back(digits[c & 15]);
  }
  return out;
}

std::string sha256_hex(std::string_view bytes) {
  Sha256 h;
  h.update(bytes);
  return h.hex();
}

bool sha256_files(const std::vector<std::string>& paths, std::string& hex, std::string& error) {
  Sha256 h;
  std::vector<char> buf(1 << 20);
  for (const auto& path : paths) {
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) {
      error = path + ": cannot read: " + errno_message(errno);
      return false;
    }
    std::size_t n = 0;
    std::uint64_t total = 0;
    Sha256 inner;  // the file's own digest; the outer one hashes (length, digest) pairs
    while ((n = std::fread(buf.data(), 1, buf.size(), f)) > 0) {
      inner.update(std::string_view(buf.data(), n));
      total += n;
    }
    bool failed = std::ferror(f) != 0;
    std::fclose(f);
    if (failed) {
      error = path + ": read error";
      return false;
    }
    h.update(std::to_string(total) + ":" + inner.hex() + "\n");
  }
  hex = h.hex();
  return true;
}

}  // namespace regpol
