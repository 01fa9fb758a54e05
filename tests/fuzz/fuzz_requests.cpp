// Fuzzes the request readers: one access request (a JSON Lines line) and a CloudTrail log.
// Any bytes are accepted or rejected with a message; an accepted request is decided
// against a fixed policy without crashing.
#include <string>

#include "access/cloudtrail.h"
#include "access/evaluate.h"
#include "access/request.h"
#include "interop/iam_json.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace regpol;
  static const AccessPlan plan = [] {
    AccessPlan p;
    std::vector<DocumentProblem> problems;
    access_plan_from_iam_json("fixed.json",
                              R"({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "ecr:*", "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}},
        {"Effect": "Deny", "Principal": "*", "Action": "ecr:BatchDeleteImage",
         "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": "o-abc"}, "DateGreaterThan": {"aws:CurrentTime": "2026-01-01T00:00:00Z"}}}]})",
                              p, problems);
    return p;
  }();
  std::string text(reinterpret_cast<const char*>(data), size);
  std::string error;
  AccessRequest r;
  if (parse_request_json(text, r, error)) {
    derive_context(r, 0);
    evaluate_access(plan, r);
  }
  std::vector<AccessRequest> records;
  if (read_cloudtrail(text, records, error)) {
    for (auto& rec : records) {
      derive_context(rec, 0);
      evaluate_access(plan, rec);
    }
  }
  return 0;
}
