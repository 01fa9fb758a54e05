// The state journal's overhead: the same deletions applied to a SQLite snapshot store
// twice, once straight through the store target (the same batches and act-time reads), once through
// execute_run with the state database (run and actions recorded, each batch marked sent,
// then its outcomes recorded, with the audit log). Planning is outside both timings.
//   bench_apply SNAPSHOT.db WORKDIR
// Prints one `key=value` line; bench/run collects it. The store must come from
// `regpol snapshot import`; WORKDIR receives copies of it and the state database.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>

#include "apply/planned_actions.h"
#include "apply/run_apply.h"
#include "apply/store_target.h"
#include "driver/compile.h"
#include "driver/run_lifecycle.h"
#include "driver/snapshots.h"

using namespace regpol;
using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

static double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// Keeps 20 images a repository: with 120 a repository, 100 of every 120 go.
static const char* kPolicy = "defaults {\n  lifecycle {\n    rule 1 { select any keep newest 20 }\n  }\n}\n";

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: bench_apply SNAPSHOT.db WORKDIR\n");
    return 2;
  }
  std::string snapshot = argv[1], dir = argv[2];
  Registry reg;
  LoadError lerr;
  if (!load_snapshots({snapshot}, reg, lerr)) {
    std::fprintf(stderr, "%s\n", lerr.to_string().c_str());
    return 1;
  }
  SourceMap sources;
  DiagnosticSink sink;
  CompiledPolicy c = compile_policy_text("bench.regpol", kPolicy, sources, sink);
  LifecycleOptions opt;
  opt.now = *parse_timestamp("2026-11-27T00:00:00Z");
  PolicyRun run;
  std::string err;
  Error target_error;
  if (!c.ok || !run_policy_lifecycle(c.plan, reg, opt, "", run, err)) return 1;
  ActionPlan plan = planned_actions(reg, run.result, run.plan_of_repo, opt.now);

  fs::create_directories(dir);
  std::string plain_db = dir + "/plain.db", journaled_db = dir + "/journaled.db", state_db = dir + "/state.db";
  for (const auto& p : {plain_db, journaled_db, state_db, state_db + "-wal", state_db + "-shm"}) fs::remove(p);
  fs::copy_file(snapshot, plain_db);
  fs::copy_file(snapshot, journaled_db);

  // Without the journal: the store target alone, the batches execute_run would cut, and
  // the same act-time read of each repository before its first batch (that read is
  // apply's safety, not the journal's cost).
  auto plain = StoreTarget::open(plain_db, err);
  if (!plain) return 1;
  auto t0 = Clock::now();
  std::size_t deleted = 0;
  std::string read_last;
  for (std::size_t i = 0; i < plan.actions.size();) {
    if (plan.actions[i].repository != read_last) {
      Registry now;
      if (!plain->read(plan.actions[i].repository, now, target_error)) return 1;
      read_last = plan.actions[i].repository;
    }
    std::vector<const ActionRecord*> batch;
    std::size_t j = i;
    while (j < plan.actions.size() && batch.size() < plain->batch_size(ActionKind::Delete) && plan.actions[j].repository == plan.actions[i].repository) {
      batch.push_back(&plan.actions[j++]);
    }
    std::vector<TargetAnswer> answers;
    if (!plain->apply(RunKey{}, ActionKind::Delete, plan.actions[i].repository, batch, answers, target_error)) return 1;
    for (const auto& a : answers) deleted += a.status == ActionStatus::Done;
    i = j;
  }
  double plain_s = seconds_since(t0);

  // With it: the run recorded, then executed batch by batch through the journal.
  auto journaled = StoreTarget::open(journaled_db, err);
  auto store = StateStore::open(state_db, err);
  if (!journaled || !store) return 1;
  auto t1 = Clock::now();
  RunRecord rec;
  rec.source = "bench";
  rec.target = journaled->name();
  std::int64_t id = store->begin_run(rec, plan.actions);
  double record_s = seconds_since(t1);
  ExecuteResult r = execute_run(*store, *journaled, id, {});
  double journaled_s = seconds_since(t1);
  if (!r.completed) {
    std::fprintf(stderr, "%s\n", r.error.message.c_str());
    return 1;
  }
  std::printf("images=%zu deletions=%zu plain_s=%.3f journaled_s=%.3f (recording the plan %.3f) ratio=%.2f deletions_per_s_journaled=%.0f\n",
              reg.images.size(), deleted, plain_s, journaled_s, record_s, journaled_s / plain_s, static_cast<double>(deleted) / journaled_s);
  return 0;
}
