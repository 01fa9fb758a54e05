// Property test of the language's extensions beyond ECR (by semver, where over versions,
// scans and the repository name, protect clauses with storage classes) against an
// independent model written from docs/language.md: semantic versions recognised with the
// regular expression semver.org publishes (plus the `v` prefix) and ordered by a separate
// implementation of semver 2.0.0 precedence. Tags include many that only look like versions.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <optional>
#include <random>
#include <regex>
#include <set>

#include "driver/compile.h"
#include "driver/run_lifecycle.h"
#include "snapshot/reader.h"
#include "test_util.h"

using namespace regpol;

// Named, not anonymous: a unity build puts several test files in one translation unit.
namespace lifecycle_extensions_property {

constexpr Micros kNow = 1795737600LL * kMicrosPerSecond;  // 2026-11-27T00:00:00Z

struct Img {
  std::string repo, digest;
  std::vector<std::string> tags;
  Micros pushed = 0, archived = kNoTime;
  bool archive = false;
  int scan = 0;  // 0: no summary, 1: empty summary (clean scan), 2: critical findings
  int critical = 0;
};

const std::vector<std::string> kRepos = {"backend/api", "backend", "web/app"};
const std::vector<std::string> kTags = {"v1.3.0", "1.2.0", "v2.0.0-rc.1", "2.0.0-rc.10", "2.0.0-rc.9", "20260101", "v1.5",
                                        "V2.0.0", "1.02.0", "v01.2.3", "latest", "10.0.0", "9.9.9", "x", "1.0.0-rc.01",
                                        "2024.10", "v1", "1.0.0-beta..1", "2.0.0", "v10.0.0-alpha.beta", "1234"};

// --- the model -------------------------------------------------------------------------
// semver.org's regular expression for a version, with regpol's optional lower-case `v`.
const std::regex kSemverRe(
    R"(^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$)");

struct Version {
  std::vector<std::string> core;  // major, minor, patch
  std::vector<std::string> pre;
};

std::optional<Version> version_of(const std::string& tag) {
  std::smatch m;
  if (!std::regex_match(tag, m, kSemverRe)) return std::nullopt;
  Version v{{m[1], m[2], m[3]}, {}};
  if (m[4].matched) {
    std::string p = m[4];
    std::size_t start = 0;
    for (std::size_t i = 0; i <= p.size(); ++i) {
      if (i == p.size() || p[i] == '.') v.pre.push_back(p.substr(start, i - start)), start = i + 1;
    }
  }
  return v;
}

bool numeric(const std::string& s) { return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }); }
int cmp_num(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}
int cmp_version(const Version& a, const Version& b) {
  for (int i = 0; i < 3; ++i) {
    if (int c = cmp_num(a.core[i], b.core[i])) return c;
  }
  if (a.pre.empty() != b.pre.empty()) return a.pre.empty() ? 1 : -1;
  for (std::size_t i = 0; i < a.pre.size() && i < b.pre.size(); ++i) {
    bool na = numeric(a.pre[i]), nb = numeric(b.pre[i]);
    int c = na && nb ? cmp_num(a.pre[i], b.pre[i]) : na != nb ? (na ? -1 : 1) : a.pre[i] < b.pre[i] ? -1 : a.pre[i] > b.pre[i] ? 1 : 0;
    if (c) return c;
  }
  return a.pre.size() == b.pre.size() ? 0 : a.pre.size() < b.pre.size() ? -1 : 1;
}
std::optional<Version> best_version(const Img& m) {
  std::optional<Version> best;
  for (const auto& t : m.tags) {
    auto v = version_of(t);
    if (v && (!best || cmp_version(*v, *best) > 0)) best = v;
  }
  return best;
}

// One rule or protect clause of the random policy, as source and as the model reads it.
struct Clause {
  std::string source;
  bool archive_class = false;   // a rule's `in archive`
  int storage = 0;              // protect: 0 both classes, 1 standard, 2 archive
  enum Kind { KeepSemver, KeepSemverVersioned, RepoAge, CleanAge, ArchivedAge, ProtectLatest, ProtectMajor10, ProtectAny } kind;
  int n = 0;
};

bool where_holds(const Clause& c, const Img& m) {
  switch (c.kind) {
    case Clause::KeepSemverVersioned: return best_version(m).has_value();
    case Clause::RepoAge: return m.repo.rfind("backend/", 0) == 0;
    case Clause::CleanAge: return m.scan != 0 && (m.scan == 1 || m.critical == 0);
    case Clause::ProtectLatest: return std::find(m.tags.begin(), m.tags.end(), "latest") != m.tags.end();
    case Clause::ProtectMajor10: {
      auto v = best_version(m);
      return v && cmp_num(v->core[0], "10") >= 0;
    }
    default: return true;
  }
}

