#include <doctest/doctest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "apply/plan_artifact.h"
#include "apply/rails.h"
#include "store/sqlite.h"
#include "store/state_store.h"
#include "test_util.h"
#include "util/shard.h"

using namespace regpol;
namespace fs = std::filesystem;

namespace {

using testing::TempDir;

ActionPlan plan_of(std::vector<RepositoryCounts> repos) {
  ActionPlan p;
  p.repositories = std::move(repos);
  return p;
}

}  // namespace

TEST_CASE("durations of the rails") {
  CHECK(parse_duration_option("30m") == Micros{30} * 60 * kMicrosPerSecond);
  CHECK(parse_duration_option("2d") == 2 * kMicrosPerDay);
  CHECK(parse_duration_option("1w") == 7 * kMicrosPerDay);
  CHECK(parse_duration_option("45s") == 45 * kMicrosPerSecond);
  for (const char* bad : {"", "d", "2", "2 d", "-1d", "1.5d", "2y", "9999999d", "1dd"}) CHECK_MESSAGE(!parse_duration_option(bad), bad);
  CHECK(format_duration_option(*parse_duration_option("48h")) == "2d");
  CHECK(format_duration_option(*parse_duration_option("90m")) == "90m");
}

TEST_CASE("rails: each trips just above its limit and not at it") {
  ActionPlan p = plan_of({{"a", 10, 4, ""}, {"b", 10, 1, ""}});
  Micros now = 100 * kMicrosPerDay;
  CHECK(check_rails({}, p, kNoTime, now).empty());
  Rails r;
  r.max_delete = 5;
  CHECK(check_rails(r, p, kNoTime, now).empty());
  r.max_delete = 4;
  CHECK(check_rails(r, p, kNoTime, now).size() == 1);
  r = {};
  r.max_delete_per_repository = 4;
  CHECK(check_rails(r, p, kNoTime, now).empty());
  r.max_delete_per_repository = 3;
  CHECK(check_rails(r, p, kNoTime, now).size() == 1);
  r = {};
  r.max_delete_percent = 40;  // a: 40%, the run: 25%
  CHECK(check_rails(r, p, kNoTime, now).empty());
  r.max_delete_percent = 39.9;
  CHECK(check_rails(r, p, kNoTime, now).size() == 1);
  r.max_delete_percent = 20;  // a and the run
  CHECK(check_rails(r, p, kNoTime, now).size() == 2);
  r = {};
  r.max_snapshot_age = kMicrosPerDay;
  CHECK(check_rails(r, p, now - kMicrosPerDay, now).empty());
  CHECK(check_rails(r, p, now - kMicrosPerDay - 1, now).size() == 1);
  CHECK(check_rails(r, p, kNoTime, now).size() == 1);  // an unknown capture time cannot pass
}

TEST_CASE("rails: a repository is never emptied unless its lifecycle allows it") {
  Micros now = 0;
  CHECK(check_rails({}, plan_of({{"a", 3, 3, ""}}), kNoTime, now).size() == 1);
  CHECK(check_rails({}, plan_of({{"a", 3, 3, "p.regpol:3:5"}}), kNoTime, now).empty());
  CHECK(check_rails({}, plan_of({{"a", 3, 2, ""}}), kNoTime, now).empty());
  CHECK(check_rails({}, plan_of({{"empty", 0, 0, ""}}), kNoTime, now).empty());
}

TEST_CASE("shards: I/N parsing, and every name in exactly one shard") {
  CHECK(Shard::parse("0/1"));
  CHECK(Shard::parse("3/4")->index == 3);
  for (const char* bad : {"4/4", "1/0", "/4", "1/", "a/4", "1/4/2", "-1/4", "1/100000"}) CHECK_MESSAGE(!Shard::parse(bad), bad);
  for (int k = 0; k < 500; ++k) {
    std::string name = "team-" + std::to_string(k) + "/service";
    int hits = 0;
    for (std::uint32_t i = 0; i < 7; ++i) hits += Shard{i, 7}.contains(name);
    CHECK(hits == 1);
  }
  // The hash is fixed forever: a repository never moves to another worker.
  CHECK(Shard{1, 4}.contains("backend/api") == (Shard::parse("1/4")->contains("backend/api")));
}

