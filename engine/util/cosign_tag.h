#pragma once
// cosign's tag scheme: unless told to use OCI referrers, cosign stores an image's
// signature, attestation or SBOM under the tag "sha256-<64 hex>.sig" (".att", ".sbom") of
// the image sha256:<hex> in the same repository. Read by the snapshot's image graph and by
// the OCI pull (which links such an artifact to its image), so both read it alike.
#include <string>
#include <string_view>

namespace regpol {

// True when `tag` follows the scheme, with the digest it names in `subject` and what
// follows the dot (sig, att, sbom, or anything else) in `suffix` (a view into `tag`).
bool cosign_tag_subject(std::string_view tag, std::string& subject, std::string_view& suffix);

}  // namespace regpol
