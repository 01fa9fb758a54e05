// The dry-run report is rendered in pieces on several threads and written in order: it
// must be byte-identical at any thread count, and (for json) well-formed with one entry per
// image and a summary that adds up. Several thousand images, so there are many pieces.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "driver/compile.h"
#include "driver/run_lifecycle.h"
#include "report/plan_report.h"
#include "snapshot/generator.h"
#include "snapshot/reader.h"
#include "test_util.h"

using namespace regpol;

TEST_CASE("plan reports are the same at every thread count, and the json adds up") {
  GeneratorOptions o;
  o.repositories = 100;
  o.images_per_repository = 150;
  o.seed = 3;
  o.ecr_format = true;
  const std::string text = testing::generated_snapshot(o);
  Registry reg;
  LoadError err;
  REQUIRE(load_json_snapshot_text("gen.json", text, reg, err, 2));
  REQUIRE(finish_registry(reg, err, 2));
  REQUIRE(reg.images.size() > 3 * 4096);

  SourceMap sources;
  DiagnosticSink sink;
  CompiledPolicy c = compile_policy_text("p.regpol", R"(
repository "*" {
  lifecycle {
    rule 1 { select tagged pattern ["v*"] keep newest 5 }
    rule 2 { select tagged prefix ["pr-"] expire older than 14d }
    rule 3 { select untagged expire older than 7d }
    rule 4 { select any archive unpulled for 30d }
  }
}
)", sources, sink);
  REQUIRE(c.ok);
  LifecycleOptions lopt;
  lopt.now = *parse_timestamp("2026-11-27T00:00:00Z");
  PolicyRun run;
  std::string e;
  REQUIRE(run_policy_lifecycle(c.plan, reg, lopt, "", run, e));

  for (ReportFormat format : {ReportFormat::Json, ReportFormat::Text, ReportFormat::Markdown}) {
    ReportOptions ropt;
    ropt.now = lopt.now;
    ropt.threads = 1;
    const std::string one = render_plan_report(reg, run.result, run.plan_of_repo, format, ropt);
    for (unsigned t : {2u, 3u, 8u}) {
      ropt.threads = t;
      CHECK(render_plan_report(reg, run.result, run.plan_of_repo, format, ropt) == one);
    }
    if (format != ReportFormat::Json) continue;
    auto doc = nlohmann::json::parse(one);
    REQUIRE(doc["images"].size() == reg.images.size());
    std::size_t expire = 0, transition = 0, keep = 0;
    for (const auto& img : doc["images"]) {
      const std::string action = img["action"];
      (action == "expire" ? expire : action == "transition" ? transition : keep)++;
      CHECK(img["reason"].is_string());
      CHECK(img["rule"].is_null() == (action == "keep"));
    }
    CHECK(doc["summary"]["images"] == reg.images.size());
    CHECK(doc["summary"]["expire"] == expire);
    CHECK(doc["summary"]["transition"] == transition);
    CHECK(doc["summary"]["keep"] == keep);
    CHECK(expire > 0);
    CHECK(transition > 0);
  }
}
