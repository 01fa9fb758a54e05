// The storage a run frees (#27): which blobs the deletions free, grouped by the actions that
// hold them (apply/freed_blobs.h), and how the journal turns the actions' outcomes into the
// bytes a run freed (a group counts once all its actions are done or already so, at least
// one by this run). Also the `sent` entries a resume reads back.
#include <doctest/doctest.h>

#include <numeric>

#include "apply/freed_blobs.h"
#include "apply/planned_actions.h"
#include "driver/compile.h"
#include "driver/run_lifecycle.h"
#include "report/plan_report.h"
#include "snapshot/reader.h"
#include "store/state_store.h"
#include "test_util.h"

using namespace regpol;

namespace {

std::string digest_of_n(int n) {
  std::string hex = std::to_string(n);
  return "sha256:" + std::string(64 - hex.size(), '0') + hex;
}

// One image of repository `repo`: its manifest blob (its own digest) and the given layers.
std::string freed_test_image(const std::string& repo, int n, const std::string& tag, const char* pushed, const std::vector<std::pair<std::string, int>>& layers) {
  std::string s = "{\"repository\": \"" + repo + "\", \"digest\": \"" + digest_of_n(n) + "\", \"tags\": [" + (tag.empty() ? "" : "\"" + tag + "\"") +
                  "], \"pushedAt\": \"" + pushed + "\", \"layers\": [{\"digest\": \"" + digest_of_n(n) + "\", \"size\": 1}";
  int size = 1;
  for (const auto& [d, bytes] : layers) {
    s += ", {\"digest\": \"" + d + "\", \"size\": " + std::to_string(bytes) + "}";
    size += bytes;
  }
  return s + "], \"sizeBytes\": " + std::to_string(size) + "}";
}

}  // namespace

TEST_CASE("freed blobs: grouped by the deletions that hold them; a blob an image that stays holds is never freed") {
  const std::string base = "sha256:" + std::string(64, 'b'), shared = "sha256:" + std::string(64, 'c'), own2 = "sha256:" + std::string(64, 'd'),
                    own3 = "sha256:" + std::string(64, 'e');
  // pr-1 and pr-2 expire, v1 stays. base: all three (stays); shared: pr-1 and pr-2 (freed
  // only with both); own2, own3: one each.
  const std::string snapshot = std::string("{\"schema\": \"regpol.snapshot/v1\", \"source\": \"oci://127.0.0.1:5000\", \"capturedAt\": \"2026-11-27T00:00:00Z\", "
                                           "\"repositories\": [{\"name\": \"app\"}], \"images\": [") +
                               freed_test_image("app", 1, "v1", "2026-11-01T00:00:00Z", {{base, 1000}}) + ",\n" +
                               freed_test_image("app", 2, "pr-1", "2026-10-01T00:00:00Z", {{base, 1000}, {shared, 300}, {own2, 20}}) + ",\n" +
                               freed_test_image("app", 3, "pr-2", "2026-10-02T00:00:00Z", {{base, 1000}, {shared, 300}, {own3, 5}}) + "]}";
  Registry reg;
  LoadError lerr;
  REQUIRE(load_json_snapshot_text("s.json", snapshot, reg, lerr, 1));
  REQUIRE(finish_registry(reg, lerr, 1));
  REQUIRE(reg.has_blobs());
  SourceMap sources;
  DiagnosticSink sink;
  CompiledPolicy c = compile_policy_text("p.regpol", R"(
repository "*" {
  lifecycle {
    rule 1 { select tagged prefix ["pr-"] expire older than 14d }
  }
}
)", sources, sink);
  REQUIRE(c.ok);
  LifecycleOptions lopt;
  lopt.now = *parse_timestamp("2026-11-27T00:00:00Z");
  PolicyRun run;
  std::string e;
  REQUIRE(run_policy_lifecycle(c.plan, reg, lopt, "", run, e));
  ActionPlan plan = planned_actions(reg, run.result, run.plan_of_repo, lopt.now);
  REQUIRE(plan.actions.size() == 2);

  std::vector<FreedBlobGroup> groups = freed_blob_groups(reg, run.result, plan.actions);
  const std::int64_t pr1 = plan.actions[0].digest == digest_of_n(2) ? plan.actions[0].seq : plan.actions[1].seq;
  const std::int64_t pr2 = pr1 == plan.actions[0].seq ? plan.actions[1].seq : plan.actions[0].seq;
  std::map<std::vector<std::int64_t>, std::int64_t> by_holders;
  for (const auto& g : groups) by_holders[g.seqs] = g.bytes;
  CHECK(by_holders.size() == 3);
  CHECK(by_holders[{pr1}] == 21);                                  // its manifest and own2
  CHECK(by_holders[{pr2}] == 6);                                   // its manifest and own3
  CHECK(by_holders[{std::min(pr1, pr2), std::max(pr1, pr2)}] == 300);  // shared; base stays with v1
  const std::int64_t total = std::accumulate(groups.begin(), groups.end(), std::int64_t{0}, [](std::int64_t s, const FreedBlobGroup& g) { return s + g.bytes; });
  CHECK(static_cast<ByteTotal>(total) == freed_blob_bytes(reg, run.result));  // what plan's summary says

  // An expiring image with no action (another shard's) holds its blobs like one that stays.
  std::vector<ActionRecord> only_pr1;
  for (const auto& a : plan.actions) {
    if (a.seq == pr1) only_pr1.push_back(a);
  }
  groups = freed_blob_groups(reg, run.result, only_pr1);
  REQUIRE(groups.size() == 1);
  CHECK(groups[0].bytes == 21);
  CHECK(groups[0].seqs == std::vector<std::int64_t>{pr1});
}

