// The prover (engine/verify) against the evaluator it encodes: hand-written traps with known
// answers, then random repository policies where every `failed` counterexample replays to
// the stated decision, every `proved` survives random requests (from the candidates and
// from outside them), and the solver's answer agrees with a brute-force search over the
// candidate space.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <random>
#include <regex>
#include <set>

#include "access/evaluate.h"
#include "interop/iam_json.h"
#include "util/text.h"
#include "verify/glob_classes.h"
#include "verify/prover.h"
#include "verify/request_space.h"

using namespace regpol;

namespace {

AccessPlan prover_plan(const std::string& statements) {
  AccessPlan plan;
  std::vector<DocumentProblem> problems;
  const std::string doc = R"({"Version": "2012-10-17", "Statement": [)" + statements + "]}";
  const bool ok = access_plan_from_iam_json("p.json", doc, plan, problems);
  INFO(doc);
  for (const auto& p : problems) MESSAGE(p.pointer << ": " << p.message);
  REQUIRE(ok);
  return plan;
}

bool allowed_by(const AccessPlan& plan, AccessRequest r) {
  derive_context(r, 0);
  return evaluate_access(plan, r).decision == AccessDecision::Allow;
}

// A count a run may raise through the environment (an offline run at the issue's size).
int env_count(const char* name, int fallback) {
  const char* v = std::getenv(name);  // NOLINT(concurrency-mt-unsafe): read before any thread starts
  return v ? std::atoi(v) : fallback;
}

}  // namespace

TEST_CASE("glob classes: one witness for each set of patterns some string matches") {
  std::vector<std::string> w;
  REQUIRE(glob_class_witnesses({{"ecr:batch*", false}, {"*image", false}, {"ecr:batchdeleteimage", true}}, 10000, w));
  // Every combination the patterns allow, and each witness in a different class.
  std::set<std::string> signatures;
  for (const auto& s : w) {
    std::string sig;
    sig += s.rfind("ecr:batch", 0) == 0 ? '1' : '0';
    sig += s.size() >= 5 && s.compare(s.size() - 5, 5, "image") == 0 ? '1' : '0';
    sig += s == "ecr:batchdeleteimage" ? '1' : '0';
    CHECK(signatures.insert(sig).second);
  }
  CHECK(signatures == std::set<std::string>{"000", "100", "010", "110", "111"});
  CHECK(!glob_class_witnesses({{"a*b*c*d*e*f*", false}, {"*f*e*d*c*b*a", false}, {"*a?b?c*", false}}, 5, w));  // past the cap
}

TEST_CASE("glob classes: witnesses made of given characters only") {
  std::vector<std::string> w;
  // Twelve characters, and "4444*": with digits only, every class that holds a
  // twelve-digit string has a twelve-digit witness; none has a letter.
  REQUIRE(glob_class_witnesses({{"????????????", false}, {"4444*", false}, {"444455556666", true}, {"x", true}}, 10000, w, "0123456789"));
  std::set<std::string> twelve;
  for (const auto& s : w) {
    CHECK(s.find_first_not_of("0123456789") == std::string::npos);
    if (s.size() == 12) twelve.insert(s.rfind("4444", 0) == 0 ? (s == "444455556666" ? "named" : "4444") : "other");
  }
  CHECK(twelve == std::set<std::string>{"named", "4444", "other"});
  CHECK(std::find(w.begin(), w.end(), "x") == w.end());  // a class only a letter reaches
}

