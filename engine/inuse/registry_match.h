#pragma once
// Which image of a snapshot a workload's image reference names, if any. A reference names
// one registry: on a snapshot that says which registry it is (pulled from ECR: account and
// region; pulled from a Distribution registry: its host and port), only references to that
// registry match, by repository and then by digest, or by tag resolved through the snapshot.
// A snapshot that does not say (a generated or hand-written file, files of several
// registries merged) matches by repository path alone, whatever host the reference names:
// that can protect more than was meant, never less.
#include <cstdint>
#include <string>

#include "inuse/reference.h"
#include "snapshot/model.h"
#include "snapshot/registry_identity.h"

namespace regpol {

// An ECR registry host (`ACCOUNT.dkr.ecr.REGION.amazonaws.com`, its .com.cn, FIPS and
// dual-stack `ACCOUNT.dkr-ecr.REGION.on.aws` forms) taken apart; false for any other host.
bool parse_ecr_host(const std::string& host, std::string& account, std::string& region);

struct ReferenceMatch {
  enum class Outcome { Matched, OtherRegistry, NoSuchImage };
  Outcome outcome = Outcome::NoSuchImage;
  std::uint32_t image = UINT32_MAX;
  std::string why;  // for OtherRegistry and NoSuchImage
};

// `hostless_here`: a reference without a registry host names the snapshot's own registry
// (reference lists, written for regpol) rather than Docker Hub (what a container runtime
// pulls for it, so kubectl documents).
ReferenceMatch match_reference(const Registry& registry, const RegistryIdentity& identity, const ImageReference& ref,
                               bool hostless_here = false);

}  // namespace regpol
