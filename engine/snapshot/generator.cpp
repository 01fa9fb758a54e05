#include "snapshot/generator.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <unordered_set>
#include <vector>

#include "util/json_writer.h"
#include "util/time.h"

namespace regpol {

namespace {

std::uint64_t splitmix(std::uint64_t& x) {
  std::uint64_t z = (x += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

std::string hex(std::uint64_t& state, int chars) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  while (static_cast<int>(out.size()) < chars) {
    std::uint64_t v = splitmix(state);
    for (int i = 0; i < 16 && static_cast<int>(out.size()) < chars; ++i, v >>= 4) out += digits[v & 15];
  }
  return out;
}

class Writer {
 public:
  explicit Writer(std::FILE* f) : f_(f) { buf_.reserve(1 << 20); }
  ~Writer() { flush(); }
  Writer& operator<<(const std::string& s) {
    buf_ += s;
    if (buf_.size() > (1 << 20)) flush();
    return *this;
  }
  Writer& operator<<(const char* s) { return *this << std::string(s); }
  void flush() {
    std::fwrite(buf_.data(), 1, buf_.size(), f_);
    buf_.clear();
  }

 private:
  std::FILE* f_;
  std::string buf_;
};

struct GenImage {
  std::string digest;
  std::vector<std::string> tags;
  std::vector<std::string> children;
  Micros pushed = 0, pulled = kNoTime, archived = kNoTime;
  std::int64_t size = 0;
  bool index = false, child = false, archived_status = false;
  int findings[5] = {-1, -1, -1, -1, -1};
};

std::string ts(Micros t, bool ecr) {
  std::string s = format_timestamp(t);
  if (ecr) s = s.substr(0, s.size() - 1) + "+00:00";  // AWS CLI v2 prints an offset
  return s;
}

}  // namespace

std::uint64_t generate_snapshot(const GeneratorOptions& o, std::FILE* out) {
  std::mt19937_64 rng(o.seed);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  Micros now = parse_timestamp(o.now).value_or(0);
  const char* teams[] = {"platform", "payments", "search", "data", "web", "mobile", "infra", "ml"};
  const char* words[] = {"api", "worker", "gateway", "ingest", "billing", "auth", "frontend", "scheduler", "indexer", "notifier"};
  Writer w(out);
  bool ecr = o.ecr_format;
  w << (ecr ? "{\"imageDetails\": [" : "{\"schema\": \"regpol.snapshot/v1\", \"capturedAt\": \"" + ts(now, false) + "\", \"images\": [");
  std::uint64_t written = 0;
  std::vector<std::string> repo_names;
  for (std::uint64_t r = 0; r < o.repositories; ++r) {
    std::string repo = std::string(teams[r % 8]) + "/" + words[(r / 8) % 10] + "-" + std::to_string(r);
    repo_names.push_back(repo);
    // Pareto(alpha = 1.5) scaled to the requested mean, capped at 20x the mean.
    double m = static_cast<double>(o.images_per_repository);
    double x = (m / 3.0) / std::pow(1.0 - unit(rng), 1.0 / 1.5);
    auto count = static_cast<std::uint64_t>(std::clamp(std::llround(x), 1LL, static_cast<long long>(m * 20 + 1)));
    std::uint64_t state = o.seed * 0x100000001B3ULL + r;
    std::vector<GenImage> imgs;
    std::unordered_set<std::string> used_tags;  // a tag names one image per repository
    int major = 1, minor = 0, patch = 0;
    Micros t = now - static_cast<Micros>(400 * unit(rng) + 30) * kMicrosPerDay;
    Micros step = static_cast<Micros>((now - t) / static_cast<Micros>(count + 1));
    for (std::uint64_t i = 0; i < count; ++i) {
      GenImage g;
      g.digest = "sha256:" + hex(state, 64);
      t += std::max<Micros>(kMicrosPerSecond, static_cast<Micros>(static_cast<double>(step) * (0.5 + unit(rng))));
      g.pushed = std::min(t, now - kMicrosPerSecond);
      double kind = unit(rng);
      if (kind < 0.30) {
        if (unit(rng) < 0.1) ++major, minor = 0, patch = 0;
        else if (unit(rng) < 0.3) ++minor, patch = 0;
        else ++patch;
        g.tags.push_back("v" + std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch));
        if (unit(rng) < 0.15) g.index = true;
      } else if (kind < 0.55) {
        g.tags.push_back("pr-" + std::to_string(100 + (rng() % 9000)));
      } else if (kind < 0.75) {
        g.tags.push_back(hex(state, 7));
      } else if (kind < 0.80) {
        g.tags.push_back("nightly-" + format_timestamp(g.pushed).substr(0, 10));
      }
      for (auto& tag : g.tags) {
        if (!used_tags.insert(tag).second) {
          tag += "-" + std::to_string(i);
          used_tags.insert(tag);
        }
      }
      g.size = static_cast<std::int64_t>(std::exp(19.0 + 0.8 * (unit(rng) + unit(rng) + unit(rng) - 1.5)));
      if (unit(rng) < 0.6) {
        g.findings[0] = unit(rng) < 0.85 ? 0 : static_cast<int>(rng() % 3) + 1;
        g.findings[1] = static_cast<int>(rng() % 6);
        g.findings[2] = static_cast<int>(rng() % 12);
        g.findings[3] = static_cast<int>(rng() % 20);
        g.findings[4] = static_cast<int>(rng() % 5);
      }
      if (unit(rng) < 0.7) g.pulled = g.pushed + static_cast<Micros>(unit(rng) * static_cast<double>(now - g.pushed));
      if (unit(rng) < 0.05 && now - g.pushed > 60 * kMicrosPerDay) {
        g.archived_status = true;
        g.archived = g.pushed + 30 * kMicrosPerDay;
      }
      imgs.push_back(g);
      const std::size_t parent = imgs.size() - 1;
      if (g.index) {  // two platform images referenced by the index
        for (int c = 0; c < 2; ++c) {
          GenImage child;
          child.digest = "sha256:" + hex(state, 64);
          child.child = true;
          child.pushed = g.pushed;
          child.pulled = g.pulled;
          child.size = g.size / 2;
          child.archived_status = g.archived_status;
          child.archived = g.archived;
          imgs[parent].children.push_back(child.digest);
          imgs.push_back(child);
        }
      }
    }
    // `latest` names the newest release.
    for (std::size_t i = imgs.size(); i-- > 0;) {
      auto& img = imgs[i];
      if (!img.tags.empty() && img.tags[0][0] == 'v') {
        img.tags.emplace_back("latest");
        break;
      }
    }
    for (const auto& g : imgs) {
      std::string e = written ? ",\n" : "\n";
      JsonWriter j(e);
      const char* media_type = g.index ? "application/vnd.oci.image.index.v1+json" : "application/vnd.oci.image.manifest.v1+json";
      auto strings = [&](const char* key, const std::vector<std::string>& list) {
        j.key(key).array();
        for (const auto& x : list) j.string(x);
        j.end();
      };
      if (ecr) {
        j.object().member("registryId", "123456789012").member("repositoryName", repo).member("imageDigest", g.digest);
        if (!g.tags.empty()) strings("imageTags", g.tags);
        j.member("imageSizeInBytes", g.size).member("imagePushedAt", ts(g.pushed, true)).member("imageManifestMediaType", media_type);
        if (g.findings[0] >= 0) {
          j.key("imageScanStatus").object().member("status", "COMPLETE").end();
          j.key("imageScanFindingsSummary").object().key("findingSeverityCounts").object();
          const char* names[] = {"CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL"};
          for (int f = 0; f < 5; ++f) {
            if (g.findings[f] > 0) j.member(names[f], g.findings[f]);
          }
          j.end().end();
        }
        if (g.pulled != kNoTime) j.member("lastRecordedPullTime", ts(g.pulled, true));
        j.member("imageStatus", g.archived_status ? "ARCHIVED" : "ACTIVE");
        if (g.archived != kNoTime) j.member("lastArchivedAt", ts(g.archived, true));
        j.end();
      } else {
        j.object().member("repository", repo).member("digest", g.digest);
        strings("tags", g.tags);
        j.member("sizeBytes", g.size).member("pushedAt", ts(g.pushed, false)).member("manifestMediaType", media_type);
        if (!g.children.empty()) strings("children", g.children);
        if (g.findings[0] >= 0) {
          j.key("findings").object().member("critical", g.findings[0]).member("high", g.findings[1]).member("medium", g.findings[2]);
          j.member("low", g.findings[3]).member("informational", g.findings[4]).end();
        }
        if (g.pulled != kNoTime) j.member("lastPulledAt", ts(g.pulled, false));
        j.member("storageClass", g.archived_status ? "archive" : "standard");
        if (g.archived != kNoTime) j.member("lastArchivedAt", ts(g.archived, false));
        j.end();
      }
      w << e;
      ++written;
    }
  }
  w << "\n]";
  if (!ecr) {
    w << ", \"repositories\": [";
    for (std::size_t r = 0; r < repo_names.size(); ++r) {
      std::string e = r ? ",\n" : "\n";
      JsonWriter(e).object().member("name", repo_names[r]).member("mutability", r % 3 == 0 ? "IMMUTABLE" : "MUTABLE").member("scanOnPush", r % 2 != 0).end();
      w << e;
    }
    w << "\n]";
  }
  w << "}\n";
  return written;
}

}  // namespace regpol
