#pragma once
// Registry credentials and the parts of the auth protocol that are pure text: the Docker
// config file's `auths` (base64 `auth` or username/password), WWW-Authenticate
// challenges (Basic, and Bearer with realm/service/scope: the token flow of the
// Distribution spec) and the token service's answer. Nothing here prints a secret.
#include <map>
#include <string>
#include <string_view>

#include "util/base64.h"

namespace regpol::oci {

struct RegistryCredentials {
  std::string username, password;
  std::string source;  // where they came from ("--username", "REGPOL_REGISTRY_USERNAME", "~/.docker/config.json"), never the secret
  bool present() const { return !username.empty() || !password.empty(); }
};

// The entry of a Docker config file's `auths` for `authority` (host[:port]); keys may carry
// a scheme and a path ("https://host:5000/v1/"). `found` is false when there is none.
// False with `error` for a malformed file or entry.
bool parse_docker_config(std::string_view text, const std::string& authority, RegistryCredentials& out, bool& found,
                         std::string& error);

// Standard base64 (padding optional); false on any other character.
bool base64_decode(std::string_view in, std::string& out);

struct Challenge {
  std::string scheme;                         // "basic" or "bearer" (lowercased)
  std::map<std::string, std::string> params;  // realm, service, scope, … (names lowercased)
};
// The first challenge of a WWW-Authenticate header. False when it cannot be read.
bool parse_challenge(std::string_view header, Challenge& out);

// The token service's answer: `token`, else `access_token`. False when neither is there.
bool parse_token_answer(std::string_view body, std::string& token, long& expires_in);

}  // namespace regpol::oci
