#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "driver/apply_events.h"

using namespace regpol;

TEST_CASE("--events takes eventbridge or eventbridge:BUS, the bus as PutEvents accepts it") {
  std::string bus, why;
  CHECK(parse_events_option("eventbridge", bus, why));
  CHECK(bus.empty());
  CHECK(parse_events_option("eventbridge:regpol-nightly", bus, why));
  CHECK(bus == "regpol-nightly");
  CHECK(parse_events_option("eventbridge:arn:aws:events:eu-west-1:111122223333:event-bus/ops.bus_1", bus, why));
  for (const char* wrong : {"eventbridge:", "eventbridge:two words", "sns", "eventbridge:arn:aws:events:eu-west-1:1:event-bus/x"}) {
    CAPTURE(wrong);
    CHECK_FALSE(parse_events_option(wrong, bus, why));
    CHECK(why.find("--events") != std::string::npos);
  }
}

TEST_CASE("one event per batch: the digests carried out, the refused ones apart, the result and the repository's ARN") {
  std::vector<ActionRecord> records(3);
  for (std::size_t i = 0; i < records.size(); ++i) {
    records[i].repository = "team/app";
    records[i].registry_id = "111122223333";
    records[i].digest = "sha256:" + std::string(64, static_cast<char>('a' + i));
    records[i].size_bytes = 100;
    records[i].tags = {"t" + std::to_string(i)};
  }
  std::vector<const ActionRecord*> batch = {&records[0], &records[1], &records[2]};
  std::vector<TargetAnswer> answers = {{ActionStatus::Done, "deleted", ""}, {ActionStatus::AlreadyDone, "already-gone", ""}, {ActionStatus::Failed, "failed", "no"}};
  auto events = batch_events(7, "ecr", "eu-west-1", batch, answers, 1'700'000'000'000'000);
  REQUIRE(events.size() == 1);
  CHECK(events[0].source == "regpol");
  CHECK(events[0].detail_type == "ECR Image Action");
  CHECK(events[0].resources == std::vector<std::string>{"arn:aws:ecr:eu-west-1:111122223333:repository/team/app"});
  auto d = nlohmann::json::parse(events[0].detail);
  CHECK(d["result"] == "PARTIAL");
  CHECK(d["action-type"] == "DELETE");
  CHECK(d["image-digests"] == nlohmann::json{records[0].digest, records[1].digest});
  CHECK(d["failed-image-digests"] == nlohmann::json{records[2].digest});
  CHECK(d["image-tags"] == nlohmann::json{"t0", "t1"});
  CHECK(d["bytes"] == 100);  // only what this run deleted
  CHECK(d["counts"]["deleted"] == 1);
  CHECK(d["counts"]["alreadyDone"] == 1);
  CHECK(d["run-id"] == 7);

  // Without a region (a target other than ECR) no ARN; all refused is a FAILURE.
  answers = {{ActionStatus::Failed, "failed", ""}, {ActionStatus::Failed, "failed", ""}, {ActionStatus::Failed, "failed", ""}};
  events = batch_events(7, "oci://r", "", batch, answers, 0);
  CHECK(events[0].resources.empty());
  CHECK(nlohmann::json::parse(events[0].detail)["result"] == "FAILURE");
}

TEST_CASE("a large batch is split so that no event nears EventBridge's 256 KB") {
  std::vector<ActionRecord> records(1200);
  std::vector<const ActionRecord*> batch;
  std::vector<TargetAnswer> answers;
  for (auto& r : records) {
    r.repository = "r";
    r.digest = "sha256:" + std::string(64, '0');
    r.tags = {std::string(128, 't')};
    batch.push_back(&r);
    answers.push_back({ActionStatus::Done, "deleted", ""});
  }
  auto events = batch_events(1, "ecr", "", batch, answers, 0);
  CHECK(events.size() == 3);
  for (const auto& e : events) CHECK(aws::event_entry_bytes(e) < aws::kMaxEventEntryBytes);
}
