#pragma once
// The image graph of a snapshot, seen from each image: which artifacts refer to it (and
// whether one is a signature or an SBOM), whether an index lists it, whether it is an
// artifact itself. The `where` fields `signed`, `has_sbom`, `referrers`, `referrer_types`,
// `is_index`, `is_child` and `is_artifact` read it.
//
// Links count within one repository only, as registries keep them: an artifact refers to
// its subject by its `subject` (OCI 1.1, ECR's subjectManifestDigest) or, when it has none,
// by cosign's tag scheme (`sha256-<hex>.sig`, `.att`, `.sbom` names the image sha256:<hex>),
// which is how most signatures on ECR are stored. A link to an image the snapshot does not
// hold is not counted.
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "util/cosign_tag.h"  // cosign_tag_subject, which the graph's readers use too

namespace regpol {

struct Registry;
struct Image;


// The digest `img` is an artifact of: its `subject`, else the image its first cosign scheme
// tag names; "" for neither. A view into the registry, or into `scratch` when a tag spells
// it (valid until `scratch` changes). Whether that image is in the snapshot is not asked.
std::string_view artifact_subject(const Registry& reg, const Image& img, std::string& scratch);

// An index (manifest list): it lists children, or its media type is an OCI image index or a
// Docker manifest list (a snapshot may not hold the children: `childrenUnknown`).
bool is_index_image(const Registry& reg, const Image& img);

// What an artifact is, from its artifact type or its cosign tag suffix.
enum class ReferrerKind : std::uint8_t { Other, Signature, Sbom, Attestation };
ReferrerKind referrer_kind(std::string_view artifact_type, std::string_view tag_suffix);

class ImageGraph {
 public:
  static constexpr std::uint8_t kIsChild = 1, kIsArtifact = 2, kSigned = 4, kHasSbom = 8, kHasAttestation = 16;

  explicit ImageGraph(const Registry& reg);

  // Facts of image `index` (an index into Registry::images); 0 for images the graph does not hold.
  std::uint8_t flags(std::size_t index) const { return index < flags_.size() ? flags_[index] : 0; }
  // The artifacts that refer to image `index`, as indices into Registry::images.
  std::pair<const std::uint32_t*, const std::uint32_t*> referrers(std::size_t index) const;

 private:
  std::vector<std::uint8_t> flags_;
  std::vector<std::uint32_t> referrer_end_;  // image i's referrers: list_[end_[i-1] .. end_[i])
  std::vector<std::uint32_t> list_;
};

// A registry's graph, built on first use (by the first `where` that reads a graph field)
// and shared by every thread that evaluates it.
class LazyImageGraph {
 public:
  LazyImageGraph() : state_(std::make_unique<State>()) {}

  const ImageGraph& get(const Registry& reg) const;

 private:
  struct State {
    std::once_flag once;
    std::unique_ptr<ImageGraph> graph;
  };
  std::unique_ptr<State> state_;
};

}  // namespace regpol
