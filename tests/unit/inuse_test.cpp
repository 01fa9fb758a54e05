// In-use sources: image references taken apart as container runtimes do, kubectl JSON of
// every workload kind, and references matched only to the registry they name.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "inuse/kubernetes.h"
#include "inuse/reference.h"
#include "inuse/registry_match.h"
#include "snapshot/model.h"
#include "snapshot/reader.h"

using namespace regpol;

// Named, not anonymous: a unity build puts several test files in one translation unit.
namespace inuse_unit {

std::string hex(char c) { return std::string(64, c); }

ImageReference parsed(const std::string& text) {
  ImageReference r;
  std::string error;
  REQUIRE_MESSAGE(parse_image_reference(text, r, error), text << ": " << error);
  return r;
}

std::vector<std::string> images_of(const std::string& doc) {
  std::vector<WorkloadImage> out;
  std::string error;
  REQUIRE_MESSAGE(read_kubernetes_document(nlohmann::json::parse(doc), "k.json", out, error), error);
  std::vector<std::string> refs;
  refs.reserve(out.size());
  for (const auto& w : out) refs.push_back(w.reference);
  return refs;
}

std::string refusal_of(const std::string& doc) {
  std::vector<WorkloadImage> out;
  std::string error;
  CHECK_FALSE(read_kubernetes_document(nlohmann::json::parse(doc), "k.json", out, error));
  return error;
}

Registry snapshot(const std::string& source) {
  const std::string text = R"({"schema":"regpol.snapshot/v1",)" + (source.empty() ? std::string() : "\"source\":\"" + source + "\",") +
                           R"("images":[
    {"repository":"app","digest":"sha256:)" + hex('a') + R"(","tags":["v1"],"pushedAt":"2026-11-01T00:00:00Z"},
    {"repository":"app","digest":"sha256:)" + hex('b') + R"(","tags":["v2"],"pushedAt":"2026-11-01T00:00:00Z"},
    {"repository":"team/api","digest":"sha256:)" + hex('c') + R"(","tags":["latest"],"pushedAt":"2026-11-01T00:00:00Z"},
    {"repository":"library/nginx","digest":"sha256:)" + hex('d') + R"(","tags":["1.27"],"pushedAt":"2026-11-01T00:00:00Z"}]})";
  Registry reg;
  LoadError err;
  REQUIRE(load_json_snapshot_text("s.json", text, reg, err));
  REQUIRE(finish_registry(reg, err, 1));
  return reg;
}

std::string matched_repo(const Registry& reg, const std::string& ref) {
  ReferenceMatch m = match_reference(reg, registry_identity(reg), parsed(ref));
  if (m.outcome == ReferenceMatch::Outcome::OtherRegistry) return "other";
  if (m.outcome == ReferenceMatch::Outcome::NoSuchImage) return "none";
  return std::string(reg.repo_name(reg.images[m.image])) + "@" + std::string(reg.str(reg.images[m.image].digest)).substr(7, 1);
}

TEST_CASE("image references are taken apart as container runtimes do") {
  ImageReference r = parsed("nginx");
  CHECK(r.host == "docker.io");
  CHECK_FALSE(r.host_written);
  CHECK(r.path == "library/nginx");
  CHECK(r.written_path == "nginx");
  CHECK(r.tag == "latest");
  r = parsed("localhost:5000/team/app:v1");
  CHECK(r.host == "localhost:5000");
  CHECK(r.path == "team/app");
  CHECK(r.tag == "v1");
  r = parsed("team/app:v1");  // no '.', ':' or localhost in the first part: a Docker Hub path
  CHECK(r.host == "docker.io");
  CHECK(r.path == "team/app");
  r = parsed("docker-pullable://111122223333.DKR.ecr.us-east-1.amazonaws.com/app@sha256:" + hex('a'));
  CHECK(r.host == "111122223333.dkr.ecr.us-east-1.amazonaws.com");
  CHECK(r.digest == "sha256:" + hex('a'));
  CHECK(r.tag.empty());
  r = parsed("registry.example.com:443/app:v1@sha256:" + hex('b'));
  CHECK(r.tag == "v1");
  CHECK(r.digest == "sha256:" + hex('b'));
  r = parsed("index.docker.io/nginx:1");
  CHECK(r.host == "docker.io");
  CHECK(r.path == "library/nginx");

  ImageReference bad;
  std::string error;
  CHECK_FALSE(parse_image_reference("sha256:" + hex('a'), bad, error));  // an image id, no repository
  CHECK_FALSE(parse_image_reference("app@sha256:short", bad, error));
  CHECK_FALSE(parse_image_reference("app:", bad, error));
  CHECK_FALSE(parse_image_reference("", bad, error));
  CHECK_FALSE(parse_image_reference("registry.example.com/", bad, error));
}

