#pragma once
// Amazon EventBridge's PutEvents (JSON 1.1, signing name `events`) through the AWS JSON
// client: how `apply --events eventbridge[:BUS]` tells the account what a run carried out.
#include <cstddef>
#include <string>
#include <vector>

#include "registry/aws/ecr_client.h"
#include "util/time.h"

namespace regpol::aws {

// One event. `detail` is the text of a JSON object.
struct EventEntry {
  std::string source, detail_type, detail;
  std::vector<std::string> resources;
  Micros time = kNoTime;
};

// EventBridge's own bounds: entries per PutEvents call, and bytes per entry (its Source,
// DetailType, Detail and Resources, and 14 for a Time).
constexpr std::size_t kMaxEventsPerCall = 10;
constexpr std::size_t kMaxEventEntryBytes = std::size_t{256} * 1024;
std::size_t event_entry_bytes(const EventEntry& entry);

// A bus name or ARN as PutEvents accepts it: [.\-_A-Za-z0-9]+, optionally after
// arn:aws…:events:REGION:ACCOUNT:event-bus/, at most 1,600 characters.
bool valid_event_bus(const std::string& bus);

struct PutEventsResult {
  std::size_t put = 0, failed = 0;
  std::string first_failure;  // EventBridge's code and words for the first entry it refused
};

// Puts `entries` on `bus` ("": the account's default bus), kMaxEventsPerCall a call.
// Entries EventBridge refused with a failure it may not repeat (InternalFailure,
// ThrottlingException) are put again once; the rest are counted failed. False with
// `error` when a call failed as a whole (after the client's retries); entries over
// kMaxEventEntryBytes are never sent and are counted failed.
bool put_events(EcrClient& client, const std::string& bus, const std::vector<EventEntry>& entries, PutEventsResult& result, EcrError& error);

}  // namespace regpol::aws
