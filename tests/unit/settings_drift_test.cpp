// Settings drift: repository policies compared by what they decide (order, Sid and layout
// are not drift; a real difference is, with a request that shows it), and the drift of
// every setting kind between a compiled policy and a snapshot.
#include <doctest/doctest.h>

#include <random>

#include "access/evaluate.h"
#include "driver/compile.h"
#include "interop/iam_json.h"
#include "sema/check.h"
#include "settings/drift.h"
#include "settings/lockout.h"
#include "settings/policy_equivalence.h"
#include "snapshot/reader.h"
#include "util/time.h"

using namespace regpol;

namespace {

AccessPlan iam_plan(const std::string& text) {
  AccessPlan plan;
  std::vector<DocumentProblem> problems;
  REQUIRE(access_plan_from_iam_json("doc", text, plan, problems));
  return plan;
}

const Micros kDriftNow = *parse_timestamp("2026-11-27T00:00:00Z");

EquivalenceResult compare_docs(const std::string& a, const std::string& b) {
  return compare_access(iam_plan(a), iam_plan(b), "team/app", sema::ecr_action_names(), kDriftNow);
}

const char* kPullAndPushPolicy = R"({"Version": "2012-10-17", "Statement": [
  {"Sid": "pull", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::222233334444:root"}, "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]},
  {"Sid": "push", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/ci"}, "Action": "ecr:PutImage",
   "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}]})";

}  // namespace

TEST_CASE("repository policies that differ only in order, Sid and layout decide alike") {
  const char* reordered = R"({"Statement":[{"Effect":"Allow","Action":"ecr:PutImage","Principal":{"AWS":["arn:aws:iam::111122223333:role/ci"]},
    "Condition":{"IpAddress":{"aws:SourceIp":["10.0.0.0/8"]}}},{"Sid":"Other","Action":["ecr:GetDownloadUrlForLayer","ecr:BatchGetImage"],
    "Effect":"Allow","Principal":{"AWS":"222233334444"}}],"Version":"2012-10-17"})";
  EquivalenceResult r = compare_docs(kPullAndPushPolicy, reordered);
  CHECK(r.equivalent());
  CHECK(r.requests > 1000);  // every principal × every ECR action × the contexts
}

TEST_CASE("a real difference is found, in the right direction, with a request that shows it") {
  // The CI role from a /16 only: the /8's last address is allowed now and not after.
  std::string narrower = kPullAndPushPolicy;
  narrower.replace(narrower.find("10.0.0.0/8"), 10, "10.0.0.0/16");
  EquivalenceResult r = compare_docs(kPullAndPushPolicy, narrower);
  REQUIRE(r.first_wider);
  CHECK_FALSE(r.second_wider);
  CHECK(r.first_wider->request.action == "ecr:PutImage");
  CHECK(evaluate_access(iam_plan(kPullAndPushPolicy), r.first_wider->request).decision == AccessDecision::Allow);
  CHECK(evaluate_access(iam_plan(narrower), r.first_wider->request).decision != AccessDecision::Allow);

  // A session of the role is a principal of its own: a deny for sessions narrows.
  const char* deny_sessions = R"({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/ci"}, "Action": "ecr:PutImage", "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}},
    {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::222233334444:root"}, "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]},
    {"Effect": "Deny", "Principal": "*", "Action": "ecr:*", "Condition": {"StringLike": {"aws:PrincipalArn": "arn:aws:iam::222233334444:role/*"}}}]})";
  EquivalenceResult s = compare_docs(kPullAndPushPolicy, deny_sessions);
  REQUIRE(s.first_wider);
  CHECK(s.first_wider->request.principal.find("222233334444") != std::string::npos);

  // ecr:* for the other account widens what it may do.
  std::string wider = kPullAndPushPolicy;
  const std::string pull_actions = "[\"ecr:BatchGetImage\", \"ecr:GetDownloadUrlForLayer\"]";
  wider.replace(wider.find(pull_actions), pull_actions.size(), "\"ecr:*\"");
  EquivalenceResult w = compare_docs(kPullAndPushPolicy, wider);
  REQUIRE(w.second_wider);
  CHECK_FALSE(w.first_wider);
  CHECK(request_text(w.second_wider->request).find("arn:aws:iam::222233334444") == 0);
}

