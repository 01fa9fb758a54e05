#pragma once
// AWS credentials and region, resolved as the AWS SDKs resolve them (docs/ecr.md):
//   1. --profile P given: that profile only (below, 3–4).
//   2. AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN);
//   3. web identity: AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN (EKS IRSA), or a profile's
//      role_arn + web_identity_token_file: STS AssumeRoleWithWebIdentity;
//   4. the profile (AWS_PROFILE or `default`) of the shared credentials file
//      (AWS_SHARED_CREDENTIALS_FILE, ~/.aws/credentials) and config file (AWS_CONFIG_FILE,
//      ~/.aws/config): static keys, or `credential_process` (which covers SSO through the
//      aws CLI);
//   5. container credentials: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI (ECS) or _FULL_URI
//      (EKS Pod Identity), with AWS_CONTAINER_AUTHORIZATION_TOKEN(_FILE);
//   6. EC2 instance metadata (IMDSv2: a session token first), unless
//      AWS_EC2_METADATA_DISABLED=true.
// Temporary credentials are refreshed five minutes before they expire. Errors name the
// source that failed and never contain a secret.
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "util/time.h"

namespace regpol::aws {

struct Credentials {
  std::string access_key_id, secret_access_key, session_token;
  Micros expiration = kNoTime;  // kNoTime: does not expire
  std::string source;           // "environment", "profile `ci` (credential_process)", …
};

struct ChainOptions {
  std::string profile;  // --profile; "" for AWS_PROFILE or default
  std::string region;   // the resolved region (STS is regional)
};

// The region: `flag`, AWS_REGION, AWS_DEFAULT_REGION, the profile's `region`; "" when none.
std::string resolve_region(const std::string& flag, const std::string& profile);

// How many attempts a call gets (the first and its retries), as every AWS SDK reads it:
// AWS_MAX_ATTEMPTS, then the profile's `max_attempts`, else `fallback`. False with the
// reason when the value is not a whole number from 1 to kMaxAttemptsBound.
constexpr int kMaxAttemptsBound = 100;
bool resolve_max_attempts(const std::string& profile, int fallback, int& out, std::string& error);

class CredentialChain {
 public:
  explicit CredentialChain(ChainOptions options) : options_(std::move(options)) {}
  // Current credentials, refreshed when they expire within five minutes. False with the
  // reason (naming each source tried) when no source gives any.
  bool get(Credentials& out, std::string& error);
  // Forgets the cached credentials (the service said they expired): the next get resolves anew.
  void invalidate() {
    std::lock_guard<std::mutex> lock(mutex_);
    cached_.reset();
  }

 private:
  bool resolve(Credentials& out, std::string& error);
  ChainOptions options_;
  std::mutex mutex_;          // cached_ and refreshing_
  std::mutex refresh_mutex_;  // one refresh at a time, held across the sources' calls
  bool refreshing_ = false;
  std::optional<Credentials> cached_;
};

// Parsers of the sources' answers, exposed for tests and fuzzing. False with the reason.
bool parse_process_credentials(const std::string& text, Credentials& out, std::string& error);
bool parse_container_credentials(const std::string& text, Credentials& out, std::string& error);
bool parse_sts_web_identity_response(const std::string& xml, Credentials& out, std::string& error);

}  // namespace regpol::aws
