// The SQLite snapshot store round-trips every field, and the generator is deterministic.
#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <unistd.h>
#include <string>

#include "snapshot/generator.h"
#include "test_util.h"
#include "snapshot/reader.h"
#include "store/snapshot_store.h"

using namespace regpol;

namespace {

std::string generate(bool ecr, std::uint64_t seed) {
  GeneratorOptions o;
  o.repositories = 7;
  o.images_per_repository = 15;
  o.seed = seed;
  o.ecr_format = ecr;
  return testing::generated_snapshot(o);
}

// Every field of every repository and image, in a canonical order.
std::string dump(const Registry& reg) {
  std::string out = "captured " + std::to_string(reg.captured_at) + "\nscanning " + reg.scanning_configuration + "\nreplication " +
                    reg.replication_configuration + "\n";
  for (const auto& r : reg.repositories) {
    out += "repo " + std::string(reg.str(r.name)) + " " + std::string(reg.str(r.registry_id)) + " " + std::string(reg.str(r.arn)) +
           " m" + std::to_string(static_cast<int>(r.mutability)) + " s" + std::to_string(r.scan_on_push) + " " +
           std::string(reg.str(r.encryption)) + " " + std::string(reg.str(r.kms_key)) + " " + std::to_string(r.created_at) + " L" +
           std::string(reg.str(r.lifecycle_policy)) + " P" + std::string(reg.str(r.repository_policy));
    for (auto x : r.mutability_exclusions) out += " x:" + std::string(reg.str(x));
    out += "\n";
    for (auto idx : r.images) {
      const Image& m = reg.images[idx];
      out += "  " + std::string(reg.str(m.digest)) + " p" + std::to_string(m.pushed_at) + " l" + std::to_string(m.last_pulled_at) +
             " a" + std::to_string(m.last_archived_at) + " v" + std::to_string(m.last_activated_at) + " s" + std::to_string(m.size_bytes) +
             " " + std::string(reg.str(m.manifest_media_type)) + " " + std::string(reg.str(m.artifact_media_type)) + " " +
             std::string(reg.str(m.subject)) + " st" + std::to_string(static_cast<int>(m.status));
      for (auto f : m.findings) out += " f" + std::to_string(f);
      for (std::uint32_t t = 0; t < m.tag_count; ++t) out += " t:" + std::string(reg.str(reg.tags_of(m)[t]));
      for (std::uint32_t c = 0; c < m.child_count; ++c) out += " c:" + std::string(reg.str(reg.children_of(m)[c]));
      if (auto it = reg.scan_completed_at.find(idx); it != reg.scan_completed_at.end()) out += " scanned:" + std::to_string(it->second);
      out += "\n";
    }
  }
  return out;
}

}  // namespace

TEST_CASE("the generator is deterministic and its output loads") {
  CHECK(generate(true, 5) == generate(true, 5));
  CHECK(generate(true, 5) != generate(true, 6));
  for (bool ecr : {true, false}) {
    Registry reg;
    LoadError err;
    REQUIRE(load_json_snapshot_text("gen.json", generate(ecr, 3), reg, err));
    REQUIRE(finish_registry(reg, err));
    CHECK(reg.repositories.size() == 7);
    CHECK(reg.images.size() > 20);
  }
}

TEST_CASE("a registry survives the SQLite store unchanged") {
  Registry reg;
  LoadError err;
  REQUIRE(load_json_snapshot_text("gen.json", generate(false, 11), reg, err));
  const char* repos = R"({"repositories": [{"repositoryName": "platform/api-0", "registryId": "1", "repositoryArn": "arn:aws:ecr:us-east-1:1:repository/platform/api-0",
    "createdAt": 1700000000.5, "imageTagMutability": "IMMUTABLE_WITH_EXCLUSION",
    "imageTagMutabilityExclusionFilters": [{"filterType": "WILDCARD", "filter": "latest"}, {"filterType": "WILDCARD", "filter": "dev-*"}],
    "imageScanningConfiguration": {"scanOnPush": true}, "encryptionConfiguration": {"encryptionType": "KMS", "kmsKey": "arn:aws:kms:us-east-1:1:key/k"},
    "lifecyclePolicy": "{\"rules\": []}", "repositoryPolicy": "{\"Statement\": []}"}]})";
  REQUIRE(load_json_snapshot_text("repos.json", repos, reg, err));
  const char* settings = R"({"schema": "regpol.snapshot/v1", "images": [],
    "registryScanningConfiguration": "{\"scanType\": \"ENHANCED\", \"rules\": []}", "registryReplicationConfiguration": "{\"rules\": []}"})";
  REQUIRE(load_json_snapshot_text("settings.json", settings, reg, err));
  REQUIRE(finish_registry(reg, err));
  reg.scan_completed_at[3] = 1700000000123456;  // when image 3's scan completed (gate's scan_age)
  std::string path = (std::filesystem::temp_directory_path() / ("regpol-store-test-" + std::to_string(::getpid()) + ".db")).string();
  std::string message;
  REQUIRE(save_registry_sqlite(reg, path, true, message) == SaveResult::Saved);
  Registry back;
  REQUIRE(load_registry_sqlite(path, back, message));
  REQUIRE(finish_registry(back, err));
  std::remove(path.c_str());
  CHECK(dump(back) == dump(reg));
  CHECK(dump(reg).find("x:dev-*") != std::string::npos);
  CHECK(dump(reg).find("arn:aws:kms:us-east-1:1:key/k") != std::string::npos);
  CHECK(dump(back).find(" scanned:1700000000123456") != std::string::npos);
  CHECK(dump(reg).find("scanning {\"scanType\": \"ENHANCED\"") != std::string::npos);
  CHECK(dump(reg).find(" c:") != std::string::npos);  // manifest-list children made it through
}