// The callers a request space ranges over are ones IAM can have: the anonymous caller, an
// account id, a service, or an identity ARN of a partition the policy names, in iam or sts,
// a twelve-digit account, an identity's resource spelled in IAM's name characters.
TEST_CASE("prover: callers built from ARN patterns have the shapes of IAM identities") {
  const std::regex identity(R"(\*|[0-9]{12}|[a-z-]+\.amazonaws\.com|arn:aws(-[a-z]+)*:(iam::[0-9]{12}:(root|(user|role)/[A-Za-z0-9+=,.@_/-]+)|sts::[0-9]{12}:(assumed-role/[A-Za-z0-9+=,.@_-]+/[A-Za-z0-9+=,.@_/-]+|federated-user/[A-Za-z0-9+=,.@_/-]+)))");
  for (const char* condition : {R"("StringLike": {"aws:PrincipalArn": ["*:role/ci?*", "arn:aws:iam::4444*"]})",
                                R"("ArnLike": {"aws:PrincipalArn": "arn:*:*::*:role/ci-*"}, "StringNotLike": {"aws:PrincipalAccount": "1111*"})",
                                R"("StringEqualsIgnoreCase": {"aws:PrincipalArn": "ARN:AWS-CN:IAM::111122223333:ROLE/CI"})"}) {
    INFO(condition);
    const AccessPlan plan = prover_plan(std::string(R"({"Effect": "Allow", "Principal": {"AWS": "444455556666"}, "Action": "ecr:*", "Condition": {)") + condition + "}}");
    const RequestSpace space = build_request_space({&plan}, "app", {});
    REQUIRE(space.unsupported.empty());
    std::size_t arns = 0;
    for (const auto& p : space.principals) {
      INFO(p);
      CHECK(std::regex_match(p, identity));
      arns += p.rfind("arn:", 0) == 0;
    }
    CHECK(arns > 4);
  }
}

// Found by the cross-check with the independent encoding: each was a `failed` whose
// counterexample no request can be (an ARN with empty parts, a partition `role/ci`). The
// answers below hold for the callers IAM has.
TEST_CASE("prover: counterexamples are callers IAM can have") {
  ProofOptions opt;
  // A deny on aws:PrincipalArn like "arn:aws:iam::4444*" does not stop a federated user of
  // that account (its ARN is in sts), which the account principal lets in: a real
  // counterexample, no longer `arn::::444455556666:`.
  const AccessPlan old_plan = prover_plan(R"({"Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::111122223333:role/ci"}, "Action": "ecr:Batch*"})");
  const AccessPlan new_plan = prover_plan(R"({"Effect": "Deny", "Principal": {"AWS": "444455556666"}, "Action": "ecr:*",
                                              "Condition": {"StringLike": {"aws:PrincipalArn": "arn:aws:iam::4444*"}}},
                                             {"Effect": "Allow", "Principal": {"AWS": "444455556666"}, "Action": "ecr:?utImage",
                                              "Condition": {"StringEquals": {"aws:PrincipalAccount": "444455556666"}}})");
  const ProofResult r = prove_no_new_access(old_plan, new_plan, "app", opt);
  REQUIRE(r.outcome == ProofOutcome::Failed);
  CHECK(r.counterexample.principal.rfind("arn:aws:sts::444455556666:federated-user/", 0) == 0);
  // Allowed only where the caller's ARN reads ":role/ci" after some colon: a role named ci…
  // in any account. The counterexample is such a role, not the ARN `arn:role/ci:iam::…`.
  const AccessPlan role_plan = prover_plan(R"({"Effect": "Allow", "Principal": "*", "Action": "ecr:PutImage",
                                               "Condition": {"StringLike": {"aws:PrincipalArn": "*:role/ci?*"}}})");
  const ProofResult p = prove_access_not_granted(role_plan, "app", {"ecr:PutImage"}, opt);
  REQUIRE(p.outcome == ProofOutcome::Failed);
  CHECK(std::regex_match(p.counterexample.principal, std::regex(R"(arn:aws:iam::[0-9]{12}:role/ci.+)")));
  // Only a caller whose ARN is outside the aws partition gets in: none can.
  const AccessPlan partition_plan = prover_plan(R"({"Effect": "Allow", "Principal": {"AWS": "444455556666"}, "Action": "ecr:PutImage",
                                                    "Condition": {"StringNotLike": {"aws:PrincipalArn": "arn:aws:*"}, "Null": {"aws:PrincipalArn": "false"}}})");
  CHECK(prove_access_not_granted(partition_plan, "app", {"ecr:PutImage"}, opt).outcome == ProofOutcome::Proved);
}

