#pragma once
// sts:GetCallerIdentity: who the credentials are (apply's lockout rail asks whether a new
// repository policy would lock that principal out). Needs no permission in IAM.
#include <string>

#include "registry/aws/ecr_client.h"

namespace regpol::aws {

struct CallerIdentity {
  std::string arn;      // "arn:aws:sts::111122223333:assumed-role/ci/session", "arn:aws:iam::111122223333:user/u"
  std::string account;  // "111122223333"
};

// `endpoint_url` "" for https://sts.REGION.amazonaws.com/ (AWS_ENDPOINT_URL_STS overrides).
bool get_caller_identity(CredentialChain& credentials, const std::string& region, const std::string& endpoint_url, CallerIdentity& out,
                         EcrError& error);

}  // namespace regpol::aws