TEST_CASE("state store: runs, outcomes, the lock and grace candidates") {
  TempDir dir;
  std::string err;
  auto store = StateStore::open(dir.file("state.db"), err);
  REQUIRE(store);
  std::vector<ActionRecord> actions(3);
  for (int i = 0; i < 3; ++i) {
    actions[i].seq = i + 1;
    actions[i].repository = "r";
    actions[i].digest = "sha256:" + std::string(64, static_cast<char>('a' + i));
    actions[i].storage_class = "standard";
  }
  actions[2].status = ActionStatus::Deferred;
  RunRecord rec;
  rec.policy_sha256 = "p";
  rec.snapshot_sha256 = "s";
  rec.target = "t";
  std::int64_t id = store->begin_run(rec, actions);
  CHECK(store->unfinished_run()->id == id);
  auto loaded = store->actions(id);
  REQUIRE(loaded.size() == 3);
  store->mark_sent(id, {&loaded[0], &loaded[1]});
  store->record_outcomes(id, {{&loaded[0], ActionStatus::Done, "deleted", "ok"}, {&loaded[1], ActionStatus::AlreadyDone, "already-gone", "gone"}});
  store->finish_run(id, "finished", "");
  auto run = store->run(id);
  CHECK(run->deleted == 1);  // what this run deleted; the image found gone is counted apart
  CHECK(run->already == 1);
  CHECK(run->deferred == 1);
  CHECK(!store->unfinished_run());
  // A run that deferred deletions is not "already done".
  CHECK(!store->finished_run("p", "s", "", "t", ""));

  // A second holder of the lock is refused at once.
  std::unique_ptr<StateLock> a, b;
  CHECK(StateLock::acquire(dir.file("state.db"), a, err) == StateLock::Result::Acquired);
  CHECK(StateLock::acquire(dir.file("state.db"), b, err) == StateLock::Result::Busy);
  CHECK(err.find("another apply") != std::string::npos);
  a.reset();
  CHECK(StateLock::acquire(dir.file("state.db"), b, err) == StateLock::Result::Acquired);

  // Grace: first seen kept while the image stays a candidate, forgotten when it stops.
  auto t = [](int day) { return day * kMicrosPerDay; };
  const std::vector<std::pair<std::string, std::string>> x_and_y{{"r", "x"}, {"r", "y"}};
  CHECK(store->candidates_first_seen(x_and_y, t(1)) == std::vector<Micros>{t(1), t(1)});  // never recorded: now
  store->note_candidates({"r"}, x_and_y, t(1));
  store->note_candidates({"r"}, {{"r", "x"}}, t(2));
  CHECK(store->candidates_first_seen(x_and_y, t(2)) == std::vector<Micros>{t(1), t(2)});  // y stopped being one
  store->note_candidates({"r"}, x_and_y, t(3));
  CHECK(store->candidates_first_seen(x_and_y, t(3)) == std::vector<Micros>{t(1), t(3)});
  // A repository not evaluated keeps its candidates.
  store->note_candidates({"other"}, {}, t(4));
  CHECK(store->candidates_first_seen(x_and_y, t(4)) == std::vector<Micros>{t(1), t(3)});
  store->note_candidates({"r"}, {{"r", "x"}}, t(5));
  CHECK(store->candidates_first_seen(x_and_y, t(5)) == std::vector<Micros>{t(1), t(5)});
}

TEST_CASE("state store: another file is not taken for a state database") {
  TempDir dir;
  std::ofstream(dir.file("notes.db")) << "hello";
  std::string err;
  CHECK(!StateStore::open(dir.file("notes.db"), err));
  CHECK(err.find("not a regpol state database") != std::string::npos);
  CHECK(!StateStore::open_read_only(dir.file("missing.db"), err));
}

