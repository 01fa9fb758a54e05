#include "snapshot/registry_identity.h"

#include <algorithm>

#include "util/text.h"

namespace regpol {

std::string RegistryIdentity::describe() const {
  switch (kind) {
    case Kind::Ecr:
      return "ECR " + (account.empty() ? std::string("(the repositories' accounts)") : account) +
             (region.empty() ? std::string(" in any region") : " in " + region);
    case Kind::Oci:
      return "oci://" + authority;
    case Kind::Unknown:
      break;
  }
  return "a snapshot that names no registry";
}

RegistryIdentity registry_identity(const Registry& reg) {
  RegistryIdentity id;
  if (reg.mixed_sources) return id;
  const std::string& s = reg.source;
  if (s.rfind("ecr:", 0) == 0) {
    id.kind = RegistryIdentity::Kind::Ecr;
    std::string rest = s.substr(4);
    auto slash = rest.find('/');
    id.region = rest.substr(0, slash);
    if (slash != std::string::npos) id.account = rest.substr(slash + 1);
    return id;
  }
  if (s.rfind("oci://", 0) == 0) {
    id.kind = RegistryIdentity::Kind::Oci;
    std::string rest = s.substr(6);
    id.authority = ascii_lower(rest.substr(0, rest.find('/')));
    return id;
  }
  // describe-images output names each image's account (registryId) but not the region.
  if (s.empty() && !reg.repositories.empty() &&
      std::all_of(reg.repositories.begin(), reg.repositories.end(), [](const Repository& r) { return r.registry_id != kNoStr; }))
    id.kind = RegistryIdentity::Kind::Ecr;
  return id;
}

}  // namespace regpol
