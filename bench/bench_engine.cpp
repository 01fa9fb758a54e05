// In-process benchmarks of the engines, apart from any I/O:
//   bench_engine lifecycle SNAPSHOT.json  -- load time, then evaluation of a 10-rule policy
//   bench_engine access N_STATEMENTS N_REQUESTS -- decisions per second over random requests
// Results go to stdout as one line of `key=value`; bench/run collects them.
#include <chrono>
#include <cstdio>
#include <random>
#include <string>

#include "access/index.h"
#include "driver/compile.h"
#include "driver/run_lifecycle.h"
#include "driver/snapshots.h"
#include "plan/iam_json.h"

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

int access(int statements, int requests) {
  std::mt19937 rng(1);
  AccessPlan plan;
  const char* actions[] = {"ecr:PutImage", "ecr:BatchGetImage", "ecr:BatchDeleteImage", "ecr:GetDownloadUrlForLayer", "ecr:InitiateLayerUpload"};
  for (int i = 0; i < statements; ++i) {
    Statement s;
    s.sid = "S" + std::to_string(i);
    s.allow = rng() % 10 != 0;
    s.principal.aws.push_back("arn:aws:iam::" + std::to_string(100000000000 + rng() % 50) + ":role/r" + std::to_string(rng() % 20));
    s.actions.push_back(actions[rng() % 5]);
    Condition c;
    c.op = CondOp::IpAddress;
    c.key = "aws:SourceIp";
    c.key_lower = "aws:sourceip";
    CondValue v;
    std::string e;
    compile_condition_value(c.op, "10." + std::to_string(rng() % 256) + ".0.0/16", v, e);
    c.values.push_back(v);
    s.conditions.push_back(c);
    plan.statements.push_back(std::move(s));
  }
  std::vector<AccessRequest> reqs(1000);
  for (auto& r : reqs) {
    r.principal = "arn:aws:iam::" + std::to_string(100000000000 + rng() % 50) + ":role/r" + std::to_string(rng() % 20);
    r.action = actions[rng() % 5];
    r.repository = "team/app";
    r.context["aws:sourceip"] = {{"10." + std::to_string(rng() % 256) + ".1.2"}, false};
    derive_context(r, 0);
  }
  AccessIndex index(plan);
  auto t0 = Clock::now();
  std::size_t allowed = 0;
  for (int i = 0; i < requests; ++i) allowed += index.evaluate(reqs[static_cast<std::size_t>(i) % reqs.size()]).decision == AccessDecision::Allow;
  double s = seconds_since(t0);
  std::printf("statements=%d requests=%d seconds=%.3f decisions_per_s=%.0f us_per_decision=%.3f allowed=%zu\n", statements, requests, s,
              requests / s, s * 1e6 / requests, allowed);
  return 0;
}

int main(int argc, char** argv) {
  std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "lifecycle" && argc >= 3) return lifecycle(argv[2], argc >= 4 ? static_cast<unsigned>(std::stoi(argv[3])) : 0);
  if (mode == "access" && argc >= 4) return access(std::stoi(argv[2]), std::stoi(argv[3]));
  std::fprintf(stderr, "usage: bench_engine lifecycle SNAPSHOT [THREADS] | access STATEMENTS REQUESTS\n");
  return 2;
}