TEST_CASE("ECR hosts are recognised in every form, and nothing else is") {
  std::string account, region;
  CHECK(parse_ecr_host("111122223333.dkr.ecr.eu-west-1.amazonaws.com", account, region));
  CHECK(account == "111122223333");
  CHECK(region == "eu-west-1");
  CHECK(parse_ecr_host("111122223333.dkr.ecr.cn-north-1.amazonaws.com.cn", account, region));
  CHECK(region == "cn-north-1");
  CHECK(parse_ecr_host("111122223333.dkr.ecr-fips.us-east-1.amazonaws.com", account, region));
  CHECK(parse_ecr_host("111122223333.dkr-ecr.us-east-1.on.aws", account, region));
  CHECK_FALSE(parse_ecr_host("11112222333.dkr.ecr.us-east-1.amazonaws.com", account, region));  // 11 digits
  CHECK_FALSE(parse_ecr_host("111122223333.dkr.ecr.us-east-1.amazonaws.com.evil.example", account, region));
  CHECK_FALSE(parse_ecr_host("public.ecr.aws", account, region));
  CHECK_FALSE(parse_ecr_host("docker.io", account, region));
}

TEST_CASE("a reference matches only in the registry it names") {
  const std::string ecr = "111122223333.dkr.ecr.us-east-1.amazonaws.com";
  Registry pulled = snapshot("ecr:us-east-1/111122223333");
  CHECK(matched_repo(pulled, ecr + "/app:v1") == "app@a");
  CHECK(matched_repo(pulled, ecr + "/app@sha256:" + hex('b')) == "app@b");
  CHECK(matched_repo(pulled, ecr + "/app:v2@sha256:" + hex('a')) == "app@a");  // the digest wins
  CHECK(matched_repo(pulled, ecr + "/app:v9") == "none");
  CHECK(matched_repo(pulled, ecr + "/app@sha256:" + hex('c')) == "none");  // that digest is team/api's
  CHECK(matched_repo(pulled, "222233334444.dkr.ecr.us-east-1.amazonaws.com/app:v1") == "other");
  CHECK(matched_repo(pulled, "111122223333.dkr.ecr.eu-west-1.amazonaws.com/app:v1") == "other");
  CHECK(matched_repo(pulled, "app:v1") == "other");    // Docker Hub's app
  CHECK(matched_repo(pulled, "nginx:1.27") == "other");  // not the ECR repository library/nginx
  CHECK(matched_repo(pulled, "ghcr.io/team/api:latest") == "other");
  // A reference list's line without a host names the snapshot's own registry.
  CHECK(match_reference(pulled, registry_identity(pulled), parsed("app:v1"), true).outcome == ReferenceMatch::Outcome::Matched);
  CHECK(match_reference(pulled, registry_identity(pulled), parsed("ghcr.io/app:v1"), true).outcome ==
        ReferenceMatch::Outcome::OtherRegistry);

  Registry oci = snapshot("oci://LocalHost:5000/team");
  CHECK(matched_repo(oci, "localhost:5000/team/api:latest") == "team/api@c");
  CHECK(matched_repo(oci, "localhost:5001/team/api:latest") == "other");
  CHECK(matched_repo(oci, "127.0.0.1:5000/team/api:latest") == "other");
  CHECK(matched_repo(oci, "team/api:latest") == "other");

  // A snapshot that names no registry: the repository path alone, whatever the host.
  Registry plain = snapshot("");
  CHECK(matched_repo(plain, ecr + "/app:v1") == "app@a");
  CHECK(matched_repo(plain, "ghcr.io/app:v2") == "app@b");
  CHECK(matched_repo(plain, "nginx:1.27") == "library/nginx@d");
  CHECK(matched_repo(plain, "nosuch:v1") == "none");
}