TEST_CASE("policies the comparison calls alike agree on random requests too") {
  // Random pairs of small documents over one vocabulary: whenever the corpus finds no
  // difference, 2,000 random requests over that vocabulary find none either.
  std::mt19937 rng(29);
  const std::vector<std::string> principals = {"arn:aws:iam::111122223333:role/ci", "222233334444", "arn:aws:iam::333344445555:root", "*"};
  const std::vector<std::string> actions = {"ecr:PutImage", "ecr:BatchGetImage", "ecr:Batch*", "ecr:*", "ecr:BatchDeleteImage"};
  const std::vector<std::string> conditions = {"", R"(, "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}})",
                                               R"(, "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc"}})",
                                               R"(, "Condition": {"Bool": {"aws:SecureTransport": "true"}})"};
  auto document = [&] {
    std::string s = R"({"Version": "2012-10-17", "Statement": [)";
    const int n = 1 + static_cast<int>(rng() % 3);
    for (int i = 0; i < n; ++i) {
      const std::string& p = principals[rng() % principals.size()];
      s += std::string(i ? "," : "") + R"({"Effect": ")" + (rng() % 4 ? "Allow" : "Deny") + R"(", "Principal": )" +
           (p == "*" ? std::string("\"*\"") : "{\"AWS\": \"" + p + "\"}") + R"(, "Action": ")" + actions[rng() % actions.size()] + "\"" +
           conditions[rng() % conditions.size()] + "}";
    }
    return s + "]}";
  };
  const std::vector<std::string> request_principals = {"arn:aws:iam::111122223333:role/ci", "arn:aws:sts::111122223333:assumed-role/ci/s",
                                                       "arn:aws:iam::222233334444:root", "arn:aws:iam::222233334444:user/u",
                                                       "arn:aws:iam::333344445555:root", "arn:aws:iam::444455556666:root"};
  const auto& all_actions = sema::ecr_action_names();
  int alike = 0;
  for (int round = 0; round < 60; ++round) {
    std::string a = document(), b = rng() % 3 ? document() : a;
    EquivalenceResult r = compare_docs(a, b);
    if (!r.equivalent()) continue;
    ++alike;
    AccessPlan pa = iam_plan(a), pb = iam_plan(b);
    for (int i = 0; i < 2000; ++i) {
      AccessRequest q;
      q.principal = request_principals[rng() % request_principals.size()];
      q.action = all_actions[rng() % all_actions.size()];
      q.repository = "team/app";
      if (rng() % 2) q.context["aws:sourceip"] = {{rng() % 2 ? "10.1.2.3" : "172.16.0.1"}, false};
      if (rng() % 2) q.context["aws:principalorgid"] = {{rng() % 2 ? "o-abc" : "o-zzz"}, false};
      if (rng() % 2) q.context["aws:securetransport"] = {{rng() % 2 ? "true" : "false"}, false};
      derive_context(q, kDriftNow);
      const bool da = evaluate_access(pa, q).decision == AccessDecision::Allow;
      const bool db = evaluate_access(pb, q).decision == AccessDecision::Allow;
      if (da != db) FAIL("called alike, but " << request_text(q) << " differs:\n" << a << "\n" << b);
    }
  }
  CHECK(alike >= 20);  // the property was exercised, not skipped
}

namespace {

struct Drifted {
  SettingsDrift drift;
  const SettingChange* find(const std::string& repository, const std::string& setting) const {
    for (const auto& c : drift.changes) {
      if (c.repository == repository && c.setting == setting) return &c;
    }
    return nullptr;
  }
};

Drifted drift_between(const std::string& policy, const std::string& snapshot) {
  SourceMap sources;
  DiagnosticSink sink;
  CompiledPolicy compiled = compile_policy_text("p.regpol", policy, sources, sink);
  REQUIRE(compiled.ok);
  Registry reg;
  LoadError err;
  REQUIRE(load_json_snapshot_text("s.json", snapshot, reg, err));
  REQUIRE(finish_registry(reg, err));
  DriftOptions options;
  options.now = kDriftNow;
  options.ecr_actions = sema::ecr_action_names();
  return {settings_drift(compiled.plan, reg, options)};
}

std::string ecr_snapshot_with(const std::string& repositories, const std::string& extra = "") {
  return R"({"schema": "regpol.snapshot/v1", "source": "ecr:us-east-1/123456789012", )" + extra + R"("repositories": [)" + repositories +
         R"(], "images": []})";
}

}  // namespace

