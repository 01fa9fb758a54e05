#pragma once
// `regpol gate IMAGE`: may a pipeline deploy this image? The reference is matched to the
// snapshot's registry as `--in-use` references are (inuse/registry_match.h), the policy's
// `gate` rules for its repository evaluated (audit/gate.h).
#include <ostream>
#include <string>
#include <vector>

#include "driver/compile.h"
#include "driver/registry_connect.h"
#include "util/time.h"

namespace regpol {

struct GateRequest {
  std::string image;  // REPO:TAG, REPO@DIGEST, or with the registry host
  std::string policy;
  std::vector<std::string> snapshots;
  // --pull: read the image's repository from ECR now instead of a snapshot (its images,
  // settings and referrers; index manifests are not read, so no pull is recorded).
  bool pull = false;
  EcrConnectOptions ecr;
  Micros now = 0;
  bool json = false;
  CompileOptions compile;
};

// kOk with the digest-pinned reference on `out` when the image may be deployed; kFindings
// with the reasons when a rule refuses it or the snapshot does not hold it; kBadInput for a
// malformed reference, policy or snapshot.
int run_gate(const GateRequest& request, std::ostream& out);

}  // namespace regpol
