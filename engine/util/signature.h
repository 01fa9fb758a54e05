#pragma once
// Ed25519 signatures (OpenSSL's libcrypto) over a byte string, with keys in PEM files as
// `openssl genpkey -algorithm ed25519` writes them (and `openssl pkey -pubout` for the
// public half). Reviewed plan artifacts are signed with these (docs/apply.md).
#include <string>

namespace regpol {

// The base64 signature of `message` with the private key in `key_path`. False with `error`
// when the file is not an Ed25519 private key in PEM.
bool ed25519_sign(const std::string& key_path, const std::string& message, std::string& signature_b64, std::string& key_id,
                  std::string& error);

// Whether `signature_b64` is a valid signature of `message` by the public key in `key_path`
// (a private key file is accepted too: its public half is used). `key_id` gets the key's id.
// False with `error` when the key cannot be read; `valid` tells the verdict otherwise.
bool ed25519_verify(const std::string& key_path, const std::string& message, const std::string& signature_b64, bool& valid,
                    std::string& key_id, std::string& error);

}  // namespace regpol
