// Fuzzes the ECR lifecycle policy reader: accepted or rejected with reasons, never a crash.
#include <string>

#include "interop/ecr_lifecycle.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace regpol;
  LifecyclePlan plan;
  std::vector<DocumentProblem> problems;
  lifecycle_plan_from_ecr_json("fuzz.json", std::string(reinterpret_cast<const char*>(data), size), plan, problems);
  return 0;
}
