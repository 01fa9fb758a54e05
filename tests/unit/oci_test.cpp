// The OCI readers: manifests, configs, Docker config auths, challenges, tokens, addresses.
#include <doctest/doctest.h>

#include "registry/oci/auth.h"
#include "registry/image/manifest.h"
#include "registry/oci/oci_client.h"

using namespace regpol::oci;
namespace image = regpol::image;

namespace {
std::string digest(char c) { return "sha256:" + std::string(64, c); }
}  // namespace

TEST_CASE("an OCI image manifest: config, layers, subject; an artifact's type from its config") {
  std::string body = R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",
    "config":{"mediaType":"application/vnd.dev.cosign.simplesigning.v1+json","digest":")" + digest('a') + R"(","size":10},
    "layers":[{"mediaType":"x","digest":")" + digest('b') + R"(","size":20}],
    "subject":{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":")" + digest('c') + R"(","size":30}})";
  image::Manifest m;
  std::string error;
  REQUIRE(image::parse_manifest(body, "", m, error));
  CHECK_FALSE(m.is_index);
  CHECK(m.config.digest == digest('a'));
  CHECK(m.layers.size() == 1);
  CHECK(m.layers[0].size == 20);
  CHECK(m.subject == digest('c'));
  CHECK(m.artifact_type == "application/vnd.dev.cosign.simplesigning.v1+json");
}

TEST_CASE("an index and a Docker manifest list; the media type from Content-Type when the document has none") {
  std::string body = R"({"schemaVersion":2,"manifests":[{"digest":")" + digest('d') + R"(","size":1},{"digest":")" + digest('e') + R"(","size":2}]})";
  image::Manifest m;
  std::string error;
  REQUIRE(image::parse_manifest(body, "application/vnd.docker.distribution.manifest.list.v2+json; charset=utf-8", m, error));
  CHECK(m.is_index);
  CHECK(m.manifests.size() == 2);
  CHECK(m.media_type == image::kDockerManifestList);
}

TEST_CASE("malformed manifests are refused with a reason, never a throw") {
  image::Manifest m;
  std::string error;
  CHECK_FALSE(image::parse_manifest("[]", "", m, error));
  CHECK_FALSE(image::parse_manifest(R"({"schemaVersion":1,"config":{}})", "", m, error));
  CHECK_FALSE(image::parse_manifest(R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"digest":"sha256:zz","size":1}})", "", m, error));
  CHECK(error.find("digest") != std::string::npos);
  CHECK_FALSE(image::parse_manifest(R"({"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"digest":")" + digest('a') + R"(","size":-4}]})", "", m, error));
  CHECK_FALSE(image::parse_manifest(R"({"mediaType":"application/vnd.oci.image.index.v1+json","manifests":{}})", "", m, error));
}

TEST_CASE("Docker config auths: base64 auth, username/password, keys with scheme and path") {
  RegistryCredentials c;
  bool found = false;
  std::string error;
  REQUIRE(parse_docker_config(R"({"auths":{"https://Reg.example:5000/v1/":{"auth":"dXNlcjpwYTpzcw=="}}})", "reg.example:5000", c, found, error));
  CHECK(found);
  CHECK(c.username == "user");
  CHECK(c.password == "pa:ss");
  REQUIRE(parse_docker_config(R"({"auths":{"other:1":{"username":"u","password":"p"}}})", "reg.example:5000", c, found, error));
  CHECK_FALSE(found);
  CHECK_FALSE(parse_docker_config(R"({"auths":{"reg.example:5000":{"auth":"!!"}}})", "reg.example:5000", c, found, error));
  CHECK(error.find("!!") == std::string::npos);  // never echoes the secret
}

TEST_CASE("WWW-Authenticate challenges") {
  Challenge c;
  REQUIRE(parse_challenge(R"(Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push")", c));
  CHECK(c.scheme == "bearer");
  CHECK(c.params["realm"] == "https://auth.example/token");
  CHECK(c.params["scope"] == "repository:a/b:pull,push");
  REQUIRE(parse_challenge(R"(Basic realm="x")", c));
  CHECK(c.scheme == "basic");
  CHECK_FALSE(parse_challenge(R"(Bearer realm="unterminated)", c));
}

TEST_CASE("token answers and base64") {
  std::string token;
  long expires = 0;
  CHECK(parse_token_answer(R"({"access_token":"t","expires_in":120})", token, expires));
  CHECK(token == "t");
  CHECK(expires == 120);
  CHECK_FALSE(parse_token_answer(R"({"token":5})", token, expires));
  std::string out;
  CHECK(base64_decode(regpol::base64_encode("ab"), out));
  CHECK(out == "ab");
  CHECK_FALSE(base64_decode("a", out));
}

TEST_CASE("oci:// addresses: loopback is plain http; elsewhere https unless --insecure") {
  OciEndpoint e;
  std::string error;
  REQUIRE(parse_oci_address("oci://127.0.0.1:5000/team/", false, e, error));
  CHECK(e.scheme == "http");
  CHECK(e.prefix == "team");
  REQUIRE(parse_oci_address("oci://registry.example", false, e, error));
  CHECK(e.scheme == "https");
  REQUIRE(parse_oci_address("oci://registry.example:5000", true, e, error));
  CHECK(e.scheme == "http");
  CHECK_FALSE(parse_oci_address("https://registry.example", false, e, error));
  CHECK_FALSE(parse_oci_address("oci://", false, e, error));
}

TEST_CASE("names from a registry are checked before a URL is built from them") {
  using regpol::oci::valid_repository_name;
  using regpol::oci::valid_tag;
  CHECK(valid_repository_name("team/app"));
  CHECK(valid_repository_name("a.b_c__d--e/f9"));
  CHECK_FALSE(valid_repository_name("../other"));
  CHECK_FALSE(valid_repository_name("team//app"));
  CHECK_FALSE(valid_repository_name("Team/app"));
  CHECK_FALSE(valid_repository_name("app?x=1"));
  CHECK_FALSE(valid_repository_name("a..b"));
  CHECK_FALSE(valid_repository_name(""));
  CHECK(valid_tag("v1.2.3-rc_1"));
  CHECK(valid_tag("sha256-" + std::string(64, 'a') + ".sig"));
  CHECK_FALSE(valid_tag("../../x"));
  CHECK_FALSE(valid_tag("a\r\nX-Injected: 1"));
  CHECK_FALSE(valid_tag("v2?x=1"));
  CHECK_FALSE(valid_tag(".hidden"));
  CHECK_FALSE(valid_tag(std::string(129, 'a')));
}
