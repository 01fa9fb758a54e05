// In-process benchmarks of the engines, apart from any I/O:
//   bench_engine lifecycle SNAPSHOT.json  -- load time, then evaluation of a 10-rule policy
//   bench_engine access IAM_POLICY.json REQUESTS.jsonl [LIMIT [ROUNDS]] -- decisions per second
// Results go to stdout as one line of `key=value`; bench/run collects them.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "access/index.h"
#include "access/request.h"
#include "driver/compile.h"
#include "driver/run_lifecycle.h"
#include "driver/snapshots.h"
#include "interop/iam_json.h"

using namespace regpol;
using Clock = std::chrono::steady_clock;

static double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

static const char* kPolicy = R"(
repository "*" {
  lifecycle {
    rule 1 { select tagged pattern ["v*"] keep newest 20 }
    rule 2 { select tagged prefix ["pr-"] expire older than 14d }
    rule 3 { select tagged prefix ["nightly-"] archive all but newest 5 }
    rule 4 { select tagged pattern ["*.*.*-rc*"] expire older than 30d }
    rule 5 { select tagged prefix ["release-"] keep newest 50 }
    rule 6 { select tagged pattern ["latest"] keep newest 1 }
    rule 7 { select tagged pattern ["*"] where scanned and findings.critical > 0 expire older than 7d }
    rule 8 { select untagged expire older than 7d }
    rule 9 { select any in archive expire archived for 365d }
    rule 10 { select any archive unpulled for 90d }
  }
}
)";

int lifecycle(const char* path, unsigned threads) {
  auto t0 = Clock::now();
  Registry reg;
  LoadError err;
  if (!load_snapshots({path}, reg, err)) {
    std::fprintf(stderr, "%s\n", err.to_string().c_str());
    return 1;
  }
  double load = seconds_since(t0);
  SourceMap sources;
  DiagnosticSink sink;
  CompiledPolicy c = compile_policy_text("bench.regpol", kPolicy, sources, sink);
  if (!c.ok) return 1;
  LifecycleOptions opt;
  opt.now = *parse_timestamp("2026-11-27T00:00:00Z");
  opt.threads = threads;
  double best = 1e9;
  PolicyRun run;
  for (int i = 0; i < 3; ++i) {
    auto t1 = Clock::now();
    std::string e;
    if (!run_policy_lifecycle(c.plan, reg, opt, "", run, e)) return 1;
    best = std::min(best, seconds_since(t1));
  }
  std::size_t actioned = 0;
  for (const auto& d : run.result.decisions) actioned += d.verdict != Verdict::Keep;
  std::printf("images=%zu repositories=%zu load_s=%.3f images_per_s_load=%.0f eval_s=%.3f images_per_s_eval=%.0f threads=%u actioned=%zu\n",
              reg.images.size(), reg.repositories.size(), load, static_cast<double>(reg.images.size()) / load, best,
              static_cast<double>(reg.images.size()) / best, threads, actioned);
  return 0;
}

// Decides the requests of REQUESTS_JSONL (the first LIMIT of them) against the IAM policy
// POLICY_JSON: the same two files the Cedar peer (bench/cedar/authorize.mjs) reads, so the
// two `allowed=` counts must agree. Requests are parsed before the clock starts, as the peer
// builds its calls before its clock starts; the loop then runs over them ROUNDS times.
int access(const char* policy_path, const char* requests_path, std::size_t limit, int rounds) {
  std::ifstream pf(policy_path);
  std::stringstream text;
  text << pf.rdbuf();
  AccessPlan plan;
  std::vector<DocumentProblem> problems;
  if (!pf || !access_plan_from_iam_json(policy_path, text.str(), plan, problems)) {
    std::fprintf(stderr, "%s: cannot read the IAM policy\n", policy_path);
    return 1;
  }
  std::ifstream rf(requests_path);
  std::vector<AccessRequest> reqs;
  std::string line;
  while (reqs.size() < limit && std::getline(rf, line)) {
    AccessRequest r;
    std::string e;
    if (!parse_request_json(line, r, e)) {
      std::fprintf(stderr, "%s:%zu: %s\n", requests_path, reqs.size() + 1, e.c_str());
      return 1;
    }
    derive_context(r, 0);
    reqs.push_back(std::move(r));
  }
  AccessIndex index(plan);
  std::size_t allowed = 0;
  auto t0 = Clock::now();
  for (int round = 0; round < rounds; ++round)
    for (const auto& r : reqs) allowed += index.evaluate(r).decision == AccessDecision::Allow;
  double s = seconds_since(t0);
  double n = static_cast<double>(reqs.size()) * rounds;
  std::printf("engine=regpol statements=%zu requests=%zu rounds=%d seconds=%.3f decisions_per_s=%.0f us_per_decision=%.3f allowed=%zu\n",
              plan.statements.size(), reqs.size(), rounds, s, n / s, s * 1e6 / n, allowed / static_cast<std::size_t>(rounds));
  return 0;
}

int main(int argc, char** argv) {
  std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "lifecycle" && argc >= 3) return lifecycle(argv[2], argc >= 4 ? static_cast<unsigned>(std::stoi(argv[3])) : 0);
  if (mode == "access" && argc >= 4)
    return access(argv[2], argv[3], argc >= 5 ? std::stoul(argv[4]) : SIZE_MAX, argc >= 6 ? std::stoi(argv[5]) : 1);
  std::fprintf(stderr, "usage: bench_engine lifecycle SNAPSHOT [THREADS] | access IAM_POLICY.json REQUESTS.jsonl [LIMIT [ROUNDS]]\n");
  return 2;
}
