#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "apply/drain.h"

using namespace regpol;

namespace {

ActionRecord deletion(std::int64_t seq, const std::string& repository, Micros pushed_at, std::int64_t graph_rank = 2) {
  ActionRecord a;
  a.seq = seq;
  a.repository = repository;
  a.digest = "d" + std::to_string(seq);
  a.pushed_at = pushed_at;
  a.graph_rank = graph_rank;
  return a;
}

std::vector<std::int64_t> kept(const std::vector<ActionRecord>& actions) {
  std::vector<std::int64_t> out;
  for (const auto& a : actions) {
    if (a.status == ActionStatus::Pending) out.push_back(a.seq);
  }
  return out;
}

}  // namespace

TEST_CASE("drain keeps the oldest deletions up to the run's cap and defers the rest with the reason") {
  std::vector<ActionRecord> actions = {deletion(1, "a", 50), deletion(2, "a", 10), deletion(3, "b", 30), deletion(4, "b", kNoTime),
                                       deletion(5, "b", 20)};
  CHECK(drain_deletions(actions, {3, std::nullopt}) == 2);
  CHECK(kept(actions) == std::vector<std::int64_t>{2, 3, 5});  // pushed at 10, 20, 30; an unknown time counts as newest
  CHECK(actions[0].status == ActionStatus::Deferred);
  CHECK(actions[0].answer.find("--max-delete 3") != std::string::npos);
}

TEST_CASE("drain caps each repository, and what references others goes before the oldest plain image") {
  std::vector<ActionRecord> actions = {deletion(1, "a", 10), deletion(2, "a", 20), deletion(3, "a", 90, 1), deletion(4, "a", 95, 0),
                                       deletion(5, "b", 40), deletion(6, "b", 50)};
  CHECK(drain_deletions(actions, {std::nullopt, 2}) == 2);
  CHECK(kept(actions) == std::vector<std::int64_t>{3, 4, 5, 6});  // in `a`: the referrer and the index first
  CHECK(actions[0].answer.find("--max-delete-per-repository 2 in `a`") != std::string::npos);
}

TEST_CASE("drain leaves transitions, deferred and settled actions alone, and under the caps changes nothing") {
  std::vector<ActionRecord> actions = {deletion(1, "a", 10), deletion(2, "a", 20), deletion(3, "a", 30)};
  actions[0].kind = ActionKind::Transition;
  actions[1].status = ActionStatus::AlreadyDone;
  CHECK(drain_deletions(actions, {1, 1}) == 0);
  CHECK(actions[2].status == ActionStatus::Pending);
  CHECK(drain_deletions(actions, {0, std::nullopt}) == 1);
  CHECK(actions[2].status == ActionStatus::Deferred);
  CHECK(actions[0].status == ActionStatus::Pending);
}
