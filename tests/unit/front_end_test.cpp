#include <doctest/doctest.h>

#include "diag/render.h"
#include "driver/front_end.h"

using namespace regpol;

namespace {
struct Parsed {
  SourceMap sources;
  DiagnosticSink sink;
  LoadedPolicy policy;
  explicit Parsed(std::string text) { policy = load_policy_text("t.regpol", std::move(text), sources, sink); }
  std::vector<std::string> positions() {
    std::vector<std::string> out;
    for (const auto& d : sink.sorted()) out.push_back(d.code + " " + location_string(sources, d.span));
    return out;
  }
};
}  // namespace

TEST_CASE("three syntax errors on three lines are all reported, each at its token") {
  Parsed p("let = 1\nlet b 2\nlet c = )\n");
  CHECK(p.positions() == std::vector<std::string>{"E0101 t.regpol:1:5", "E0101 t.regpol:2:7", "E0101 t.regpol:3:9"});
}

TEST_CASE("carets stay under the character after a tab and after multi-byte UTF-8") {
  Parsed p("let x = \"\t\xc3\xa9\" @\n");
  auto diags = p.sink.sorted();
  REQUIRE(diags.size() == 1);
  CHECK(p.positions()[0] == "E0103 t.regpol:1:14");
  std::string text = render_human(p.sources, diags);
  // The caret line copies the tab and counts the two-byte é as one column.
  CHECK(text.find("  | let x = \"\t\xc3\xa9\" @\n  |          \t   ^\n") != std::string::npos);
}

TEST_CASE("a tab before the error keeps the caret aligned") {
  Parsed p("\tlet x = @\n");
  std::string text = render_human(p.sources, p.sink.sorted());
  CHECK(text.find("  | \t        ^\n") != std::string::npos);
}

TEST_CASE("the sink de-duplicates and sorts") {
  DiagnosticSink sink;
  sink.error("E0101", {0, 10, 11}, "b");
  sink.error("E0101", {0, 2, 3}, "a");
  sink.error("E0101", {0, 10, 11}, "b");
  auto d = sink.sorted();
  REQUIRE(d.size() == 2);
  CHECK(d[0].span.begin == 2);
  CHECK(d[1].span.begin == 10);
}

TEST_CASE("a valid file parses without diagnostics and keeps its comments") {
  Parsed p("# top\npolicy \"p\"  # trailing\nrepository \"a\" {\n  mutability immutable except \"latest\"\n}\n");
  CHECK(p.sink.empty());
  CHECK(p.policy.ast.comments.size() == 2);
  CHECK(p.policy.ast.policy_name == "p");
}