TEST_CASE("kubectl JSON: every workload kind names its images, in Lists and alone") {
  const std::string pod_spec = R"({"initContainers":[{"name":"init","image":"init:1"}],"containers":[{"name":"app","image":"app:1"}],
                                   "ephemeralContainers":[{"name":"debug","image":"busybox:1"}]})";
  for (const char* kind : {"Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "ReplicationController"}) {
    CAPTURE(kind);
    const std::string doc = std::string(R"({"kind":")") + kind + R"(","metadata":{"name":"w","namespace":"ns"},"spec":{"replicas":0,"template":{"spec":)" + pod_spec + "}}}";
    CHECK(images_of(doc) == std::vector<std::string>{"init:1", "app:1", "busybox:1"});
  }
  CHECK(images_of(R"({"kind":"CronJob","spec":{"jobTemplate":{"spec":{"template":{"spec":)" + pod_spec + "}}}}}") ==
        std::vector<std::string>{"init:1", "app:1", "busybox:1"});
  CHECK(images_of(R"({"kind":"PodTemplate","template":{"spec":)" + pod_spec + "}}") == std::vector<std::string>{"init:1", "app:1", "busybox:1"});
  // A Pod: its spec, then what the node pulled.
  CHECK(images_of(R"({"kind":"Pod","spec":{"containers":[{"name":"app","image":"app:1"}]},
                      "status":{"containerStatuses":[{"name":"app","image":"app:1","imageID":"docker-pullable://app@sha256:)" + hex('a') + R"("}]}})") ==
        std::vector<std::string>{"app:1", "app:1", "docker-pullable://app@sha256:" + hex('a')});
  // A List mixing kinds, with Services passed over; an Argo Rollout read by its template.
  CHECK(images_of(R"({"kind":"List","items":[{"kind":"Service","spec":{}},
                      {"kind":"Rollout","spec":{"template":{"spec":{"containers":[{"image":"r:1"}]}}}},
                      {"kind":"List","items":[{"kind":"Job","spec":{"template":{"spec":{"containers":[{"image":"j:1"}]}}}}]}]})") ==
        std::vector<std::string>{"r:1", "j:1"});
  CHECK(images_of(R"({"kind":"List","items":[]})").empty());
  // Who uses it, for explain.
  std::vector<WorkloadImage> out;
  std::string error;
  REQUIRE(read_kubernetes_document(nlohmann::json::parse(R"({"kind":"Deployment","metadata":{"name":"web","namespace":"shop"},
      "spec":{"template":{"spec":{"containers":[{"name":"app","image":"app:1"}]}}}})"), "k.json", out, error));
  REQUIRE(out.size() == 1);
  CHECK(out[0].user == "Deployment shop/web (container app)");
  CHECK(out[0].where == "k.json: spec.template.spec.containers[0].image");
}

TEST_CASE("kubectl JSON regpol cannot use is a located error, never zero images") {
  CHECK(refusal_of(R"({"kind":"Deployment","spec":{"replicas":1}})") ==
        "k.json: the document is a Deployment without spec.template.spec (regpol reads its images there)");
  CHECK(refusal_of(R"({"kind":"List","items":[{"kind":"Service"},{"kind":"Widget","spec":{}}]})") ==
        "k.json: items[1] is a Widget, which has no pod template regpol can read");
  CHECK(refusal_of(R"({"kind":"List","items":[{"kind":"Pod","spec":{"containers":[{"name":"x"}]}}]})") ==
        "k.json: items[0].spec.containers[0] has no `image` string");
  CHECK(refusal_of(R"({"kind":"List","items":{}})") == "k.json: items is not an array");
  CHECK(refusal_of(R"({"kind":"CronJob","spec":{"jobTemplate":{"spec":{"template":{"spec":{"containers":"x"}}}}}})") ==
        "k.json: spec.jobTemplate.spec.template.spec has no `containers` list");
}

}  // namespace inuse_unit
