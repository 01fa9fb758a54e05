#pragma once
// What runs on AWS, for `protect in_use` (`regpol in-use pull ecs|lambda`, docs/in-use.md):
// the container images of ECS services, tasks and task definitions, and of Lambda functions
// packaged as images, each with who runs it. Read with the signed JSON client of one
// region (EcrClient with kEcsService or kLambdaService); nothing is returned in part.
#include <cstddef>
#include <string>
#include <vector>

#include "registry/aws/ecr_client.h"

namespace regpol::aws {

struct RunningImage {
  std::string image;   // as the workload names it (REGISTRY/REPO:TAG or …@DIGEST)
  std::string digest;  // what AWS resolved it to ("sha256:…"), when it reports one
  std::string user;    // "ecs us-east-1 cluster prod service web (task definition web:42, container app)"
};

struct EcsReadOptions {
  // ACTIVE task-definition revisions kept per family besides those in use: the newest K
  // (rollbacks and `aws ecs update-service --task-definition F:R` use them). 0: none.
  std::size_t active_revisions = 3;
  unsigned jobs = 8;
};

struct WorkloadReadStats {
  std::size_t clusters = 0, services = 0, tasks = 0, task_definitions = 0, functions = 0, versions = 0;
  long calls = 0;
};

// Every cluster's services (each deployment's task definition: the previous one too while
// a rollout runs), running and pending tasks (with the digest ECS resolved), and the newest
// `active_revisions` ACTIVE revisions of every task-definition family; every container of
// each (init and sidecars are containers in ECS). False with `error` (the operation, and
// the kind: Retryable when ECS could not answer now).
bool read_ecs_images(EcrClient& ecs, const EcsReadOptions& options, std::vector<RunningImage>& out, WorkloadReadStats& stats,
                     EcrError& error);

// Every function of package type Image: each published version and $LATEST (the image URI
// and the digest Lambda resolved it to), with the aliases that point at each version.
bool read_lambda_images(EcrClient& lambda, unsigned jobs, std::vector<RunningImage>& out, WorkloadReadStats& stats, EcrError& error);

}  // namespace regpol::aws
