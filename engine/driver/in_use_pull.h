#pragma once
// `regpol in-use pull ecs|lambda`: what runs on AWS read into an in-use file
// (inuse/in_use_file.h) that `--in-use` takes, one service, one or more regions.
#include <string>
#include <vector>

#include "driver/registry_connect.h"

namespace regpol {

struct InUsePullRequest {
  std::string service;               // "ecs" or "lambda"
  std::vector<std::string> regions;  // empty: the one region resolved as for `snapshot pull ecr`
  std::string profile, endpoint_url;
  std::size_t active_revisions = 3;  // ECS: ACTIVE task-definition revisions kept per family
  unsigned jobs = 8;
  std::string out;
  bool replace = false;
};

// An exit code (driver/exit_code.h), the outcome said on stderr: 0 written; 3 refused
// credentials or permissions, or an answer out of bounds; 4 the service could not answer
// now (throttling, transport, 5xx after the retries) or the file could not be written.
// Nothing is written unless every region was read whole.
int pull_in_use(const InUsePullRequest& request);

}  // namespace regpol
