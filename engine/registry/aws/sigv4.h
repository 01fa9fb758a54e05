#pragma once
// AWS Signature Version 4 (docs.aws.amazon.com/general/latest/gr/sigv4_signing.html): the
// canonical request, the string to sign, the signing key and the Authorization header.
// Checked against the AWS SigV4 test-suite vectors (tests/unit/sigv4_test.cpp) and, on
// every request of the ECR tests, by botocore's independent implementation.
#include <string>
#include <utility>
#include <vector>

namespace regpol::aws {

struct SigningRequest {
  std::string method = "POST";
  std::string path = "/";                                    // not yet encoded
  std::vector<std::pair<std::string, std::string>> query;    // not yet encoded
  std::vector<std::pair<std::string, std::string>> headers;  // must include host and x-amz-date
  std::string body;
};

struct SigningKeyParts {
  std::string access_key_id, secret_access_key, session_token;
  std::string region, service;
  std::string amz_date;  // 20150830T123600Z
};

// RFC 3986 percent-encoding: everything but A-Z a-z 0-9 - . _ ~ (and '/' when `keep_slash`).
std::string uri_encode(const std::string& s, bool keep_slash);

std::string canonical_request(const SigningRequest& r);
std::string string_to_sign(const std::string& canonical, const std::string& amz_date, const std::string& scope);
// The credential scope: DATE/REGION/SERVICE/aws4_request.
std::string credential_scope(const SigningKeyParts& k);
std::string signature(const SigningKeyParts& k, const std::string& to_sign);
// The Authorization header's value for `r` (whose headers must already hold everything that
// is sent and signed: host, x-amz-date, and x-amz-security-token with a session token).
std::string authorization(const SigningRequest& r, const SigningKeyParts& k);

std::string hex_sha256(const std::string& bytes);

}  // namespace regpol::aws