TEST_CASE("each setting's drift, and none where ECR holds what the policy says") {
  const std::string policy = R"(
registry {
  scanning enhanced
  scan on push for "dev/*", "tools/*"
  scan continuously for "prod/*"
  replicate to region "eu-west-1", region "us-west-2" account "222233334444" for prefix "prod/"
}
repository "prod/*" {
  mutability immutable except "latest", "dev-*"
  scan on push
  require encryption kms key "arn:aws:kms:*:123456789012:key/*"
  access {
    allow pull to account "222233334444"
  }
  lifecycle {
    rule 1 { select untagged expire older than 7d }
  }
}
)";
  const std::string pull_policy =
      R"({\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::222233334444:root\"},)"
      R"(\"Action\":[\"ecr:BatchCheckLayerAvailability\",\"ecr:GetDownloadUrlForLayer\",\"ecr:BatchGetImage\"]}]})";
  const std::string registry_as_wanted =
      R"("registryScanningConfiguration": "{\"scanType\":\"ENHANCED\",\"rules\":[{\"scanFrequency\":\"CONTINUOUS_SCAN\",\"repositoryFilters\":[{\"filter\":\"prod/*\",\"filterType\":\"WILDCARD\"}]},)"
      R"({\"scanFrequency\":\"SCAN_ON_PUSH\",\"repositoryFilters\":[{\"filter\":\"tools/*\",\"filterType\":\"WILDCARD\"},{\"filter\":\"dev/*\",\"filterType\":\"WILDCARD\"}]}]}", )"
      R"("registryReplicationConfiguration": "{\"rules\":[{\"destinations\":[{\"region\":\"us-west-2\",\"registryId\":\"222233334444\"},{\"region\":\"eu-west-1\",\"registryId\":\"123456789012\"}],)"
      R"(\"repositoryFilters\":[{\"filter\":\"prod/\",\"filterType\":\"PREFIX_MATCH\"}]}]}", )";
  const std::string as_wanted = R"({"name": "prod/api", "mutability": "IMMUTABLE_WITH_EXCLUSION", "mutabilityExclusions": ["dev-*", "latest"],
    "scanOnPush": true, "encryption": "KMS", "kmsKey": "arn:aws:kms:us-east-1:123456789012:key/k1", "repositoryPolicy": ")" + pull_policy + "\"}";

  SUBCASE("as the policy says: no drift (filters and rules in another order)") {
    Drifted d = drift_between(policy, ecr_snapshot_with(as_wanted, registry_as_wanted));
    CHECK(d.drift.managed);
    CHECK(d.drift.changes.empty());
    CHECK(d.drift.unchecked.empty());
  }
  SUBCASE("every setting otherwise") {
    const std::string other = R"({"name": "prod/api", "mutability": "MUTABLE", "scanOnPush": false, "encryption": "KMS",
      "kmsKey": "arn:aws:kms:us-east-1:999999999999:key/k1", "lifecyclePolicy": "{\"rules\":[]}"})";
    Drifted d = drift_between(policy, ecr_snapshot_with(other, R"("registryScanningConfiguration": "{\"scanType\":\"BASIC\",\"rules\":[]}", "registryReplicationConfiguration": "{\"rules\":[]}", )"));
    const SettingChange* m = d.find("prod/api", "tagMutability");
    REQUIRE(m);
    CHECK(m->operation == "PutImageTagMutability");
    CHECK(m->request["imageTagMutability"] == "IMMUTABLE_WITH_EXCLUSION");
    CHECK(m->request["imageTagMutabilityExclusionFilters"].size() == 2);
    CHECK(m->source == "p.regpol:9:3");
    const SettingChange* s = d.find("prod/api", "scanOnPush");
    REQUIRE(s);
    CHECK(s->request["imageScanningConfiguration"]["scanOnPush"] == true);
    const SettingChange* e = d.find("prod/api", "encryption");
    REQUIRE(e);
    CHECK(e->operation.empty());  // checked, never written
    const SettingChange* p = d.find("prod/api", "repositoryPolicy");
    REQUIRE(p);
    CHECK(p->operation == "SetRepositoryPolicy");
    CHECK(p->widens_access);  // no policy now: the other account gains pull
    const SettingChange* l = d.find("prod/api", "lifecyclePolicy");
    REQUIRE(l);
    CHECK(l->operation == "DeleteLifecyclePolicy");
    const SettingChange* sc = d.find("", "registryScanning");
    REQUIRE(sc);
    CHECK(sc->request["scanType"] == "ENHANCED");
    const SettingChange* r = d.find("", "replication");
    REQUIRE(r);
    CHECK(r->request["replicationConfiguration"]["rules"][0]["destinations"][0]["registryId"] == "123456789012");
    CHECK(d.drift.writable() == 6);
  }
  SUBCASE("a narrower policy in ECR than the policy: drift that widens access") {
    const std::string empty_access = R"({"name": "prod/api", "repositoryPolicy": ")" + pull_policy + "\"}";
    Drifted d = drift_between("repository \"prod/*\" {\n  access {\n  }\n}\n", ecr_snapshot_with(empty_access));
    const SettingChange* p = d.find("prod/api", "repositoryPolicy");
    REQUIRE(p);
    CHECK(p->operation == "DeleteRepositoryPolicy");
    CHECK_FALSE(p->widens_access);
    CHECK(p->detail.find("is allowed now and would be denied") != std::string::npos);
  }
  SUBCASE("what the snapshot does not hold is unchecked, never passed") {
    Drifted d = drift_between(policy, R"({"repositories": [{"repositoryName": "prod/api", "imageTagMutability": "MUTABLE"}], "images": []})");
    CHECK(d.find("prod/api", "tagMutability"));
    CHECK_FALSE(d.find("prod/api", "scanOnPush"));
    std::string unchecked;
    for (const auto& u : d.drift.unchecked) unchecked += u + "\n";
    CHECK(unchecked.find("scan on push: not in the snapshot for 1 repository") != std::string::npos);
    CHECK(unchecked.find("repository policy: not in the snapshot") != std::string::npos);
    CHECK(unchecked.find("registry scanning: not in the snapshot") != std::string::npos);
    CHECK(unchecked.find("replication: not in the snapshot") != std::string::npos);
  }
  SUBCASE("a policy of lifecycles only has no settings to compare") {
    Drifted d = drift_between("repository \"prod/*\" {\n  lifecycle {\n    rule 1 { select untagged expire older than 7d }\n  }\n}\n", ecr_snapshot_with(as_wanted));
    CHECK_FALSE(d.drift.managed);
    CHECK(d.drift.changes.empty());
  }
}

