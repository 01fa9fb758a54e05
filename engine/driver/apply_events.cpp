#include "driver/apply_events.h"

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <set>

#include "util/text.h"

namespace regpol {

using nlohmann::json;

bool parse_events_option(const std::string& text, std::string& bus, std::string& error) {
  if (text == "eventbridge") {
    bus.clear();
    return true;
  }
  if (text.rfind("eventbridge:", 0) == 0 && aws::valid_event_bus(text.substr(12))) {
    bus = text.substr(12);
    return true;
  }
  error = "--events: `" + text.substr(0, 200) + "` is not eventbridge or eventbridge:BUS (a bus name of letters, digits, . - _, or its ARN)";
  return false;
}

namespace {

constexpr std::size_t kActionsPerEvent = 500;

const char* action_type(const ActionRecord& a) {
  return a.kind == ActionKind::Delete ? "DELETE" : a.kind == ActionKind::Untag ? "UNTAG" : "ARCHIVE";
}

const char* done_count_name(ActionKind k) { return k == ActionKind::Delete ? "deleted" : k == ActionKind::Untag ? "untagged" : "transitioned"; }

}  // namespace

std::vector<aws::EventEntry> batch_events(std::int64_t run, const std::string& target, const std::string& region,
                                          const std::vector<const ActionRecord*>& batch, const std::vector<TargetAnswer>& answers, Micros now) {
  std::vector<aws::EventEntry> out;
  for (std::size_t from = 0; from < batch.size(); from += kActionsPerEvent) {
    const std::size_t to = std::min(batch.size(), from + kActionsPerEvent);
    const ActionRecord& first = *batch[from];
    json carried = json::array(), failed = json::array(), skipped = json::array();
    std::set<std::string> tags;
    std::int64_t bytes = 0;
    std::size_t done = 0, already = 0;
    for (std::size_t i = from; i < to; ++i) {
      const ActionRecord& a = *batch[i];
      const ActionStatus status = answers[i].status;
      if (status == ActionStatus::Done || status == ActionStatus::AlreadyDone) {
        carried.push_back(a.digest);
        tags.insert(a.tags.begin(), a.tags.end());
      }
      switch (status) {
        case ActionStatus::Done:
          ++done;
          bytes += a.size_bytes;
          break;
        case ActionStatus::AlreadyDone: ++already; break;
        case ActionStatus::Failed: failed.push_back(a.digest); break;
        default: skipped.push_back(a.digest); break;
      }
    }
    const char* result = failed.empty() ? "SUCCESS" : carried.empty() ? "FAILURE" : "PARTIAL";
    json detail = {{"result", result},
                   {"action-type", action_type(first)},
                   {"repository-name", first.repository},
                   {"image-digests", carried},
                   {"image-tags", tags},
                   {"counts", {{done_count_name(first.kind), done}, {"alreadyDone", already},
                               {"skipped", skipped.size()}, {"failed", failed.size()}}},
                   {"bytes", bytes},
                   {"run-id", run},
                   {"target", target}};
    if (!failed.empty()) detail["failed-image-digests"] = failed;
    if (!skipped.empty()) detail["skipped-image-digests"] = skipped;
    aws::EventEntry e{kEventSource, kEventDetailType, detail.dump(), {}, now};
    if (!first.registry_id.empty() && !region.empty())
      e.resources.push_back("arn:aws:ecr:" + region + ":" + first.registry_id + ":repository/" + first.repository);
    out.push_back(std::move(e));
  }
  return out;
}

std::unique_ptr<ApplyEvents> ApplyEvents::open(const std::string& bus, const EcrConnectOptions& connect, std::string target, std::string& error) {
  EcrConnectOptions events = connect;
  const char* url = std::getenv("AWS_ENDPOINT_URL_EVENTBRIDGE");  // NOLINT(concurrency-mt-unsafe): regpol never sets the environment
  events.endpoint_url = url ? url : "";
  events.registry_id.clear();
  std::unique_ptr<ApplyEvents> out(new ApplyEvents());
  if (!open_aws_json(events, aws::kEventBridgeService, out->connection_, error)) {
    error = "--events: " + error;
    return nullptr;
  }
  out->bus_ = bus;
  out->target_ = std::move(target);
  return out;
}

void ApplyEvents::batch(std::int64_t run, const std::vector<const ActionRecord*>& batch, const std::vector<TargetAnswer>& answers) {
  // Only ECR targets name repositories by ARN; the account is the action's.
  const std::string region = target_ == "ecr" ? connection_.client->endpoint().region : "";
  std::vector<aws::EventEntry> entries = batch_events(run, target_, region, batch, answers, current_time());
  aws::EcrError e;
  if (!aws::put_events(*connection_.client, bus_, entries, result_, e)) {
    result_.failed += entries.size();
    if (call_error_.empty()) call_error_ = e.message;
  }
}

std::string ApplyEvents::summary() const {
  const std::string bus = bus_.empty() ? "the default event bus" : "event bus " + bus_;
  if (result_.put == 0 && result_.failed == 0) return "";
  std::string line = plural(result_.put, "event") + " put on " + bus;
  if (result_.failed) {
    line += "; " + plural(result_.failed, "event") + " not delivered (" + (call_error_.empty() ? result_.first_failure : call_error_) +
            "): the run's journal has every outcome (regpol runs show)";
  }
  return line;
}

}  // namespace regpol
