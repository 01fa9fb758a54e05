// Fuzzes the IAM policy reader and evaluator: any document is accepted or rejected with
// reasons, and an accepted one decides a fixed request without crashing.
#include <string>

#include "access/evaluate.h"
#include "interop/iam_json.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace regpol;
  AccessPlan plan;
  std::vector<DocumentProblem> problems;
  if (!access_plan_from_iam_json("fuzz.json", std::string(reinterpret_cast<const char*>(data), size), plan, problems)) return 0;
  AccessRequest r;
  r.principal = "arn:aws:sts::111122223333:assumed-role/ci/s";
  r.action = "ecr:PutImage";
  r.repository = "team/app";
  r.context["aws:sourceip"] = {{"10.1.2.3"}, false};
  r.context["aws:tagkeys"] = {{"a", "b"}, true};
  derive_context(r, 0);
  evaluate_access(plan, r);
  return 0;
}
