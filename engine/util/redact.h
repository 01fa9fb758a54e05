#pragma once
// Error text from a registry or AWS may echo what the client sent: an Authorization header,
// a token, a password. Such text is printed and stored in the state database, so it goes
// through here first.
#include <string>
#include <string_view>
#include <vector>

namespace regpol {

// `text` with credentials replaced by "[redacted]": each of `secrets` (values the client
// holds: a password, a token, a secret key; those under 4 characters are ignored), and
// whatever follows a credential's marker (Bearer, Basic, Signature=, Credential=,
// X-Amz-Security-Token, "password", "token", "access_token", SecretAccessKey,
// SessionToken, Authorization) up to the next space, quote, comma or semicolon.
std::string redact_credentials(std::string_view text, const std::vector<std::string>& secrets = {});

}  // namespace regpol
