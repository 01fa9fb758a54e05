#pragma once
// Helpers shared by the unit tests.
#include <doctest/doctest.h>

#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "snapshot/generator.h"
#include "util/time.h"

namespace regpol::testing {

// A directory of its own under /tmp, removed with everything in it at the end of the scope.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    char pattern[] = "/tmp/regpol_unit_test.XXXXXX";
    path = mkdtemp(pattern);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string file(const char* name) const { return (path / name).string(); }
};

// A generated snapshot as text.
inline std::string generated_snapshot(const GeneratorOptions& options) {
  std::FILE* f = std::tmpfile();
  generate_snapshot(options, f);
  std::string text(static_cast<std::size_t>(std::ftell(f)), '\0');
  std::rewind(f);
  REQUIRE(std::fread(text.data(), 1, text.size(), f) == text.size());
  std::fclose(f);
  return text;
}

// One image of a describe-images document the property tests write; absent fields are
// left out of the JSON.
struct DescribedImage {
  std::string repo, digest;
  std::vector<std::string> tags;
  Micros pushed = 0, pulled = kNoTime, archived = kNoTime, activated = kNoTime;
  std::string status;            // "" leaves imageStatus out
  std::int64_t size_bytes = -1;  // < 0 leaves imageSizeInBytes out
  // Scan findings: -1 no summary, 0 a clean scan (an empty summary), N critical findings.
  int critical = -1;
};

// The fields every property test's image has (repository, digest, tags, push time), as the
// DescribedImage each test then completes.
template <class TestImage>
DescribedImage described_image(const TestImage& m) {
  DescribedImage d;
  d.repo = m.repo;
  d.digest = m.digest;
  d.tags = m.tags;
  d.pushed = m.pushed;
  return d;
}

// `aws ecr describe-images` output for these images, as the snapshot reader takes it.
inline std::string describe_images_json(const std::vector<DescribedImage>& images) {
  nlohmann::json details = nlohmann::json::array();
  for (const auto& m : images) {
    nlohmann::json d = {{"repositoryName", m.repo}, {"imageDigest", m.digest}, {"imagePushedAt", format_timestamp(m.pushed)}, {"imageTags", m.tags}};
    if (!m.status.empty()) d["imageStatus"] = m.status;
    if (m.size_bytes >= 0) d["imageSizeInBytes"] = m.size_bytes;
    if (m.pulled != kNoTime) d["lastRecordedPullTime"] = format_timestamp(m.pulled);
    if (m.archived != kNoTime) d["lastArchivedAt"] = format_timestamp(m.archived);
    if (m.activated != kNoTime) d["lastActivatedAt"] = format_timestamp(m.activated);
    if (m.critical == 0) d["imageScanFindingsSummary"] = {{"findingSeverityCounts", nlohmann::json::object()}};
    if (m.critical > 0) d["imageScanFindingsSummary"] = {{"findingSeverityCounts", {{"CRITICAL", m.critical}}}};
    details.push_back(std::move(d));
  }
  return nlohmann::json{{"imageDetails", details}}.dump();
}

}  // namespace regpol::testing
