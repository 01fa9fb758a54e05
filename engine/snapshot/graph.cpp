#include "snapshot/graph.h"

#include <algorithm>
#include <string>
#include <unordered_map>

#include "snapshot/model.h"

namespace regpol {

namespace {

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }


}  // namespace

std::string_view artifact_subject(const Registry& reg, const Image& img, std::string& scratch) {
  if (img.subject != kNoStr) return reg.str(img.subject);
  std::string_view suffix;
  for (std::uint16_t t = 0; t < img.tag_count; ++t)
    if (cosign_tag_subject(reg.str(reg.tags_of(img)[t]), scratch, suffix)) return scratch;
  return {};
}

bool is_index_image(const Registry& reg, const Image& img) {
  const std::string_view t = reg.str(img.manifest_media_type);
  return img.child_count > 0 || t == "application/vnd.oci.image.index.v1+json" || t == "application/vnd.docker.distribution.manifest.list.v2+json";
}

ReferrerKind referrer_kind(std::string_view type, std::string_view tag_suffix) {
  // Signatures: cosign (OCI 1.1 referrers and its simple-signing payload), Sigstore
  // bundles, Notary v2 (notation).
  if (type == "application/vnd.dev.cosign.artifact.sig.v1+json" || type == "application/vnd.dev.cosign.simplesigning.v1+json" ||
      type == "application/vnd.cncf.notary.signature" || starts_with(type, "application/vnd.dev.sigstore.bundle"))
    return ReferrerKind::Signature;
  // SBOMs: SPDX and CycloneDX in their registered media types, Syft's own, cosign's.
  if (starts_with(type, "application/spdx") || starts_with(type, "text/spdx") || starts_with(type, "application/vnd.cyclonedx") ||
      type == "application/vnd.syft+json" || type == "application/vnd.dev.cosign.artifact.sbom.v1+json")
    return ReferrerKind::Sbom;
  if (starts_with(type, "application/vnd.in-toto") || type == "application/vnd.dsse.envelope.v1+json") return ReferrerKind::Attestation;
  if (tag_suffix == "sig") return ReferrerKind::Signature;
  if (tag_suffix == "sbom") return ReferrerKind::Sbom;
  if (tag_suffix == "att") return ReferrerKind::Attestation;
  return ReferrerKind::Other;
}

ImageGraph::ImageGraph(const Registry& reg) : flags_(reg.images.size(), 0), referrer_end_(reg.images.size(), 0) {
  // (subject, referrer) pairs, gathered per repository, then laid out by subject.
  std::vector<std::pair<std::uint32_t, std::uint32_t>> links;
  std::unordered_map<std::string_view, std::uint32_t> by_digest;
  std::string subject;
  for (const Repository& repo : reg.repositories) {
    bool graph = false;
    for (std::uint32_t i : repo.images) {
      const Image& img = reg.images[i];
      if (img.subject != kNoStr || is_index_image(reg, img)) graph = true;
      const StrId* tags = reg.tags_of(img);
      for (std::uint16_t t = 0; t < img.tag_count && !graph; ++t) graph = starts_with(reg.str(tags[t]), "sha256-");
    }
    if (!graph) continue;  // the common case: nothing in this repository refers to anything
    by_digest.clear();
    for (std::uint32_t i : repo.images) by_digest.emplace(reg.str(reg.images[i].digest), i);
    auto find = [&](std::string_view digest) -> std::int64_t {
      auto it = by_digest.find(digest);
      return it == by_digest.end() ? std::int64_t{-1} : static_cast<std::int64_t>(it->second);
    };
    for (std::uint32_t i : repo.images) {
      const Image& img = reg.images[i];
      const StrId* kids = reg.children_of(img);
      for (std::uint16_t c = 0; c < img.child_count; ++c) {
        std::int64_t k = find(reg.str(kids[c]));
        if (k >= 0 && k != i) flags_[k] |= kIsChild;
      }
      std::int64_t s = -1;
      std::string_view suffix;
      if (img.subject != kNoStr) {
        s = find(reg.str(img.subject));
      } else {
        const StrId* tags = reg.tags_of(img);
        for (std::uint16_t t = 0; t < img.tag_count && s < 0; ++t)
          if (cosign_tag_subject(reg.str(tags[t]), subject, suffix)) s = find(subject);
      }
      if (s < 0 || s == i) continue;
      flags_[i] |= kIsArtifact;
      links.emplace_back(static_cast<std::uint32_t>(s), i);
      switch (referrer_kind(reg.str(img.artifact_media_type), suffix)) {
        case ReferrerKind::Signature: flags_[s] |= kSigned; break;
        case ReferrerKind::Sbom: flags_[s] |= kHasSbom; break;
        case ReferrerKind::Attestation: flags_[s] |= kHasAttestation; break;
        case ReferrerKind::Other: break;
      }
    }
  }
  std::sort(links.begin(), links.end());
  list_.reserve(links.size());
  std::size_t k = 0;
  for (std::uint32_t i = 0; i < referrer_end_.size(); ++i) {
    while (k < links.size() && links[k].first == i) list_.push_back(links[k++].second);
    referrer_end_[i] = static_cast<std::uint32_t>(list_.size());
  }
}

std::pair<const std::uint32_t*, const std::uint32_t*> ImageGraph::referrers(std::size_t index) const {
  if (index >= referrer_end_.size()) return {nullptr, nullptr};
  std::uint32_t begin = index == 0 ? 0 : referrer_end_[index - 1];
  return {list_.data() + begin, list_.data() + referrer_end_[index]};
}

const ImageGraph& LazyImageGraph::get(const Registry& reg) const {
  std::call_once(state_->once, [&] { state_->graph = std::make_unique<ImageGraph>(reg); });
  return *state_->graph;
}

}  // namespace regpol