TEST_CASE("freed blobs: the journal counts a group once all its deletions are done or already so, at least one by this run") {
  testing::TempDir dir;
  std::string err;
  auto store = StateStore::open(dir.file("state.db"), err);
  REQUIRE(store);
  std::vector<ActionRecord> actions(4);
  for (int i = 0; i < 4; ++i) {
    actions[i].seq = i + 1;
    actions[i].repository = "r";
    actions[i].digest = digest_of_n(i + 1);
    actions[i].storage_class = "standard";
    actions[i].kind = ActionKind::Delete;
  }
  RunRecord rec;
  rec.target = "t";
  rec.blobs_known = true;
  rec.freed_groups = {{100, {1}}, {50, {1, 2}}, {7, {3}}, {9, {2, 4}}, {11, {4}}};
  const std::int64_t id = store->begin_run(rec, actions);
  auto loaded = store->actions(id);
  REQUIRE(loaded.size() == 4);
  CHECK(store->run(id)->bytes_freed == 0);  // nothing done yet
  store->mark_sent(id, {&loaded[0], &loaded[1], &loaded[3]});
  CHECK(store->sent_actions(id) == std::unordered_set<std::int64_t>{1, 2, 4});
  store->record_outcomes(id, {{&loaded[0], ActionStatus::Done, "deleted", ""},
                              {&loaded[1], ActionStatus::AlreadyDone, "already-gone", ""},
                              {&loaded[2], ActionStatus::Failed, "failed", ""},
                              {&loaded[3], ActionStatus::AlreadyDone, "already-gone", ""}});
  // {1}: done. {1,2}: done and already so. {3}: failed. {2,4} and {4}: only already so, so
  // freed before this run, not by it.
  CHECK(store->run(id)->bytes_freed == 150);
  CHECK(store->runs().back().bytes_freed == 150);

  // A run whose snapshot knew no blobs says nothing (-1), not zero.
  RunRecord ecr;
  ecr.target = "t2";
  const std::int64_t id2 = store->begin_run(ecr, actions);
  CHECK(store->run(id2)->bytes_freed == -1);
}
