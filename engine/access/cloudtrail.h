#pragma once
// Reads CloudTrail logs ({"Records": [...]}) as access requests: ECR events only
// (eventSource ecr.amazonaws.com); eventName -> ecr:eventName, userIdentity.arn -> principal,
// sourceIPAddress -> aws:SourceIp, requestParameters.repositoryName / imageTag / imageDigest,
// eventTime -> aws:CurrentTime.
#include <string>
#include <vector>

#include "access/request.h"

namespace regpol {

// False with `error` when the text is not a CloudTrail document.
bool read_cloudtrail(const std::string& text, std::vector<AccessRequest>& out, std::string& error);

}  // namespace regpol
