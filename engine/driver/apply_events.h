#pragma once
// `apply --events eventbridge[:BUS]`: one event per carried-out batch, shaped as ECR's own
// "ECR Image Action" events (detail-type, and in the detail `result`, `action-type`,
// `repository-name`), put on an EventBridge bus with PutEvents, signed with the same SigV4
// client and credential chain as ECR. Best effort, as ECR's own events: an event that is
// not delivered is said on stderr and changes nothing about the run (the journal is the
// record, `regpol runs show`).
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "apply/target.h"
#include "driver/registry_connect.h"
#include "registry/aws/eventbridge.h"

namespace regpol {

// The events' `source` (EventBridge keeps `aws.` sources for AWS's services) and detail-type.
inline constexpr const char* kEventSource = "regpol";
inline constexpr const char* kEventDetailType = "ECR Image Action";

// "eventbridge" (the default bus) or "eventbridge:BUS" (a name or an ARN). False with `error`.
bool parse_events_option(const std::string& text, std::string& bus, std::string& error);

// The entries for one batch: one per 500 actions (far under EventBridge's 256 KB).
// `region`: for the repositories' ARNs (ECR targets with a known account; else none).
std::vector<aws::EventEntry> batch_events(std::int64_t run, const std::string& target, const std::string& region,
                                          const std::vector<const ActionRecord*>& batch, const std::vector<TargetAnswer>& answers, Micros now);

class ApplyEvents {
 public:
  // The endpoint is https://events.REGION.amazonaws.com, or AWS_ENDPOINT_URL_EVENTBRIDGE
  // (the AWS SDKs' variable; http:// only to a loopback address). Region and credentials as
  // for ECR (`connect`). Nullptr with `error` (a usage error: no region, a bad endpoint).
  static std::unique_ptr<ApplyEvents> open(const std::string& bus, const EcrConnectOptions& connect, std::string target, std::string& error);

  void batch(std::int64_t run, const std::vector<const ActionRecord*>& batch, const std::vector<TargetAnswer>& answers);
  // A line for stderr when events were put or lost ("" when there was nothing to put).
  std::string summary() const;
  bool all_delivered() const { return result_.failed == 0 && call_error_.empty(); }

 private:
  ApplyEvents() = default;
  EcrConnection connection_;
  std::string bus_, target_, call_error_;
  aws::PutEventsResult result_;
};

}  // namespace regpol