std::map<std::string, std::string> model(const std::vector<Img>& imgs, const std::vector<Clause>& rules, const std::vector<Clause>& protects) {
  std::map<std::string, std::string> out;
  for (const auto& repo : kRepos) {
    std::vector<const Img*> all;
    for (const auto& m : imgs) {
      if (m.repo == repo) all.push_back(&m);
    }
    std::set<const Img*> claimed;
    std::map<const Img*, std::string> action;
    for (const auto& r : rules) {
      std::vector<const Img*> matched;
      for (const Img* m : all) {
        if (m->archive == r.archive_class && where_holds(r, *m)) matched.push_back(m);
      }
      std::vector<const Img*> cand;
      if (r.kind == Clause::KeepSemver || r.kind == Clause::KeepSemverVersioned) {
        std::vector<const Img*> order = matched;
        std::sort(order.begin(), order.end(), [](const Img* a, const Img* b) {
          auto va = best_version(*a), vb = best_version(*b);
          if (va && vb) {
            if (int c = cmp_version(*va, *vb)) return c > 0;
          } else if (va || vb) {
            return va.has_value();
          }
          return a->pushed != b->pushed ? a->pushed > b->pushed : a->digest < b->digest;
        });
        for (std::size_t i = static_cast<std::size_t>(r.n); i < order.size(); ++i) cand.push_back(order[i]);
      } else {
        for (const Img* m : matched) {
          Micros ref = r.kind == Clause::ArchivedAge ? m->archived : m->pushed;
          if (ref != kNoTime && ref < kNow - r.n * kMicrosPerDay) cand.push_back(m);
        }
      }
      for (const Img* m : cand) {
        if (!claimed.count(m) && !action.count(m)) action[m] = "expire";
      }
      claimed.insert(matched.begin(), matched.end());
    }
    for (const Img* m : all) {
      std::string verdict = action.count(m) ? action[m] : "keep";
      for (const auto& p : protects) {
        bool in_class = p.storage == 0 || (p.storage == 2) == m->archive;
        if (in_class && where_holds(p, *m)) verdict = "keep";
      }
      out[m->digest] = verdict;
    }
  }
  return out;
}

// --- random inputs -----------------------------------------------------------------------
std::vector<Img> random_images(std::mt19937& rng) {
  std::vector<Img> out;
  std::map<std::string, std::set<std::string>> used;  // a tag names one image per repository
  int n = 1 + static_cast<int>(rng() % 14);
  for (int i = 0; i < n; ++i) {
    Img m;
    m.repo = kRepos[rng() % kRepos.size()];
    char hex[65];
    for (int k = 0; k < 64; ++k) hex[k] = "0123456789abcdef"[rng() % 16];
    hex[64] = 0;
    m.digest = std::string("sha256:") + hex;
    m.pushed = kNow - static_cast<Micros>(rng() % 6) * 10 * kMicrosPerDay;  // ties are common
    std::set<std::string> tags;
    for (int t = static_cast<int>(rng() % 3); t > 0; --t) {
      const std::string& tag = kTags[rng() % kTags.size()];
      if (used[m.repo].insert(tag).second) tags.insert(tag);
    }
    m.tags.assign(tags.begin(), tags.end());
    m.archive = rng() % 4 == 0;
    if (m.archive) m.archived = kNow - static_cast<Micros>(rng() % 40) * kMicrosPerDay;
    m.scan = static_cast<int>(rng() % 3);
    if (m.scan == 2) m.critical = static_cast<int>(rng() % 3);
    out.push_back(std::move(m));
  }
  return out;
}

std::string to_json(const std::vector<Img>& imgs) {
  std::vector<testing::DescribedImage> out;
  for (const Img& m : imgs) {
    testing::DescribedImage d = testing::described_image(m);
    d.size_bytes = 100;
    if (m.archive) {
      d.status = "ARCHIVED";
      d.archived = m.archived;
    }
    d.critical = m.scan == 0 ? -1 : m.scan == 1 ? 0 : m.critical;
    out.push_back(std::move(d));
  }
  return testing::describe_images_json(out);
}

