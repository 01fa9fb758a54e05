// Round trip of access policies: random plans exported to IAM JSON and read back, and
// imported into regpol source and compiled, decide 100k random requests identically.
#include <doctest/doctest.h>

#include <random>

#include "access/evaluate.h"
#include "driver/compile.h"
#include "interop/ecr_export.h"
#include "interop/iam_json.h"

using namespace regpol;

namespace {

const std::vector<std::string> kKeys = {"aws:SourceIp", "aws:PrincipalOrgID", "aws:PrincipalTag/team", "aws:SecureTransport",
                                        "aws:CurrentTime", "ecr:count", "aws:TagKeys", "aws:PrincipalArn"};
const std::vector<std::string> kPrincipals = {"arn:aws:iam::111122223333:role/ci", "arn:aws:iam::111122223333:role/deploy",
                                              "arn:aws:iam::444455556666:role/ci", "arn:aws:sts::111122223333:assumed-role/ci/s1"};
const std::vector<std::string> kActions = {"ecr:PutImage", "ecr:BatchGetImage", "ecr:BatchDeleteImage", "ecr:GetDownloadUrlForLayer"};

Condition random_condition(std::mt19937& rng) {
  Condition c;
  std::size_t k = rng() % kKeys.size();
  c.key = kKeys[k];
  c.key_lower = c.key;
  for (auto& ch : c.key_lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  std::vector<std::string> values;
  switch (k) {
    case 0: c.op = rng() % 2 ? CondOp::IpAddress : CondOp::NotIpAddress; values = {"10.0.0.0/8", "192.168.1.0/24"}; break;
    case 1: c.op = rng() % 2 ? CondOp::StringEquals : CondOp::StringNotEquals; values = {"o-a", "o-b"}; break;
    case 2: c.op = rng() % 2 ? CondOp::StringLike : CondOp::StringNotLike; values = {"plat*", "se?"}; break;
    case 3: c.op = CondOp::Bool; values = {rng() % 2 ? "true" : "false"}; break;
    case 4: c.op = rng() % 2 ? CondOp::DateLessThan : CondOp::DateGreaterThanEquals; values = {"2026-11-27T00:00:00Z"}; break;
    case 5: c.op = rng() % 2 ? CondOp::NumericLessThan : CondOp::NumericEquals; values = {"5"}; break;
    case 6: c.op = CondOp::StringEquals; c.qualifier = rng() % 2 ? SetQualifier::ForAnyValue : SetQualifier::ForAllValues; values = {"team", "env"}; break;
    default: c.op = rng() % 2 ? CondOp::ArnLike : CondOp::ArnNotLike; values = {"arn:aws:iam::*:role/ci"}; break;
  }
  if (k != 3 && rng() % 5 == 0) c.if_exists = true;
  std::size_t n = 1 + (values.size() > 1 ? rng() % values.size() : 0);
  for (std::size_t i = 0; i < n; ++i) {
    CondValue v;
    std::string err;
    REQUIRE(compile_condition_value(c.op, values[i], v, err));
    c.values.push_back(v);
  }
  // `unless` (a negated condition) where IAM has an exact negation to export it as.
  bool exact = !c.if_exists && (c.op == CondOp::StringEquals || c.op == CondOp::StringNotEquals || c.op == CondOp::StringLike ||
                                c.op == CondOp::StringNotLike || c.op == CondOp::IpAddress || c.op == CondOp::NotIpAddress ||
                                c.op == CondOp::ArnLike || c.op == CondOp::ArnNotLike || c.op == CondOp::Bool);
  if (exact && rng() % 3 == 0) c.negate = true;
  return c;
}

AccessPlan random_plan(std::mt19937& rng) {
  AccessPlan plan;
  int n = 1 + static_cast<int>(rng() % 5);
  for (int i = 0; i < n; ++i) {
    Statement s;
    s.sid = "S" + std::to_string(i);
    s.source = s.sid;
    s.allow = rng() % 3 != 0;
    if (rng() % 3 == 0) s.principal.any = true;
    else s.principal.aws.emplace_back(rng() % 2 ? "111122223333" : "arn:aws:iam::111122223333:role/ci");
    s.not_principal = rng() % 8 == 0;
    s.not_action = rng() % 8 == 0;
    s.actions.push_back(rng() % 3 == 0 ? "ecr:*" : kActions[rng() % kActions.size()]);
    if (rng() % 2) s.actions.emplace_back("ecr:Batch*");
    int conds = static_cast<int>(rng() % 3);
    for (int c = 0; c < conds; ++c) {
      Condition cond = random_condition(rng);
      bool duplicate = false;
      for (const auto& other : s.conditions) duplicate = duplicate || (other.key == cond.key);
      if (!duplicate) s.conditions.push_back(cond);
    }
    plan.statements.push_back(std::move(s));
  }
  return plan;
}

AccessRequest random_request(std::mt19937& rng) {
  AccessRequest r;
  r.principal = kPrincipals[rng() % kPrincipals.size()];
  r.action = kActions[rng() % kActions.size()];
  r.repository = "team/app";
  if (rng() % 2) r.context["aws:sourceip"] = {{rng() % 2 ? "10.1.2.3" : "8.8.8.8"}, false};
  if (rng() % 2) r.context["aws:principalorgid"] = {{rng() % 2 ? "o-a" : "o-z"}, false};
  if (rng() % 2) r.context["aws:principaltag/team"] = {{rng() % 2 ? "platform" : "sec"}, false};
  if (rng() % 2) r.context["aws:securetransport"] = {{rng() % 2 ? "true" : "false"}, false};
  if (rng() % 2) r.context["ecr:count"] = {{std::to_string(rng() % 10)}, false};
  if (rng() % 2) r.context["aws:tagkeys"] = {{rng() % 2 ? "team" : "cost"}, true};
  derive_context(r, (1795737600LL + static_cast<Micros>(rng() % 3) - 1) * kMicrosPerSecond);
  return r;
}

}  // namespace

TEST_CASE("export to IAM JSON and back, and import to regpol and back, keep every decision") {
  std::mt19937 rng(42);
  std::size_t requests = 0;
  for (int p = 0; p < 200; ++p) {
    AccessPlan plan = random_plan(rng);
    std::vector<ExportProblem> problems;
    nlohmann::json doc = access_to_iam_json(plan, problems);
    REQUIRE(problems.empty());
    AccessPlan back;
    std::vector<DocumentProblem> dproblems;
    REQUIRE(access_plan_from_iam_json("p.json", doc.dump(), back, dproblems));

    std::string body;
    REQUIRE(access_to_regpol(back, body, problems));
    SourceMap sources;
    DiagnosticSink sink;
    CompiledPolicy compiled = compile_policy_text("p.regpol", "repository \"team/app\" {\n" + body + "}\n", sources, sink);
    INFO(body);
    REQUIRE(compiled.ok);
    AccessPlan from_source = access_for(compiled.plan, "team/app");

    for (int q = 0; q < 500; ++q, ++requests) {
      AccessRequest r = random_request(rng);
      AccessResult a = evaluate_access(plan, r), b = evaluate_access(back, r), c = evaluate_access(from_source, r);
      REQUIRE(a.decision == b.decision);
      REQUIRE(a.reason == b.reason);
      REQUIRE(a.decision == c.decision);
      REQUIRE(a.reason == c.reason);
    }
  }
  CHECK(requests == 100000);
}

#include "access/index.h"

TEST_CASE("the indexed evaluator decides exactly as the plain one, naming the same statement") {
  std::mt19937 rng(4242);
  for (int p = 0; p < 300; ++p) {
    AccessPlan plan = random_plan(rng);
    // Larger plans too, with more principals and services.
    int extra = static_cast<int>(rng() % 30);
    for (int i = 0; i < extra; ++i) {
      AccessPlan more = random_plan(rng);
      for (auto& s : more.statements) {
        if (rng() % 4 == 0) s.principal = PrincipalSpec{}, s.principal.service.emplace_back("codebuild.amazonaws.com");
        if (rng() % 4 == 0) s.principal = PrincipalSpec{}, s.principal.aws.emplace_back("arn:aws:iam::444455556666:root");
        plan.statements.push_back(s);
      }
    }
    AccessIndex index(plan);
    for (int q = 0; q < 300; ++q) {
      AccessRequest r = random_request(rng);
      if (q % 7 == 0) r.principal = "codebuild.amazonaws.com";
      AccessResult a = evaluate_access(plan, r), b = index.evaluate(r);
      REQUIRE(a.decision == b.decision);
      REQUIRE(a.reason == b.reason);
      REQUIRE((a.statement ? a.statement->sid : "") == (b.statement ? b.statement->sid : ""));
    }
  }
}