TEST_CASE("prover: traps with known answers") {
  ProofOptions opt;
  const std::string ci = "arn:aws:iam::111122223333:role/ci";
  SUBCASE("ecr:* grants a delete; ecr:Batch?et* does not") {
    auto plan = prover_plan(R"({"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "ecr:*"})");
    auto r = prove_access_not_granted(plan, "app", {"ecr:BatchDeleteImage"}, opt);
    REQUIRE(r.outcome == ProofOutcome::Failed);
    CHECK(allowed_by(plan, r.counterexample));
    auto narrow = prover_plan(R"({"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "ecr:Batch?et*"})");
    CHECK(prove_access_not_granted(narrow, "app", {"ecr:BatchDeleteImage"}, opt).outcome == ProofOutcome::Proved);
  }
  SUBCASE("aws:PrincipalArn like a pattern (std/access's push_only_from)") {
    auto plan = prover_plan(R"({"Sid": "CiPush", "Effect": "Allow", "Principal": "*", "Action": "ecr:PutImage",
                                "Condition": {"StringLike": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/ci-*"}}})");
    auto r = prove_access_not_granted(plan, "app", {"ecr:PutImage"}, opt);
    REQUIRE(r.outcome == ProofOutcome::Failed);
    CHECK(allowed_by(plan, r.counterexample));
    CHECK(principal_identity_arn(r.counterexample.principal).rfind("arn:aws:iam::111122223333:role/ci-", 0) == 0);
    CHECK(prove_no_public_access(plan, "app", {}, opt).outcome == ProofOutcome::Proved);
    // A `*` that spans the account: a CI role of any account pushes, an outside one too.
    auto wide = prover_plan(R"({"Effect": "Allow", "Principal": "*", "Action": "ecr:PutImage",
                                "Condition": {"StringLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/ci-*"}}})");
    auto p = prove_no_public_access(wide, "app", {}, opt);
    REQUIRE(p.outcome == ProofOutcome::Failed);
    CHECK(allowed_by(wide, p.counterexample));
    CHECK(principal_identity_arn(p.counterexample.principal).find(":role/ci-") != std::string::npos);
    // A pattern with fewer colons than an ARN: its `*` takes the missing ones.
    auto spans = prover_plan(R"({"Effect": "Allow", "Principal": "*", "Action": "ecr:PutImage",
                                 "Condition": {"StringLike": {"aws:PrincipalArn": "*/ci-*"}}})");
    auto q = prove_no_public_access(spans, "app", {"111122223333"}, opt);
    REQUIRE(q.outcome == ProofOutcome::Failed);
    CHECK(allowed_by(spans, q.counterexample));
  }
  SUBCASE("a deny with a condition on a missing key does not deny") {
    auto plan = prover_plan(R"({"Effect": "Allow", "Principal": "*", "Action": "ecr:BatchDeleteImage"},
                               {"Effect": "Deny", "Principal": "*", "Action": "*", "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": "o-abc"}}})");
    auto r = prove_access_not_granted(plan, "app", {"ecr:BatchDeleteImage"}, opt);
    REQUIRE(r.outcome == ProofOutcome::Failed);
    // The counterexample is one that is in the org (or has no org id: StringNotEquals of a
    // missing key is true, so the deny applies then; only the org member gets through).
    CHECK(r.counterexample.context.at("aws:principalorgid").values == std::vector<std::string>{"o-abc"});
  }
  SUBCASE("StringNotLike with IfExists: absent keys pass") {
    auto plan = prover_plan(R"({"Effect": "Allow", "Principal": "*", "Action": "ecr:PutImage", "Condition": {"StringNotLikeIfExists": {"aws:SourceVpc": "vpc-*"}}})");
    auto r = prove_access_not_granted(plan, "app", {"ecr:PutImage"}, opt);
    REQUIRE(r.outcome == ProofOutcome::Failed);
    CHECK(allowed_by(plan, r.counterexample));
  }
  SUBCASE("ForAllValues on an empty list is true") {
    auto plan = prover_plan(R"({"Effect": "Allow", "Principal": "*", "Action": "ecr:TagResource", "Condition": {"ForAllValues:StringEquals": {"aws:TagKeys": ["team"]}}})");
    auto r = prove_access_not_granted(plan, "app", {"ecr:TagResource"}, opt);
    REQUIRE(r.outcome == ProofOutcome::Failed);
    CHECK(allowed_by(plan, r.counterexample));
  }
  SUBCASE("an assumed-role session is its role; NotPrincipal lets everyone else in") {
    auto plan = prover_plan(R"({"Effect": "Allow", "Principal": {"AWS": ")" + ci + R"("}, "Action": "ecr:PutImage"})");
    auto pub = prove_no_public_access(plan, "app", {}, opt);
    CHECK(pub.outcome == ProofOutcome::Proved);
    auto r = prove_access_not_granted(plan, "app", {"ecr:PutImage"}, opt);
    REQUIRE(r.outcome == ProofOutcome::Failed);
    auto everyone_else = prover_plan(R"({"Effect": "Allow", "NotPrincipal": {"AWS": ")" + ci + R"("}, "Action": "ecr:PutImage"})");
    auto open = prove_no_public_access(everyone_else, "app", {}, opt);
    REQUIRE(open.outcome == ProofOutcome::Failed);
    CHECK(allowed_by(everyone_else, open.counterexample));
    CHECK(open.counterexample.principal.find("111122223333") == std::string::npos);
  }
  SUBCASE("no new access: widening a role to its account is new access; narrowing is not") {
    auto old_plan = prover_plan(R"({"Effect": "Allow", "Principal": {"AWS": ")" + ci + R"("}, "Action": ["ecr:PutImage", "ecr:BatchGetImage"]})");
    auto wider = prover_plan(R"({"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "ecr:PutImage"})");
    auto narrower = prover_plan(R"({"Effect": "Allow", "Principal": {"AWS": ")" + ci + R"("}, "Action": "ecr:PutImage"})");
    auto r = prove_no_new_access(old_plan, wider, "app", opt);
    REQUIRE(r.outcome == ProofOutcome::Failed);
    CHECK(allowed_by(wider, r.counterexample));
    CHECK(!allowed_by(old_plan, r.counterexample));
    CHECK(prove_no_new_access(old_plan, narrower, "app", opt).outcome == ProofOutcome::Proved);
  }
  SUBCASE("ArnLike compares part by part: a wildcard never spans a colon") {
    auto plan = prover_plan(R"({"Effect": "Allow", "Principal": "*", "Action": "ecr:BatchGetImage", "Condition": {"ArnLike": {"aws:SourceArn": "arn:aws:lambda:*:111122223333:function:*"}}})");
    auto r = prove_no_public_access(plan, "app", {"111122223333"}, opt);
    REQUIRE(r.outcome == ProofOutcome::Failed);  // any caller, through that account's functions
    CHECK(allowed_by(plan, r.counterexample));
    auto deny_other = prover_plan(R"({"Effect": "Allow", "Principal": "*", "Action": "ecr:BatchGetImage"},
                                     {"Effect": "Deny", "Principal": "*", "Action": "*", "Condition": {"ArnNotLike": {"aws:SourceArn": "arn:aws:lambda:us-east-1:*:function:*"}}})");
    auto s = prove_access_not_granted(deny_other, "app", {"ecr:BatchGetImage"}, opt);
    REQUIRE(s.outcome == ProofOutcome::Failed);
    CHECK(allowed_by(deny_other, s.counterexample));
  }
  SUBCASE("unsupported constructs are unknown, never proved") {
    // A key compared as a string in one place and as a number in another.
    auto plan = prover_plan(
        R"({"Effect": "Allow", "Principal": "*", "Action": "ecr:PutImage", "Condition": {"StringEquals": {"aws:SourceVpc": "vpc-1"}, "NumericLessThan": {"aws:SourceVpc": "3"}}})");
    auto r = prove_access_not_granted(plan, "app", {"ecr:PutImage"}, opt);
    CHECK(r.outcome == ProofOutcome::Unknown);
    CHECK(!r.why.empty());
  }
}