Clause random_rule(std::mt19937& rng) {
  Clause c;
  c.kind = static_cast<Clause::Kind>(rng() % 5);
  c.n = 1 + static_cast<int>(rng() % 3);
  std::string d = std::to_string(c.n * 10) + "d";
  switch (c.kind) {
    case Clause::KeepSemver: c.source = "select any\n      keep newest " + std::to_string(c.n) + " by semver"; break;
    case Clause::KeepSemverVersioned:
      c.source = "select any where has_semver\n      keep newest " + std::to_string(c.n) + " by semver";
      break;
    case Clause::RepoAge: c.n *= 10, c.source = "select any where repository like \"backend/*\"\n      expire older than " + d; break;
    case Clause::CleanAge: c.n *= 10, c.source = "select any where scanned and findings.critical == 0\n      expire older than " + d; break;
    default:
      c.kind = Clause::ArchivedAge;
      c.n *= 10;
      c.archive_class = true;
      c.source = "select any in archive\n      expire archived for " + d;
  }
  return c;
}

Clause random_protect(std::mt19937& rng) {
  Clause c;
  c.kind = static_cast<Clause::Kind>(Clause::ProtectLatest + static_cast<int>(rng() % 3));
  c.storage = static_cast<int>(rng() % 3);
  std::string sel = c.kind == Clause::ProtectLatest ? "tagged pattern [\"latest\"]"
                    : c.kind == Clause::ProtectMajor10 ? "any where has_semver and semver.major >= 10"
                                                       : "any";
  // `where` comes after `in`.
  std::string in = c.storage == 1 ? " in standard" : c.storage == 2 ? " in archive" : "";
  auto w = sel.find(" where");
  if (w == std::string::npos) sel += in;
  else sel.insert(w, in);
  c.source = "protect " + sel;
  return c;
}


TEST_CASE("extensions beyond ECR agree with an independent model on random policies and snapshots") {
  std::mt19937 rng(20261128);
  int versioned_images = 0, lookalike_only = 0, protected_archived = 0;
  for (int iteration = 0; iteration < 600; ++iteration) {
    std::vector<Clause> rules, protects;
    std::string src = "repository \"*\" {\n  lifecycle {\n";
    int n = 1 + static_cast<int>(rng() % 3);
    bool any_archived_rule = false;
    for (int i = 0; i < n; ++i) {
      Clause c = random_rule(rng);
      if (c.kind == Clause::ArchivedAge) {
        if (any_archived_rule) continue;
        any_archived_rule = true;
      }
      rules.push_back(c);
      src += "    rule " + std::to_string(rules.size()) + " {\n      " + c.source + "\n    }\n";
    }
    for (int p = static_cast<int>(rng() % 3); p > 0; --p) {
      protects.push_back(random_protect(rng));
      src += "    " + protects.back().source + "\n";
    }
    src += "  }\n}\n";
    SourceMap sources;
    DiagnosticSink sink;
    CompiledPolicy compiled = compile_policy_text("p.regpol", src, sources, sink);
    INFO(src);
    REQUIRE(compiled.ok);

    auto imgs = random_images(rng);
    INFO(to_json(imgs));
    Registry reg;
    LoadError err;
    REQUIRE(load_json_snapshot_text("random.json", to_json(imgs), reg, err));
    INFO(err.to_string());
    REQUIRE(finish_registry(reg, err));
    LifecycleOptions opt;
    opt.now = kNow;
    opt.threads = 1 + static_cast<unsigned>(iteration % 3);
    PolicyRun run;
    std::string error;
    REQUIRE(run_policy_lifecycle(compiled.plan, reg, opt, "", run, error));
    REQUIRE(run.result.errors.empty());

    auto want = model(imgs, rules, protects);
    for (std::uint32_t i = 0; i < reg.images.size(); ++i) {
      std::string digest(reg.str(reg.images[i].digest));
      auto v = run.result.decisions[i].verdict;
      std::string got = v == Verdict::Expire ? "expire" : v == Verdict::Transition ? "transition" : "keep";
      CAPTURE(digest);
      CHECK(got == want[digest]);
    }
    for (const auto& m : imgs) {
      bool any_version = best_version(m).has_value();
      versioned_images += any_version;
      lookalike_only += !any_version && !m.tags.empty() && m.tags[0] != "latest" && m.tags[0] != "x";
      protected_archived += m.archive && !protects.empty();
    }
  }
  // The random inputs reach what the test is about.
  CHECK(versioned_images > 500);
  CHECK(lookalike_only > 500);
  CHECK(protected_archived > 200);
}

}  // namespace lifecycle_extensions_property
