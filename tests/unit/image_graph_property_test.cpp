// Property test of regpol lifecycles on image graphs (#25): random repositories of indexes
// (sharing children), artifacts (by subject and by cosign tag, artifacts of artifacts,
// artifacts whose subject is not in the snapshot), archived images, in-use digests, ECR and
// Distribution snapshots, and random policies. Whatever the policy says:
//   - no image goes further than an index that lists it or the subject it refers to, so a
//     kept or in-use image never loses a child or an artifact;
//   - in-use images are kept;
//   - the deletions, sent in apply's request order (request_order), are accepted by a
//     registry that refuses to delete a child any present index lists (ECR's rule, checked
//     per request against the indexes present when the request arrives).
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "apply/recheck.h"
#include "apply/request_order.h"
#include "driver/compile.h"
#include "driver/run_lifecycle.h"
#include "snapshot/reader.h"
#include "util/time.h"

using namespace regpol;

// Named, not anonymous: a unity build puts several test files in one translation unit.
namespace graph_property {

constexpr Micros kNow = 1795737600LL * kMicrosPerSecond;  // 2026-11-27T00:00:00Z

struct GImg {
  std::string repo, digest, subject, artifact_type;
  std::vector<std::string> tags, children;
  Micros pushed = 0;
  bool archived = false;
};

std::string hex64(std::mt19937& rng) {
  std::string h(64, '0');
  for (auto& c : h) c = "0123456789abcdef"[rng() % 16];
  return h;
}

std::vector<GImg> random_graph(std::mt19937& rng) {
  std::vector<GImg> out;
  for (const char* repo : {"app", "tools/cli"}) {
    const std::size_t first = out.size();
    const int n = 2 + static_cast<int>(rng() % 14);
    for (int i = 0; i < n; ++i) {
      GImg m;
      m.repo = repo;
      m.digest = "sha256:" + hex64(rng);
      m.pushed = kNow - static_cast<Micros>(rng() % 8) * 5 * kMicrosPerDay;
      m.archived = rng() % 6 == 0;
      if (rng() % 3 == 0) m.tags.push_back("v" + std::to_string(i));
      if (rng() % 5 == 0) m.tags.push_back("latest-" + std::to_string(i));
      out.push_back(std::move(m));
    }
    // Roles: indexes list earlier images (shared between indexes; an index, an artifact);
    // artifacts refer to
    // any earlier image (an artifact of an artifact), by subject or by cosign tag, or to an
    // image that is not in the snapshot.
    for (std::size_t i = first + 1; i < out.size(); ++i) {
      const int role = static_cast<int>(rng() % 4);
      if (role == 0) {
        for (int k = 1 + static_cast<int>(rng() % 3); k > 0; --k) {
          const GImg& c = out[first + rng() % (i - first)];  // any earlier image: nested indexes, listed signatures
          if (std::find(out[i].children.begin(), out[i].children.end(), c.digest) == out[i].children.end())
            out[i].children.push_back(c.digest);
        }
      } else if (role == 1) {
        const bool missing = rng() % 6 == 0;
        const std::string subject = missing ? "sha256:" + hex64(rng) : out[first + rng() % (i - first)].digest;
        const std::string cosign_tag = "sha256-" + subject.substr(7) + ".sig";  // one image per repository holds a tag
        const bool tag_taken = std::any_of(out.begin() + static_cast<std::ptrdiff_t>(first), out.end(), [&](const GImg& o) {
          return std::find(o.tags.begin(), o.tags.end(), cosign_tag) != o.tags.end();
        });
        if (rng() % 3 == 0 && !tag_taken) {
          out[i].tags = {cosign_tag};
        } else {
          out[i].subject = subject;
          out[i].artifact_type = rng() % 2 ? "application/vnd.dev.cosign.artifact.sig.v1+json" : "application/spdx+json";
        }
      }
    }
  }
  return out;
}

// `ecr`: the snapshot says it was pulled from ECR (an untag of an image's last tag expires it there).
std::string snapshot_json(const std::vector<GImg>& imgs, bool distribution, bool ecr) {
  nlohmann::json images = nlohmann::json::array();
  for (const auto& m : imgs) {
    nlohmann::json j = {{"repository", m.repo}, {"digest", m.digest}, {"tags", m.tags}, {"pushedAt", format_timestamp(m.pushed)}, {"sizeBytes", 100}};
    if (!m.children.empty()) {
      j["children"] = m.children;
      j["manifestMediaType"] = "application/vnd.oci.image.index.v1+json";
    }
    if (!m.subject.empty()) j["subject"] = m.subject;
    if (!m.artifact_type.empty()) j["artifactMediaType"] = m.artifact_type;
    if (m.archived) {
      j["storageClass"] = "archive";
      j["lastArchivedAt"] = format_timestamp(m.pushed + kMicrosPerDay);
    }
    images.push_back(j);
  }
  nlohmann::json doc = {{"schema", "regpol.snapshot/v1"}, {"capturedAt", format_timestamp(kNow)}, {"images", images}};
  if (distribution) doc["registryKind"] = "distribution";
  if (ecr) doc["source"] = "ecr:us-east-1";
  return doc.dump();
}

std::string random_policy(std::mt19937& rng) {
  const char* rules[] = {
      "select untagged\n      expire older than 10d",
      "select any\n      keep newest 2",
      "select tagged\n      expire older than 20d",
      "select any\n      archive older than 15d",
      "select any where not signed and not is_artifact\n      expire older than 5d",
      "select untagged where not is_child\n      keep newest 1",
      "select any in archive\n      expire archived for 3d",
      "select any where is_index\n      expire older than 25d",
      "select tagged pattern [\"v*\"]\n      untag older than 12d",
      "select tagged prefix [\"latest-\"]\n      untag all but newest 1",
  };
  const char* protects[] = {"protect in_use", "protect any where has_sbom", "protect tagged pattern [\"latest-*\"]"};
  std::string src = "repository \"*\" {\n  lifecycle {\n";
  const int n = 1 + static_cast<int>(rng() % 3);
  for (int i = 0; i < n; ++i) src += "    rule " + std::to_string(i + 1) + " {\n      " + rules[rng() % 10] + "\n    }\n";
  for (int p = static_cast<int>(rng() % 3); p > 0; --p) src += std::string("    ") + protects[rng() % 3] + "\n";
  return src + "  }\n}\n";
}

int severity(Verdict v) { return v == Verdict::Expire ? 2 : v == Verdict::Transition ? 1 : 0; }


TEST_CASE("on random image graphs no kept image loses a child or an artifact, and ECR accepts every deletion in request order") {
  std::mt19937 rng(20261203);
  int capped_children = 0, capped_artifacts = 0, deleted_indexes_with_children = 0, nested_deleted = 0;
  int untags = 0, untagged_all = 0, untag_expired = 0;
  for (int iteration = 0; iteration < 800; ++iteration) {
    const std::string src = random_policy(rng);
    const auto imgs = random_graph(rng);
    const bool distribution = rng() % 2 == 0;
    const bool ecr = !distribution && rng() % 2 == 0;
    const std::string text = snapshot_json(imgs, distribution, ecr);
    INFO(src);
    INFO(text);
    SourceMap sources;
    DiagnosticSink sink;
    CompiledPolicy compiled = compile_policy_text("p.regpol", src, sources, sink);
    REQUIRE(compiled.ok);
    Registry reg;
    LoadError err;
    REQUIRE(load_json_snapshot_text("graph.json", text, reg, err));
    REQUIRE(finish_registry(reg, err, 1));
    LifecycleOptions opt;
    opt.now = kNow;
    opt.threads = 1;
    for (const auto& m : imgs)
      if (rng() % 5 == 0) opt.in_use.insert(in_use_key(m.repo, m.digest));
    PolicyRun run;
    std::string error;
    REQUIRE(run_policy_lifecycle(compiled.plan, reg, opt, "", run, error));
    REQUIRE(run.result.errors.empty());

    std::map<std::pair<std::string, std::string>, Verdict> verdict;  // (repository, digest)
    for (std::uint32_t i = 0; i < reg.images.size(); ++i)
      verdict[{std::string(reg.repo_name(reg.images[i])), std::string(reg.str(reg.images[i].digest))}] = run.result.decisions[i].verdict;
    auto held = [&](const std::string& repo, const std::string& d) { return verdict.count({repo, d}) > 0; };

    // Untag decisions remove tags the image has (never an artifact's: a cosign tag is its
    // link), and on ECR never its last one (ECR would delete the image with it).
    for (std::uint32_t i = 0; i < reg.images.size(); ++i) {
      if (run.result.decisions[i].verdict != Verdict::Untag) continue;
      const TagRemoval* removal = removal_of(run.result, i);
      REQUIRE(removal != nullptr);
      CHECK_FALSE(removal->tags.empty());
      CHECK_FALSE((ecr && removal->all));
      CHECK(reg.images[i].subject == kNoStr);
      untags += 1;
      untagged_all += removal->all;
    }
    for (std::uint32_t i = 0; i < reg.images.size(); ++i) untag_expired += run.result.decisions[i].reason == Reason::UntagLastTag;

    for (const auto& m : imgs) {
      const Verdict v = verdict.at({m.repo, m.digest});
      const bool protected_in_use = opt.in_use.count(in_use_key(m.repo, m.digest)) > 0 && src.find("protect in_use") != std::string::npos;
      if (protected_in_use) CHECK(v == Verdict::Keep);
      for (const auto& c : m.children) {
        if (!held(m.repo, c)) continue;
        CAPTURE(c);
        CHECK(severity(verdict.at({m.repo, c})) <= severity(v));
        capped_children += severity(v) == 0;
      }
      std::string subject = m.subject;
      if (subject.empty() && !m.tags.empty() && m.tags[0].rfind("sha256-", 0) == 0) subject = "sha256:" + m.tags[0].substr(7, 64);
      if (!subject.empty() && held(m.repo, subject) && subject != m.digest) {
        CAPTURE(m.digest);
        CHECK(severity(v) <= severity(verdict.at({m.repo, subject})));
        capped_artifacts += severity(verdict.at({m.repo, subject})) == 0;
      }
    }

    // The deletions as apply sends them: request_order's requests, each checked by the
    // registry against the indexes still present when it arrives.
    std::vector<ActionRecord> actions;
    for (const auto& m : imgs) {
      const Verdict v = verdict.at({m.repo, m.digest});
      if (v == Verdict::Keep || v == Verdict::Untag) continue;  // tag removals delete nothing
      ActionRecord a;
      a.seq = static_cast<std::int64_t>(actions.size()) + 1;
      a.repository = m.repo;
      a.digest = m.digest;
      a.kind = v == Verdict::Expire ? ActionKind::Delete : ActionKind::Transition;
      actions.push_back(a);
    }
    // Ranked as apply ranks them (graph_ranks over each repository's images).
    std::map<std::string, std::vector<TargetImage>> by_repo;
    for (const auto& m : imgs) {
      TargetImage t;
      t.digest = m.digest;
      t.children = m.children;
      t.subject = m.subject;
      by_repo[m.repo].push_back(t);
    }
    std::map<std::string, std::unordered_map<std::string, std::int64_t>> ranks;
    for (const auto& [repo, held] : by_repo) ranks[repo] = graph_ranks(held);
    for (auto& a : actions) a.graph_rank = ranks[a.repository].at(a.digest);
    std::set<std::pair<std::string, std::string>> present;
    for (const auto& m : imgs) present.insert({m.repo, m.digest});
    const auto order = request_order(actions);
    for (std::size_t k = 0; k < order.size();) {
      std::size_t end = k + 1;
      while (end < order.size() && same_request_group(actions[order[end - 1]], actions[order[end]])) ++end;
      for (std::size_t j = k; j < end; ++j) {
        const ActionRecord& a = actions[order[j]];
        if (a.kind != ActionKind::Delete) continue;
        for (const auto& p : imgs) {
          if (p.repo != a.repository || !present.count({p.repo, p.digest})) continue;
          const bool lists = std::find(p.children.begin(), p.children.end(), a.digest) != p.children.end();
          CAPTURE(a.digest);
          CHECK_FALSE(lists);  // ImageReferencedByManifestList
        }
      }
      for (std::size_t j = k; j < end; ++j) {
        const ActionRecord& a = actions[order[j]];
        if (a.kind == ActionKind::Delete) {
          deleted_indexes_with_children += a.graph_rank % 3 == 1;
          nested_deleted += a.graph_rank >= 3 && a.graph_rank % 3 != 2;
          present.erase({a.repository, a.digest});
        }
      }
      k = end;
    }
  }
  // The random inputs reach what the test is about.
  CHECK(capped_children > 200);
  CHECK(capped_artifacts > 200);
  CHECK(deleted_indexes_with_children > 100);
  CHECK(nested_deleted > 50);  // nested indexes and listed referrers that went
  CHECK(untags > 100);
  CHECK(untagged_all > 20);   // images left untagged (not on ECR)
  CHECK(untag_expired > 10);  // on ECR: expired with their last tag
}

}  // namespace graph_property