TEST_CASE("prover: random policies agree with the evaluator") {
  std::mt19937 rng(20261204);
  auto pick = [&](const std::vector<std::string>& v) { return v[rng() % v.size()]; };
  const std::vector<std::string> principals = {R"("*")", R"({"AWS": "111122223333"})", R"({"AWS": "arn:aws:iam::111122223333:role/ci"})",
                                               R"({"AWS": ["444455556666", "arn:aws:iam::111122223333:root"]})", R"({"Service": "lambda.amazonaws.com"})"};
  const std::vector<std::string> actions = {R"("ecr:*")", R"("ecr:Batch*")", R"("ecr:BatchDeleteImage")", R"(["ecr:PutImage", "ecr:Get*"])", R"("*")",
                                            R"("ecr:?utImage")"};
  const std::vector<std::string> conditions = {
      "",
      R"(, "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc"}})",
      R"(, "Condition": {"StringNotLikeIfExists": {"aws:SourceVpc": "vpc-1*"}})",
      R"(, "Condition": {"ForAllValues:StringLike": {"aws:TagKeys": ["team", "cost-*"]}})",
      R"(, "Condition": {"ForAnyValue:StringEquals": {"aws:TagKeys": "owner"}})",
      R"(, "Condition": {"NumericLessThan": {"regpol:count": "10"}})",
      R"(, "Condition": {"Bool": {"aws:SecureTransport": "true"}})",
      R"(, "Condition": {"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "192.168.1.0/24"]}})",
      R"(, "Condition": {"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "2001:db8::/32"]}})",
      R"(, "Condition": {"NotIpAddress": {"aws:SourceIp": "2001:db8:0:1::/64"}})",
      R"(, "Condition": {"NotIpAddress": {"aws:SourceIp": "10.1.0.0/16"}})",
      R"(, "Condition": {"Null": {"aws:SourceVpc": "true"}})",
      R"(, "Condition": {"DateGreaterThan": {"aws:CurrentTime": "2026-01-01T00:00:00Z"}})",
      R"(, "Condition": {"ArnLike": {"aws:SourceArn": ["arn:aws:lambda:*:111122223333:function:*", "arn:aws:sns:us-*:*:t?"]}})",
      R"(, "Condition": {"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/ci-*"}})",
      R"(, "Condition": {"StringEquals": {"aws:PrincipalAccount": ["444455556666"]}})",
      // aws:PrincipalArn compared as a string: patterns whose `*` spans the ARN's colons too.
      R"(, "Condition": {"StringLike": {"aws:PrincipalArn": ["arn:aws:iam::111122223333:role/ci-*", "arn:aws:iam::4444*"]}})",
      R"(, "Condition": {"StringNotEquals": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/ci"}})",
      R"(, "Condition": {"StringLike": {"aws:PrincipalArn": "*:role/ci?*"}})",
      // Case-insensitive comparisons, beside case-sensitive ones on the same keys.
      R"(, "Condition": {"StringEqualsIgnoreCase": {"aws:SourceVpc": ["VPC-1a", "vpc-9"]}})",
      R"(, "Condition": {"StringNotEqualsIgnoreCase": {"aws:PrincipalArn": "ARN:AWS:IAM::111122223333:ROLE/CI"}})",
  };
  ProofOptions opt;
  int failed = 0, proved = 0;
  // The issue's size is 500 policies and 10,000 requests per proved property
  // (REGPOL_PROVER_POLICIES=500 REGPOL_PROVER_REQUESTS=10000, run for docs/verify.md); the
  // suite runs a smaller sample of the same sequence.