TEST_CASE("the lockout rail: an explicit deny locks out its own account, another account needs an allow") {
  const std::string me = "arn:aws:sts::123456789012:assumed-role/regpol-apply/nightly";
  CHECK(lockout_reason("", me, "123456789012", "team/app", kDriftNow).empty());  // no policy: the identity policy decides
  const std::string deny_delete = R"({"Version": "2012-10-17", "Statement": [{"Sid": "NoDelete", "Effect": "Deny",
    "Principal": {"AWS": "arn:aws:iam::123456789012:role/regpol-apply"}, "Action": "ecr:BatchDeleteImage"}]})";
  std::string why = lockout_reason(deny_delete, me, "123456789012", "team/app", kDriftNow);
  CHECK(why.find("would lose ecr:BatchDeleteImage") != std::string::npos);
  CHECK(why.find("NoDelete") != std::string::npos);
  // The same deny for another role does not lock this one out.
  std::string other = deny_delete;
  other.replace(other.find("role/regpol-apply"), 17, "role/someone-else");
  CHECK(lockout_reason(other, me, "123456789012", "team/app", kDriftNow).empty());
  // From another account, the repository policy must allow every action regpol needs.
  const std::string cross = "arn:aws:iam::222233334444:role/regpol-apply";
  CHECK_FALSE(lockout_reason("", cross, "123456789012", "team/app", kDriftNow).empty());
  const std::string allow_all = R"({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
    "Principal": {"AWS": "arn:aws:iam::222233334444:role/regpol-apply"}, "Action": "ecr:*"}]})";
  CHECK(lockout_reason(allow_all, cross, "123456789012", "team/app", kDriftNow).empty());
}
