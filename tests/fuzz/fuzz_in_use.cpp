// What --in-use reads, without trust: image references (as workloads and container runtimes
// write them), kubectl JSON of any kind, the files `regpol in-use pull` writes, and their
// matching against a small snapshot of each kind of registry. The first byte picks the reader.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "inuse/in_use_file.h"
#include "inuse/kubernetes.h"
#include "inuse/reference.h"
#include "inuse/registry_match.h"
#include "snapshot/reader.h"

namespace {

const regpol::Registry& registry_of(unsigned which) {
  static regpol::Registry registries[3];
  static bool ready = false;
  if (!ready) {
    const char* sources[3] = {"\"source\":\"ecr:us-east-1/111122223333\",", "\"source\":\"oci://localhost:5000\",", ""};
    for (int i = 0; i < 3; ++i) {
      std::string text = std::string("{\"schema\":\"regpol.snapshot/v1\",") + sources[i] +
                         "\"images\":[{\"repository\":\"app\",\"digest\":\"sha256:" + std::string(64, 'a') +
                         "\",\"tags\":[\"v1\"],\"pushedAt\":\"2026-11-01T00:00:00Z\"}]}";
      regpol::LoadError error;
      if (!regpol::load_json_snapshot_text("f.json", text, registries[i], error) || !regpol::finish_registry(registries[i], error, 1))
        __builtin_trap();
    }
    ready = true;
  }
  return registries[which % 3];
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::string error;
  switch (data[0] % 3) {
    case 0: {
      regpol::ImageReference ref;
      if (regpol::parse_image_reference(text, ref, error)) {
        if (ref.path.empty() || ref.host.empty() || (ref.tag.empty() && ref.digest.empty())) __builtin_trap();
        const regpol::Registry& reg = registry_of(data[0] / 3);
        auto m = regpol::match_reference(reg, regpol::registry_identity(reg), ref, (data[0] & 0x80) != 0);
        if (m.outcome == regpol::ReferenceMatch::Outcome::Matched && m.image >= reg.images.size()) __builtin_trap();
      }
      std::string account, region;
      regpol::parse_ecr_host(text, account, region);
      break;
    }
    case 1: {
      auto doc = nlohmann::json::parse(text, nullptr, false);
      if (doc.is_discarded()) break;
      std::vector<regpol::WorkloadImage> out;
      if (regpol::is_kubernetes_document(doc)) regpol::read_kubernetes_document(doc, "k.json", out, error);
      break;
    }
    default: {
      auto doc = nlohmann::json::parse(text, nullptr, false);
      if (doc.is_discarded() || !regpol::is_in_use_document(doc)) break;
      regpol::InUseDocument read;
      if (regpol::read_in_use_document(doc, "u.json", read, error)) {
        // What it reads, written and read again, is the same.
        regpol::InUseDocument again;
        auto round = nlohmann::json::parse(regpol::in_use_document_text(read), nullptr, false);
        if (round.is_discarded() || !regpol::read_in_use_document(round, "u.json", again, error) || again.images.size() != read.images.size())
          __builtin_trap();
      }
      break;
    }
  }
  return 0;
}
