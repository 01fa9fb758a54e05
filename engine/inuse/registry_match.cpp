#include "inuse/registry_match.h"

#include <algorithm>
#include <string_view>

#include "util/text.h"

namespace regpol {

namespace {

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// The image of repository `repo` that `ref` names: by digest when it has one, else by tag.
ReferenceMatch in_repository(const Registry& reg, std::uint32_t repo, const ImageReference& ref) {
  ReferenceMatch m;
  for (std::uint32_t idx : reg.repositories[repo].images) {
    const Image& img = reg.images[idx];
    if (!ref.digest.empty()) {
      if (reg.str(img.digest) == ref.digest) return {ReferenceMatch::Outcome::Matched, idx, {}};
      continue;
    }
    const StrId* tags = reg.tags_of(img);
    for (std::uint32_t t = 0; t < img.tag_count; ++t) {
      if (reg.str(tags[t]) == ref.tag) return {ReferenceMatch::Outcome::Matched, idx, {}};
    }
  }
  m.why = ref.digest.empty() ? "no image of `" + std::string(reg.str(reg.repositories[repo].name)) + "` has tag `" + ref.tag + "`"
                             : "`" + std::string(reg.str(reg.repositories[repo].name)) + "` holds no image " + ref.digest;
  return m;
}

std::uint32_t repository_named(const Registry& reg, const std::string& path) {
  StrId id = reg.strings.find(path);
  if (!id) return UINT32_MAX;
  auto it = reg.repo_index.find(id);
  return it == reg.repo_index.end() ? UINT32_MAX : it->second;
}

ReferenceMatch other_registry(const ImageReference& ref, const RegistryIdentity& identity) {
  return {ReferenceMatch::Outcome::OtherRegistry, UINT32_MAX,
          "it names " + ref.host + (ref.host_written ? "" : " (no registry host: Docker Hub)") + ", the snapshot is " +
              identity.describe()};
}

}  // namespace

bool parse_ecr_host(const std::string& host, std::string& account, std::string& region) {
  std::string_view h = host;
  auto dot = h.find('.');
  if (dot == std::string_view::npos || dot != 12 || !all_digits(h.substr(0, 12))) return false;
  std::string_view rest = h.substr(13);
  std::string_view tail;
  for (std::string_view service : {"dkr.ecr.", "dkr.ecr-fips.", "dkr-ecr.", "dkr-ecr-fips."}) {
    if (rest.rfind(service, 0) == 0) {
      tail = rest.substr(service.size());
      break;
    }
  }
  if (tail.empty()) return false;
  for (std::string_view domain : {".amazonaws.com", ".amazonaws.com.cn", ".on.aws"}) {
    if (!ends_with(tail, domain)) continue;
    std::string_view r = tail.substr(0, tail.size() - domain.size());
    if (r.empty() || r.find('.') != std::string_view::npos) return false;
    account = std::string(h.substr(0, 12));
    region = std::string(r);
    return true;
  }
  return false;
}

ReferenceMatch match_reference(const Registry& reg, const RegistryIdentity& identity, const ImageReference& ref,
                               bool hostless_here) {
  std::uint32_t repo = UINT32_MAX;
  switch (hostless_here && !ref.host_written ? RegistryIdentity::Kind::Unknown : identity.kind) {
    case RegistryIdentity::Kind::Unknown:
      repo = repository_named(reg, ref.written_path);
      if (repo == UINT32_MAX && ref.path != ref.written_path) repo = repository_named(reg, ref.path);
      break;
    case RegistryIdentity::Kind::Ecr: {
      std::string account, region;
      if (!parse_ecr_host(ref.host, account, region)) return other_registry(ref, identity);
      if (!identity.region.empty() && region != identity.region) return other_registry(ref, identity);
      if (!identity.account.empty() && account != identity.account) return other_registry(ref, identity);
      repo = repository_named(reg, ref.path);
      if (repo != UINT32_MAX && identity.account.empty()) {
        StrId owner = reg.repositories[repo].registry_id;
        if (owner != kNoStr && reg.str(owner) != account) return other_registry(ref, identity);
      }
      break;
    }
    case RegistryIdentity::Kind::Oci:
      if (ref.host != identity.authority) return other_registry(ref, identity);
      repo = repository_named(reg, ref.path);
      break;
  }
  if (repo == UINT32_MAX) return {ReferenceMatch::Outcome::NoSuchImage, UINT32_MAX, "the snapshot has no repository `" + ref.written_path + "`"};
  return in_repository(reg, repo, ref);
}

}  // namespace regpol
