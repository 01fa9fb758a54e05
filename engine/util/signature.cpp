#include "util/signature.h"

#include <openssl/evp.h>
#include <openssl/pem.h>

#include <cstdio>
#include <memory>
#include <vector>

#include "util/sha256.h"

namespace regpol {

namespace {

using Key = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using Ctx = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

// Reads a PEM key: the private key, or (when `public_ok`) a public one.
Key read_key(const std::string& path, bool public_ok, std::string& error) {
  Key key(nullptr, EVP_PKEY_free);
  std::FILE* f = std::fopen(path.c_str(), "r");
  if (!f) {
    error = path + ": cannot open the key file";
    return key;
  }
  key.reset(PEM_read_PrivateKey(f, nullptr, nullptr, nullptr));
  if (!key && public_ok) {
    std::rewind(f);
    key.reset(PEM_read_PUBKEY(f, nullptr, nullptr, nullptr));
  }
  std::fclose(f);
  if (!key || EVP_PKEY_id(key.get()) != EVP_PKEY_ED25519) {
    error = path + ": not an Ed25519 " + std::string(public_ok ? "key" : "private key") + " in PEM (`openssl genpkey -algorithm ed25519`)";
    key.reset();
  }
  return key;
}

// A key's id: the first 16 hex digits of the SHA-256 of its raw public key.
std::string key_id_of(EVP_PKEY* key) {
  unsigned char raw[32];
  std::size_t n = sizeof raw;
  if (EVP_PKEY_get_raw_public_key(key, raw, &n) != 1) return "";
  return sha256_hex(std::string(reinterpret_cast<const char*>(raw), n)).substr(0, 16);
}

}  // namespace

bool ed25519_sign(const std::string& key_path, const std::string& message, std::string& signature_b64, std::string& key_id,
                  std::string& error) {
  Key key = read_key(key_path, false, error);
  if (!key) return false;
  Ctx ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  unsigned char sig[64];
  std::size_t len = sizeof sig;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1 ||
      EVP_DigestSign(ctx.get(), sig, &len, reinterpret_cast<const unsigned char*>(message.data()), message.size()) != 1) {
    error = key_path + ": signing failed";
    return false;
  }
  std::vector<unsigned char> b64(4 * ((len + 2) / 3) + 1);
  int n = EVP_EncodeBlock(b64.data(), sig, static_cast<int>(len));
  signature_b64.assign(reinterpret_cast<const char*>(b64.data()), static_cast<std::size_t>(n));
  key_id = key_id_of(key.get());
  return true;
}

bool ed25519_verify(const std::string& key_path, const std::string& message, const std::string& signature_b64, bool& valid,
                    std::string& key_id, std::string& error) {
  valid = false;
  Key key = read_key(key_path, true, error);
  if (!key) return false;
  key_id = key_id_of(key.get());
  // An Ed25519 signature is 64 bytes: 88 base64 characters with their padding.
  if (signature_b64.size() != 88) return true;
  unsigned char sig[66];
  if (EVP_DecodeBlock(sig, reinterpret_cast<const unsigned char*>(signature_b64.data()), 88) != 66) return true;
  Ctx ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  valid = ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) == 1 &&
          EVP_DigestVerify(ctx.get(), sig, 64, reinterpret_cast<const unsigned char*>(message.data()), message.size()) == 1;
  return true;
}

}  // namespace regpol
