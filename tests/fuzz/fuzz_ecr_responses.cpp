// Fuzzes what regpol reads from AWS: credential answers (credential_process output,
// container / instance-metadata JSON, STS AssumeRoleWithWebIdentity XML) and ECR
// describe-images details, whose snapshot form must be accepted or refused by the
// snapshot reader with a message, never crash it.
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <unistd.h>

#include "driver/snapshots.h"
#include "registry/aws/credentials.h"
#include "registry/aws/ecr_pull.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace regpol;
  std::string text(reinterpret_cast<const char*>(data), size);
  aws::Credentials c;
  std::string err;
  if (!aws::parse_process_credentials(text, c, err) && err.empty()) std::abort();
  err.clear();
  if (!aws::parse_container_credentials(text, c, err) && err.empty()) std::abort();
  err.clear();
  if (!aws::parse_sts_web_identity_response(text, c, err) && err.empty()) std::abort();
  auto detail = nlohmann::json::parse(text, nullptr, false);
  if (detail.is_discarded() || !detail.is_object()) return 0;
  nlohmann::json img = aws::snapshot_image(detail, "fuzz/repo");
  std::string doc = "{\"schema\": \"regpol.snapshot/v1\", \"images\": [" + img.dump() + "]}";
  static std::string path = "/tmp/regpol-fuzz-ecr-" + std::to_string(getpid()) + ".json";
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return 0;
  std::fwrite(doc.data(), 1, doc.size(), f);
  std::fclose(f);
  Registry reg;
  LoadError lerr;
  if (!load_snapshots({path}, reg, lerr, 1) && lerr.to_string().empty()) std::abort();
  return 0;
}
