// The image graph the `where` fields signed / has_sbom / referrers / is_child / is_artifact
// read: links by subject and by cosign's tag scheme, within one repository only.
#include <doctest/doctest.h>

#include <string>

#include "snapshot/graph.h"
#include "snapshot/model.h"
#include "snapshot/reader.h"

using namespace regpol;

// Named, not anonymous: a unity build puts several test files in one translation unit.
namespace graph_unit {

std::string digest(char c) { return "sha256:" + std::string(64, c); }

std::uint32_t index_of(const Registry& reg, const std::string& d) {
  for (std::uint32_t i = 0; i < reg.images.size(); ++i)
    if (reg.str(reg.images[i].digest) == d) return i;
  FAIL("no image " << d);
  return 0;
}


TEST_CASE("the image graph links subjects, cosign tags and index children within a repository") {
  const std::string a = digest('a'), b = digest('b'), c = digest('c'), x = digest('e');
  const std::string text = R"({"schema":"regpol.snapshot/v1","images":[
    {"repository":"app","digest":")" + a + R"(","tags":["v1"],"pushedAt":"2026-11-01T00:00:00Z",
     "manifestMediaType":"application/vnd.oci.image.index.v1+json","children":[")" + b + R"("]},
    {"repository":"app","digest":")" + b + R"(","tags":[],"pushedAt":"2026-11-01T00:00:00Z"},
    {"repository":"app","digest":")" + digest('1') + R"(","tags":[],"pushedAt":"2026-11-01T00:00:00Z",
     "subject":")" + a + R"(","artifactMediaType":"application/vnd.cncf.notary.signature"},
    {"repository":"app","digest":")" + digest('2') + R"(","tags":["sha256-)" + std::string(64, 'a') + R"(.sbom"],"pushedAt":"2026-11-01T00:00:00Z"},
    {"repository":"app","digest":")" + digest('3') + R"(","tags":[],"pushedAt":"2026-11-01T00:00:00Z",
     "subject":")" + x + R"(","artifactMediaType":"application/vnd.dev.cosign.artifact.sig.v1+json"},
    {"repository":"app","digest":")" + c + R"(","tags":["sha256-)" + std::string(64, 'c') + R"(.sig"],"pushedAt":"2026-11-01T00:00:00Z"},
    {"repository":"other","digest":")" + digest('4') + R"(","tags":["sha256-)" + std::string(64, 'b') + R"(.sig"],"pushedAt":"2026-11-01T00:00:00Z"}
  ]})";
  Registry reg;
  LoadError err;
  REQUIRE(load_json_snapshot_text("graph.json", text, reg, err));
  REQUIRE(finish_registry(reg, err, 1));
  const ImageGraph& g = reg.graph();

  const std::uint32_t ia = index_of(reg, a), ib = index_of(reg, b), ic = index_of(reg, c);
  // a: signed by a Notary signature (subject) and with an SBOM by cosign's tag scheme.
  CHECK((g.flags(ia) & ImageGraph::kSigned) != 0);
  CHECK((g.flags(ia) & ImageGraph::kHasSbom) != 0);
  CHECK((g.flags(ia) & ImageGraph::kIsArtifact) == 0);
  auto [first, last] = g.referrers(ia);
  CHECK(last - first == 2);
  // b: a child of a; the `.sig` tag in another repository does not sign it.
  CHECK(g.flags(ib) == ImageGraph::kIsChild);
  CHECK(g.referrers(ib).first == g.referrers(ib).second);
  // The signature of an image not in the snapshot is an artifact of nothing.
  CHECK((g.flags(index_of(reg, digest('3'))) & ImageGraph::kIsArtifact) == 0);
  // An image whose tag names itself is not its own artifact (nor signed by itself).
  CHECK(g.flags(ic) == 0);
  CHECK((g.flags(index_of(reg, digest('1'))) & ImageGraph::kIsArtifact) != 0);
  CHECK((g.flags(index_of(reg, digest('2'))) & ImageGraph::kIsArtifact) != 0);
  // An image outside the registry has no facts.
  CHECK(g.flags(reg.images.size()) == 0);
}

TEST_CASE("a referrer's kind comes from its artifact type, else from its cosign tag suffix") {
  CHECK(referrer_kind("application/vnd.dev.cosign.artifact.sig.v1+json", "") == ReferrerKind::Signature);
  CHECK(referrer_kind("application/vnd.dev.sigstore.bundle.v0.3+json", "") == ReferrerKind::Signature);
  CHECK(referrer_kind("application/vnd.cyclonedx+json", "") == ReferrerKind::Sbom);
  CHECK(referrer_kind("application/spdx+json", "sig") == ReferrerKind::Sbom);  // the type wins over the tag
  CHECK(referrer_kind("application/vnd.in-toto+json", "") == ReferrerKind::Attestation);
  CHECK(referrer_kind("", "sig") == ReferrerKind::Signature);
  CHECK(referrer_kind("application/vnd.oci.image.config.v1+json", "sbom") == ReferrerKind::Sbom);
  CHECK(referrer_kind("application/vnd.example+json", "") == ReferrerKind::Other);
  CHECK(referrer_kind("", "") == ReferrerKind::Other);
}

}  // namespace graph_unit