TEST_CASE("state store: its failures carry SQLite's kind, not only a message") {
  TempDir dir;
  std::string err;
  {
    auto store = StateStore::open(dir.file("state.db"), err);
    REQUIRE(store);
    ActionRecord a;
    a.seq = 1;
    a.repository = "r";
    a.digest = "sha256:" + std::string(64, 'a');
    a.storage_class = "standard";
    RunRecord rec;
    rec.target = "t";
    store->begin_run(rec, {a});
  }
  // A write through a read-only connection: SQLite says SQLITE_READONLY, the caller is refused.
  auto reader = StateStore::open_read_only(dir.file("state.db"), err);
  REQUIRE(reader);
  RunRecord rec;
  rec.target = "t";
  try {
    reader->begin_run(rec, {});
    FAIL("a write through a read-only connection succeeded");
  } catch (const StoreFailure& e) {
    CHECK(e.kind() == ErrorKind::Denied);
    CHECK(std::string(e.what()).find("state database") != std::string::npos);
  }
  // A row this version cannot read (an action status it does not know): bad input.
  {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(dir.file("state.db").c_str(), &db) == SQLITE_OK);
    CHECK(sqlite3_exec(db, "UPDATE actions SET status = 'teleported'", nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(db);
  }
  auto store = StateStore::open(dir.file("state.db"), err);
  REQUIRE(store);
  try {
    (void)store->actions(1);
    FAIL("an unknown action status was read");
  } catch (const StoreFailure& e) {
    CHECK(e.kind() == ErrorKind::BadInput);
    CHECK(std::string(e.what()).find("unknown status") != std::string::npos);
  }
  // The mapping itself: what may pass, what refuses the caller, what is bad input, what is a defect.
  CHECK(sqlite::error_kind(SQLITE_BUSY) == ErrorKind::Retryable);
  CHECK(sqlite::error_kind(SQLITE_IOERR_WRITE) == ErrorKind::Retryable);  // extended codes too
  CHECK(sqlite::error_kind(SQLITE_FULL) == ErrorKind::Retryable);
  CHECK(sqlite::error_kind(SQLITE_READONLY) == ErrorKind::Denied);
  CHECK(sqlite::error_kind(SQLITE_NOTADB) == ErrorKind::BadInput);
  CHECK(sqlite::error_kind(SQLITE_MISUSE) == ErrorKind::Internal);
  CHECK(sqlite::error_kind(SQLITE_DONE) == ErrorKind::None);
}

TEST_CASE("plan artifacts: written, read back, and refused when edited") {
  TempDir dir;
  PlanArtifact a;
  a.now = 5 * kMicrosPerDay;
  a.policy_file = "p.regpol";
  a.policy_sha256 = std::string(64, 'a');
  a.snapshot_sha256 = std::string(64, 'b');
  a.plan.repositories = {{"r", 3, 1, ""}};
  ActionRecord x;
  x.seq = 1;
  x.repository = "r";
  x.digest = "sha256:" + std::string(64, 'c');
  x.tags = {"v1"};
  x.storage_class = "standard";
  x.rule_source = "p.regpol:3:5";
  a.plan.actions = {x};
  a.actions_sha256 = actions_digest(a.plan.actions);
  std::ofstream(dir.file("plan.json")) << plan_artifact_text(a);
  PlanArtifact back;
  std::string err;
  REQUIRE_MESSAGE(read_plan_artifact(dir.file("plan.json"), back, err), err);
  CHECK(back.plan.actions.size() == 1);
  CHECK(back.plan.actions[0].tags == std::vector<std::string>{"v1"});
  CHECK(back.now == a.now);
  CHECK(actions_digest(back.plan.actions) == a.actions_sha256);
  CHECK(!back.blobs_known);  // a snapshot without blobs: no freedBlobs

  // The blobs the deletions free travel with the plan; a group must name delete actions.
  a.blobs_known = true;
  a.freed_groups = {{1234, {1}}};
  std::ofstream(dir.file("blobs.json")) << plan_artifact_text(a);
  REQUIRE_MESSAGE(read_plan_artifact(dir.file("blobs.json"), back, err), err);
  CHECK(back.blobs_known);
  REQUIRE(back.freed_groups.size() == 1);
  CHECK(back.freed_groups[0].bytes == 1234);
  CHECK(back.freed_groups[0].seqs == std::vector<std::int64_t>{1});
  for (const std::vector<std::int64_t>& seqs : {std::vector<std::int64_t>{2}, std::vector<std::int64_t>{}, std::vector<std::int64_t>{1, 1}}) {
    a.freed_groups = {{5, seqs}};
    std::ofstream(dir.file("blobs-bad.json")) << plan_artifact_text(a);
    PlanArtifact b;
    CHECK(!read_plan_artifact(dir.file("blobs-bad.json"), b, err));
    CHECK(err.find("/freedBlobs/0/seqs") != std::string::npos);
  }
  a.blobs_known = false;
  a.freed_groups.clear();

  a.plan.actions[0].tags = {"v2"};  // the digest no longer matches
  std::ofstream(dir.file("edited.json")) << plan_artifact_text(a);
  CHECK(!read_plan_artifact(dir.file("edited.json"), back, err));
  CHECK(err.find("actionsSha256") != std::string::npos);
  for (const char* bad : {"", "[]", "{\"schema\": \"regpol.plan/v1\"}", "{\"schema\": \"regpol.plan-artifact/v1\", \"now\": 5}"}) {
    std::ofstream(dir.file("bad.json")) << bad;
    PlanArtifact b;
    CHECK_MESSAGE(!read_plan_artifact(dir.file("bad.json"), b, err), bad);
  }
}