#ifdef REGPOL_SANITIZED_TESTS
  const int policies = env_count("REGPOL_PROVER_POLICIES", 40);  // four searches each, instrumented
  const int requests = env_count("REGPOL_PROVER_REQUESTS", 1000);
#else
  const int policies = env_count("REGPOL_PROVER_POLICIES", 120);
  const int requests = env_count("REGPOL_PROVER_REQUESTS", 3000);
#endif
  AccessPlan previous = prover_plan(R"({"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "ecr:*"})");
  for (int n = 0; n < policies; ++n) {
    std::string statements;
    const int count = 1 + static_cast<int>(rng() % 4);
    for (int i = 0; i < count; ++i) {
      statements += std::string(i ? "," : "") + R"({"Effect": ")" + (rng() % 3 == 0 ? "Deny" : "Allow") + R"(", )" +
                    (rng() % 5 == 0 ? R"("NotPrincipal": )" : R"("Principal": )") + pick(principals) + ", " + (rng() % 6 == 0 ? R"("NotAction": )" : R"("Action": )") +
                    pick(actions) + pick(conditions) + "}";
    }
    // NotPrincipal with "*" is not a document IAM takes; skip those.
    if (statements.find(R"("NotPrincipal": "*")") != std::string::npos) continue;
    AccessPlan plan = prover_plan(statements);
    INFO(statements);
    // 0: access-not-granted, 1: no-public-access, 2: no-new-access over the policy before.
    for (int property = 0; property < 3; ++property) {
      const RequestSpace space = property == 2 ? build_request_space({&previous, &plan}, "app", {})
                                               : build_request_space({&plan}, "app", property == 0 ? SpaceConstants{{"ecr:BatchDeleteImage"}, {}, {}} : SpaceConstants{});
      auto breaks = [&](const AccessRequest& q) {
        if (!allowed_by(plan, q)) return false;
        if (property == 0) return ascii_lower(q.action) == "ecr:batchdeleteimage";
        if (property == 2) return !allowed_by(previous, q);
        const std::string acct = principal_account(q.principal);
        auto org = q.context.find("aws:principalorgid");
        const bool in_org = org != q.context.end() && std::count(org->second.values.begin(), org->second.values.end(), "o-abc") > 0;
        return acct != "111122223333" && acct != "444455556666" && !in_org;
      };
      // The solver, the table search, the exhaustive enumeration of the same candidates and
      // the automatic choice among them must agree.
      ProofOptions by_solver = opt, by_enumeration = opt, by_tables = opt;
      by_solver.engine = ProofEngine::Solver;
      by_enumeration.engine = ProofEngine::Enumeration;
      by_tables.engine = ProofEngine::Tables;
      auto run = [&](const ProofOptions& o) {
        if (property == 2) return prove_no_new_access(previous, plan, "app", o);
        return property == 0 ? prove_access_not_granted(plan, "app", {"ecr:BatchDeleteImage"}, o) : prove_no_public_access(plan, "app", {}, o);
      };
      const ProofResult r = run(by_solver);
      REQUIRE(r.outcome != ProofOutcome::Unknown);
      for (const ProofOptions* other : {&by_enumeration, &by_tables, &opt}) {
        const ProofResult o = run(*other);
        CHECK(o.outcome == r.outcome);
        if (o.outcome == ProofOutcome::Failed) CHECK(breaks(o.counterexample));
      }
      if (r.outcome == ProofOutcome::Failed) {
        ++failed;
        CHECK_MESSAGE(breaks(r.counterexample), "property " << property << " policy " << statements << " counterexample " << r.counterexample.principal << " " << r.counterexample.action << " ip=" << (r.counterexample.context.count("aws:sourceip") ? r.counterexample.context.at("aws:sourceip").values.at(0) : "-"));
        continue;
      }
      ++proved;
      // Brute force over candidates (single values per key), and random requests beyond them.
      for (int k = 0; k < requests; ++k) {
        SpaceChoice c;
        c.principal = rng() % space.principals.size();
        c.action = rng() % space.actions.size();
        c.tag = rng() % space.tags.size();
        for (const auto& key : space.keys) {
          std::vector<std::size_t> values;
          if (key.always || rng() % 3) values.push_back(rng() % key.values.size());
          if (key.multi && rng() % 2) values.push_back(rng() % key.values.size());
          c.key_values.push_back(values);
        }
        AccessRequest q = request_of(space, c);
        if (k % 2) {  // values the candidates do not list
          q.principal = pick({"arn:aws:iam::777788889999:user/bob", "arn:aws:sts::111122223333:assumed-role/other/s", "arn:aws:iam::111122223333:role/ci",
                              "arn:aws:sts::111122223333:assumed-role/ci/x", "arn:aws:iam::111122223333:role/ci-deploy",
                              "arn:aws:sts::111122223333:assumed-role/ci-deploy/s", "arn:aws:iam::444455556666:user/u", "arn:aws:iam::111122223333:role/CI"});
          if (property != 1 && k % 4 == 1) q.action = pick({"ecr:BatchDeleteImage", "ECR:BATCHDELETEIMAGE"});
          q.context["aws:sourceip"] = {{pick({"10.2.3.4", "192.168.1.77", "8.8.8.8", "10.1.9.9", "2001:db8::7", "2001:db8:0:1::5", "::1", "::ffff:10.0.0.1"})}, false};
          q.context["aws:sourcevpc"] = {{pick({"vpc-123", "vpc-9", "", "VPC-9", "vpc-1A", "Vpc-1a7"})}, false};
          q.context["aws:sourcearn"] = {{pick({"arn:aws:lambda:eu-west-1:111122223333:function:f", "arn:aws:lambda:x:y:111122223333:function:f",
                                               "arn:aws:sns:us-east-1:5:t1", "arn:aws:sns:us-east-1:5:t12", "not-an-arn"})}, false};
        }
        CHECK_MESSAGE(!breaks(q), "a proved property broken by a request");
        if (breaks(q)) break;
      }
    }
    previous = std::move(plan);  // the next policy's no-new-access is checked against this one
  }
  MESSAGE("random policies: " << proved << " proved, " << failed << " failed");
  CHECK(proved * 8 > policies);  // both answers well represented (98 and 214 of 120 policies' 312)
  CHECK(failed * 8 > policies);
}
