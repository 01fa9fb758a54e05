// What an OCI registry (or the user's Docker config) hands regpol, read without trust:
// manifests and indexes, image configs, the Docker config file's auths, WWW-Authenticate
// challenges and token-service answers. The first byte picks the reader.
#include <cstddef>
#include <cstdint>
#include <string>

#include "registry/oci/auth.h"
#include "registry/image/manifest.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::string error;
  switch (data[0] % 5) {
    case 0: {
      regpol::image::Manifest m;
      regpol::image::parse_manifest(text, "application/vnd.oci.image.manifest.v1+json", m, error);
      regpol::image::parse_manifest(text, "", m, error);
      break;
    }
    case 1: {
      std::string created;
      regpol::image::parse_config_created(text, created, error);
      break;
    }
    case 2: {
      regpol::oci::RegistryCredentials c;
      bool found = false;
      regpol::oci::parse_docker_config(text, "127.0.0.1:5000", c, found, error);
      break;
    }
    case 3: {
      regpol::oci::Challenge c;
      regpol::oci::parse_challenge(text, c);
      std::string decoded;
      if (regpol::oci::base64_decode(text, decoded) && regpol::oci::base64_decode(regpol::base64_encode(decoded), text) && text != decoded)
        __builtin_trap();  // encode(decode(x)) must decode back to the same bytes
      break;
    }
    default: {
      std::string token;
      long expires = 0;
      regpol::oci::parse_token_answer(text, token, expires);
      break;
    }
  }
  return 0;
}
