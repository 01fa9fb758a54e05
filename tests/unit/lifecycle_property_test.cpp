// Property tests of the lifecycle evaluator over random policies and snapshots: the
// evaluator agrees with a direct, independent transcription of ECR's algorithm, and its
// output does not depend on input order or thread count.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <random>
#include <regex>
#include <set>

#include "driver/compile.h"
#include "interop/ecr_export.h"
#include "interop/ecr_lifecycle.h"
#include "lifecycle/evaluate.h"
#include "snapshot/reader.h"
#include "test_util.h"

using namespace regpol;

// Named, not anonymous: a unity build puts several test files in one translation unit.
namespace lifecycle_property {

struct Img {
  std::string repo, digest;
  std::vector<std::string> tags;
  Micros pushed = 0, pulled = kNoTime, archived = kNoTime, activated = kNoTime;
  std::string status = "ACTIVE";
};

const std::vector<std::string> kTagPool = {"v1", "v2", "v10", "prod-1", "prod-2", "beta-1", "latest", "pr-7", "nightly-3", "x"};
const std::vector<std::string> kPatterns = {"v*", "prod*", "*-1", "*", "beta*", "v?", "latest", "*a*", "n*-*"};
const std::vector<std::string> kPrefixes = {"v", "prod", "b", "pr-", "nightly", "l"};
constexpr Micros kNow = 1795737600LL * kMicrosPerSecond;  // 2026-11-27T00:00:00Z

std::string to_json(const std::vector<Img>& imgs) {
  std::vector<testing::DescribedImage> out;
  for (const Img& m : imgs) {
    testing::DescribedImage d = testing::described_image(m);
    d.pulled = m.pulled;
    d.archived = m.archived;
    d.activated = m.activated;
    d.status = m.status;
    out.push_back(std::move(d));
  }
  return testing::describe_images_json(out);
}

std::vector<Img> random_images(std::mt19937& rng) {
  std::vector<Img> out;
  int repos = 1 + static_cast<int>(rng() % 3);
  for (int r = 0; r < repos; ++r) {
    int n = static_cast<int>(rng() % 12);
    std::set<std::string> used_tags;
    for (int i = 0; i < n; ++i) {
      Img m;
      m.repo = "repo" + std::to_string(r);
      char hex[65];
      std::snprintf(hex, sizeof hex, "%016x%016x%016x%016x", r, static_cast<unsigned>(rng() % 100000), i, 0);
      m.digest = std::string("sha256:") + hex;
      // Few distinct days, so that equal push times are common.
      m.pushed = kNow - static_cast<Micros>(rng() % 8) * 5 * kMicrosPerDay;
      int tags = static_cast<int>(rng() % 3);
      for (int t = 0; t < tags; ++t) {
        const std::string& tag = kTagPool[rng() % kTagPool.size()];
        if (used_tags.insert(tag).second) m.tags.push_back(tag);
      }
      if (rng() % 2) m.pulled = m.pushed + static_cast<Micros>(rng() % 30) * kMicrosPerDay;
      int s = static_cast<int>(rng() % 6);
      if (s == 0) m.status = "ARCHIVED", m.archived = kNow - static_cast<Micros>(rng() % 60) * kMicrosPerDay;
      if (s == 1) m.activated = kNow - static_cast<Micros>(rng() % 60) * kMicrosPerDay;
      if (s == 2 && rng() % 4 == 0) m.status = "ACTIVATING";
      out.push_back(std::move(m));
    }
  }
  return out;
}

LifecyclePlan random_plan(std::mt19937& rng) {
  LifecyclePlan plan;
  int n = 1 + static_cast<int>(rng() % 4);
  for (int i = 0; i < n; ++i) {
    LifecycleRule r;
    r.priority = i + 1;
    int st = static_cast<int>(rng() % 3);
    r.selection.status = st == 0 ? TagStatus::Tagged : st == 1 ? TagStatus::Untagged : TagStatus::Any;
    if (r.selection.status == TagStatus::Tagged) {
      bool prefix = rng() % 2;
      r.selection.list_kind = prefix ? TagListKind::Prefix : TagListKind::Pattern;
      int k = 1 + static_cast<int>(rng() % 2);
      for (int j = 0; j < k; ++j) r.selection.list.push_back(prefix ? kPrefixes[rng() % kPrefixes.size()] : kPatterns[rng() % kPatterns.size()]);
    }
    r.selection.storage = rng() % 4 == 0 ? StorageClass::Archive : StorageClass::Standard;
    int ct = static_cast<int>(rng() % 4);
    r.count_type = static_cast<CountType>(ct);
    r.count_number = 1 + static_cast<std::int64_t>(rng() % 4);
    if (r.count_type != CountType::ImageCountMoreThan) {
      r.count_number = 1 + static_cast<std::int64_t>(rng() % 30);
      r.duration = r.count_number * kMicrosPerDay;
    }
    r.action = rng() % 3 == 0 ? LifecycleAction::Transition : LifecycleAction::Expire;
    plan.rules.push_back(r);
  }
  return plan;
}

// ECR's documented algorithm, transcribed directly with std::regex for tag patterns.
std::map<std::string, std::string> reference(const std::vector<Img>& imgs, const LifecyclePlan& plan) {
  auto pattern_match = [](const std::string& p, const std::string& tag) {
    std::string re;
    for (char c : p) re += c == '*' ? std::string(".*") : std::regex_replace(std::string(1, c), std::regex(R"([.^$|()\[\]{}+?\\])"), R"(\$&)");
    return std::regex_match(tag, std::regex(re));
  };
  std::map<std::string, std::string> action;
  std::set<std::string> repos;
  for (const auto& m : imgs) repos.insert(m.repo);
  for (const auto& repo : repos) {
    std::vector<const Img*> all;
    for (const auto& m : imgs) {
      if (m.repo == repo) all.push_back(&m), action[m.digest] = "keep";
    }
    std::set<std::string> claimed;
    for (const auto& r : plan.rules) {
      std::vector<const Img*> matched;
      for (const Img* m : all) {
        if (m->status == "ACTIVATING") continue;
        bool archive = m->status == "ARCHIVED";
        if (archive != (r.selection.storage == StorageClass::Archive)) continue;
        bool ok = r.selection.status == TagStatus::Any || (r.selection.status == TagStatus::Untagged ? m->tags.empty() : !m->tags.empty());
        if (ok && r.selection.status == TagStatus::Tagged) {
          for (const auto& entry : r.selection.list) {
            bool any = false;
            for (const auto& t : m->tags) any = any || (r.selection.list_kind == TagListKind::Prefix ? t.rfind(entry, 0) == 0 : pattern_match(entry, t));
            ok = ok && any;
          }
        }
        if (ok) matched.push_back(m);
      }
      std::sort(matched.begin(), matched.end(), [](const Img* a, const Img* b) {
        return a->pushed != b->pushed ? a->pushed > b->pushed : a->digest < b->digest;
      });
      std::vector<const Img*> candidates;
      for (std::size_t i = 0; i < matched.size(); ++i) {
        const Img* m = matched[i];
        Micros limit = kNow - r.duration;
        switch (r.count_type) {
          case CountType::ImageCountMoreThan: if (static_cast<std::int64_t>(i) >= r.count_number) candidates.push_back(m); break;
          case CountType::SinceImagePushed: if (m->pushed < limit) candidates.push_back(m); break;
          case CountType::SinceImagePulled: {
            Micros t = m->pulled != kNoTime ? m->pulled : m->activated != kNoTime ? m->activated : m->pushed;
            if (t < limit) candidates.push_back(m);
            break;
          }
          case CountType::SinceImageTransitioned: if (m->archived != kNoTime && m->archived < limit) candidates.push_back(m); break;
        }
      }
      for (const Img* c : candidates) {
        if (!claimed.count(c->digest)) action[c->digest] = r.action == LifecycleAction::Expire ? "expire" : "transition";
      }
      for (const Img* m : matched) claimed.insert(m->digest);
    }
  }
  return action;
}

std::map<std::string, std::string> evaluate(const std::vector<Img>& imgs, const LifecyclePlan& plan, unsigned threads) {
  Registry reg;
  LoadError err;
  REQUIRE(load_json_snapshot_text("random.json", to_json(imgs), reg, err));
  REQUIRE(finish_registry(reg, err));
  ScopedPlan scope{&plan, {}};
  for (std::uint32_t r = 0; r < reg.repositories.size(); ++r) scope.repositories.push_back(r);
  LifecycleOptions opt;
  opt.now = kNow;
  opt.threads = threads;
  LifecycleResult res = evaluate_lifecycle(reg, {scope}, opt);
  std::map<std::string, std::string> out;
  std::size_t seen = 0;
  for (auto r : res.repositories) {
    for (auto idx : reg.repositories[r].images) {
      ++seen;
      auto v = res.decisions[idx].verdict;
      out[std::string(reg.str(reg.images[idx].digest))] = v == Verdict::Expire ? "expire" : v == Verdict::Transition ? "transition" : "keep";
    }
  }
  CHECK(seen == imgs.size());  // every image exactly once
  return out;
}


TEST_CASE("the evaluator agrees with a direct transcription of ECR's algorithm on random inputs") {
  std::mt19937 rng(20261127);
  for (int iteration = 0; iteration < 1500; ++iteration) {
    auto imgs = random_images(rng);
    auto plan = random_plan(rng);
    auto want = reference(imgs, plan);
    auto got = evaluate(imgs, plan, 1);
    INFO("iteration " << iteration << ": " << to_json(imgs));
    REQUIRE(got == want);
    // Shuffled input and several threads: the same decisions.
    std::shuffle(imgs.begin(), imgs.end(), rng);
    REQUIRE(evaluate(imgs, plan, 4) == want);
  }
}

TEST_CASE("keep newest N never actions one of the N newest of its selection") {
  std::mt19937 rng(7);
  for (int iteration = 0; iteration < 300; ++iteration) {
    auto imgs = random_images(rng);
    LifecyclePlan plan;
    LifecycleRule r;
    r.priority = 1;
    r.selection.status = TagStatus::Any;
    r.count_type = CountType::ImageCountMoreThan;
    r.count_number = 1 + static_cast<std::int64_t>(rng() % 5);
    plan.rules.push_back(r);
    auto got = evaluate(imgs, plan, 2);
    std::map<std::string, std::vector<const Img*>> by_repo;
    for (const auto& m : imgs) {
      if (m.status == "ACTIVE") by_repo[m.repo].push_back(&m);
    }
    for (auto& [repo, list] : by_repo) {
      std::sort(list.begin(), list.end(), [](const Img* a, const Img* b) { return a->pushed != b->pushed ? a->pushed > b->pushed : a->digest < b->digest; });
      for (std::size_t i = 0; i < list.size(); ++i) {
        CHECK(got[list[i]->digest] == (static_cast<std::int64_t>(i) < r.count_number ? "keep" : "expire"));
      }
    }
  }
}


TEST_CASE("export to ECR JSON and import back to regpol keep every lifecycle decision") {
  std::mt19937 rng(99);
  int tried = 0;
  for (int iteration = 0; tried < 300 && iteration < 20000; ++iteration) {
    LifecyclePlan plan = random_plan(rng);
    for (auto& r : plan.rules) r.source = "random";
    std::vector<ExportProblem> problems;
    nlohmann::json doc = lifecycle_to_ecr_json(plan, problems);
    if (!problems.empty()) continue;  // not a policy ECR accepts
    ++tried;
    LifecyclePlan from_json;
    std::vector<DocumentProblem> dproblems;
    REQUIRE(lifecycle_plan_from_ecr_json("p.json", doc.dump(), from_json, dproblems));
    SourceMap sources;
    DiagnosticSink sink;
    CompiledPolicy compiled = compile_policy_text("p.regpol", "repository \"*\" {\n" + lifecycle_to_regpol(from_json) + "}\n", sources, sink);
    REQUIRE(compiled.ok);
    const LifecyclePlan& from_source = compiled.plan.scopes.at(0).lifecycle;
    for (int s = 0; s < 5; ++s) {
      auto imgs = random_images(rng);
      auto want = evaluate(imgs, plan, 1);
      REQUIRE(evaluate(imgs, from_json, 1) == want);
      REQUIRE(evaluate(imgs, from_source, 2) == want);
    }
  }
  CHECK(tried == 300);
}

TEST_CASE("a protected image is never actioned, and an unprotected one is decided as without protect") {
  std::mt19937 rng(123);
  for (int iteration = 0; iteration < 400; ++iteration) {
    auto imgs = random_images(rng);
    LifecyclePlan plan = random_plan(rng);
    auto unprotected = evaluate(imgs, plan, 1);
    ProtectClause pc;
    pc.label = "protect";
    pc.selection.status = TagStatus::Tagged;
    pc.selection.list_kind = TagListKind::Pattern;
    pc.selection.list = {kPatterns[rng() % kPatterns.size()]};
    pc.selection.any_storage = true;
    plan.protects.push_back(pc);
    auto got = evaluate(imgs, plan, 2);
    for (const auto& m : imgs) {
      bool covered = std::any_of(m.tags.begin(), m.tags.end(), [&](const std::string& t) {
        std::string re;
        for (char c : pc.selection.list[0]) re += c == '*' ? std::string(".*") : (std::isalnum(static_cast<unsigned char>(c)) ? std::string(1, c) : "\\" + std::string(1, c));
        return std::regex_match(t, std::regex(re));
      });
      INFO(m.digest << " " << pc.selection.list[0]);
      if (covered) CHECK(got[m.digest] == "keep");
      else CHECK(got[m.digest] == unprotected[m.digest]);
    }
  }
}

}  // namespace lifecycle_property
