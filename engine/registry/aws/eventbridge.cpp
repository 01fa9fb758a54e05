#include "registry/aws/eventbridge.h"

#include <regex>

namespace regpol::aws {

using nlohmann::json;

std::size_t event_entry_bytes(const EventEntry& entry) {
  std::size_t n = entry.source.size() + entry.detail_type.size() + entry.detail.size() + (entry.time == kNoTime ? 0 : 14);
  for (const auto& r : entry.resources) n += r.size();
  return n;
}

bool valid_event_bus(const std::string& bus) {
  // The pattern of botocore's events model (NonPartnerEventBusNameOrArn).
  static const std::regex pattern(R"((arn:aws[\w-]*:events:[a-z]+-[a-z]+-[\w-]+:[0-9]{12}:event-bus/)?[.\-_A-Za-z0-9]+)");
  return !bus.empty() && bus.size() <= 1600 && std::regex_match(bus, pattern);
}

namespace {

json entry_json(const EventEntry& e, const std::string& bus) {
  json j = {{"Source", e.source}, {"DetailType", e.detail_type}, {"Detail", e.detail}, {"Resources", e.resources}};
  if (e.time != kNoTime) j["Time"] = e.time / kMicrosPerSecond;  // the JSON protocol's timestamps: epoch seconds
  if (!bus.empty()) j["EventBusName"] = bus;
  return j;
}

bool worth_again(const std::string& code) { return code == "InternalFailure" || code == "ThrottlingException"; }

}  // namespace

bool put_events(EcrClient& client, const std::string& bus, const std::vector<EventEntry>& entries, PutEventsResult& result, EcrError& error) {
  std::vector<const EventEntry*> pending;
  for (const auto& e : entries) {
    if (event_entry_bytes(e) > kMaxEventEntryBytes) {
      ++result.failed;
      if (result.first_failure.empty()) result.first_failure = "an event of " + std::to_string(event_entry_bytes(e)) + " bytes (over EventBridge's 256 KB)";
      continue;
    }
    pending.push_back(&e);
  }
  for (int round = 0; round < 2 && !pending.empty(); ++round) {
    std::vector<const EventEntry*> again;
    for (std::size_t from = 0; from < pending.size(); from += kMaxEventsPerCall) {
      const std::size_t to = std::min(pending.size(), from + kMaxEventsPerCall);
      json input = {{"Entries", json::array()}};
      for (std::size_t i = from; i < to; ++i) input["Entries"].push_back(entry_json(*pending[i], bus));
      json output;
      if (!client.call("PutEvents", input, output, error)) return false;
      const json* answers = output.contains("Entries") && output["Entries"].is_array() ? &output["Entries"] : nullptr;
      for (std::size_t i = from; i < to; ++i) {
        const json* a = answers && i - from < answers->size() ? &(*answers)[i - from] : nullptr;
        const std::string code = a ? json_string(*a, "ErrorCode") : "";
        if (a && code.empty()) {
          ++result.put;
        } else if (round == 0 && (a == nullptr || worth_again(code))) {
          again.push_back(pending[i]);
        } else {
          ++result.failed;
          if (result.first_failure.empty()) result.first_failure = a ? code + ": " + json_string(*a, "ErrorMessage") : "no answer for the entry";
        }
      }
    }
    pending = std::move(again);
  }
  return true;
}

}  // namespace regpol::aws
