#pragma once
// Which registry a snapshot is of, read from its source: "ecr:REGION/ACCOUNT" (pulled from
// ECR), "oci://HOST[:PORT]" (pulled from a Distribution registry). In-use references are
// matched against it, the settings drift takes the account and region it compares with, and
// apply's lockout rail the account that owns the repositories.
#include <string>

#include "snapshot/model.h"

namespace regpol {

struct RegistryIdentity {
  enum class Kind { Unknown, Ecr, Oci };
  Kind kind = Kind::Unknown;
  std::string region;     // ECR; empty when the snapshot does not say (describe-images output)
  std::string account;    // ECR; empty when the source does not say: each repository's registry id then
  std::string authority;  // OCI: host[:port], lower case
  std::string describe() const;  // "ECR 111122223333 in us-east-1", "oci://localhost:5000", "a snapshot that names no registry"
};

// Unknown for a snapshot merged from several registries.
RegistryIdentity registry_identity(const Registry& registry);

}  // namespace regpol
