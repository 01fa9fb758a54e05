#include "driver/run_lifecycle.h"

#include "util/read_file.h"

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

namespace regpol {

bool run_policy_lifecycle(const PolicyPlan& plan, const Registry& registry, const LifecycleOptions& options,
                          const std::string& only, PolicyRun& run, std::string& error, const Shard& shard) {
  run.plan_of_repo.assign(registry.repositories.size(), nullptr);
  std::map<int, std::vector<std::uint32_t>> by_scope;
  std::vector<std::uint32_t> no_scope;
  bool found_only = only.empty();
  for (std::uint32_t r = 0; r < registry.repositories.size(); ++r) {
    std::string_view name = registry.str(registry.repositories[r].name);
    if (!only.empty() && name != only) continue;
    found_only = true;
    if (!shard.contains(name)) continue;
    ScopeChoice c = choose_scope(plan, name, Concern::Lifecycle);
    if (c.tied_with >= 0) {
      error = "[E0401] repository `" + std::string(name) + "` matches two lifecycle blocks equally well: " +
              plan.scopes[static_cast<std::size_t>(c.scope)].source + " and " +
              plan.scopes[static_cast<std::size_t>(c.tied_with)].source + " (make one pattern more specific)";
      return false;
    }
    if (c.scope < 0) {
      no_scope.push_back(r);
      continue;
    }
    by_scope[c.scope].push_back(r);
    run.plan_of_repo[r] = &plan.scopes[static_cast<std::size_t>(c.scope)].lifecycle;
  }
  if (!found_only) {
    error = "repository `" + only + "` is not in the snapshot";
    return false;
  }
  std::vector<ScopedPlan> scopes;
  scopes.reserve(by_scope.size() + 1);
  for (auto& [s, repos] : by_scope) scopes.push_back({&plan.scopes[static_cast<std::size_t>(s)].lifecycle, std::move(repos)});
  // Repositories no block covers are still reported (every image kept), with an empty plan.
  static const LifecyclePlan empty;
  if (!no_scope.empty()) scopes.push_back({&empty, no_scope});
  run.result = evaluate_lifecycle(registry, scopes, options);
  return true;
}

ImageRef parse_image_ref(const std::string& ref) {
  ImageRef out;
  auto at = ref.find('@');
  auto colon = ref.rfind(':');
  out.by_digest = at != std::string::npos;
  out.repository = out.by_digest ? ref.substr(0, at) : colon == std::string::npos ? ref : ref.substr(0, colon);
  out.key = out.by_digest ? ref.substr(at + 1) : colon == std::string::npos ? "latest" : ref.substr(colon + 1);
  return out;
}

std::uint32_t find_image(const Registry& reg, const ImageRef& ref, bool digest_prefix) {
  StrId id = reg.strings.find(ref.repository);
  auto it = id ? reg.repo_index.find(id) : reg.repo_index.end();
  if (it == reg.repo_index.end()) return UINT32_MAX;
  for (auto idx : reg.repositories[it->second].images) {
    const Image& img = reg.images[idx];
    if (ref.by_digest) {
      std::string_view d = reg.str(img.digest);
      if (d == ref.key || (digest_prefix && ref.key.size() >= 8 && d.rfind(ref.key, 0) == 0)) return idx;
      continue;
    }
    for (std::uint32_t t = 0; t < img.tag_count; ++t) {
      if (reg.str(reg.tags_of(img)[t]) == ref.key) return idx;
    }
  }
  return UINT32_MAX;
}

namespace {

// Strips a registry host ("123.dkr.ecr.us-east-1.amazonaws.com/") from a reference.
std::string strip_host(const std::string& ref) {
  auto slash = ref.find('/');
  if (slash == std::string::npos) return ref;
  std::string first = ref.substr(0, slash);
  if (first.find('.') != std::string::npos || first.find(':') != std::string::npos || first == "localhost") return ref.substr(slash + 1);
  return ref;
}

// Adds the digest `raw` names; false when it names no image of the snapshot.
bool resolve(const std::string& raw, const Registry& registry, std::unordered_set<std::string>& out) {
  std::string ref = raw;
  for (const char* prefix : {"docker-pullable://", "docker://", "containerd://"}) {
    if (ref.rfind(prefix, 0) == 0) ref = ref.substr(std::string(prefix).size());
  }
  ImageRef r = parse_image_ref(strip_host(ref));
  std::uint32_t idx = find_image(registry, r, false);
  if (r.by_digest) out.insert(r.key);  // protects the digest wherever it is
  else if (idx != UINT32_MAX) out.insert(std::string(registry.str(registry.images[idx].digest)));
  return idx != UINT32_MAX;
}

}  // namespace

bool load_in_use(const std::string& path, const Registry& registry, std::unordered_set<std::string>& out, std::string& error,
                 std::vector<UnmatchedReference>* unmatched) {
  ReadFileResult read = read_file_limited(path, kMaxDocumentBytes);
  if (!read.ok) {
    error = read.error;
    return false;
  }
  const std::string& text = read.text;
  auto note = [&](const std::string& where, const std::string& ref, bool matched) {
    if (!matched && unmatched) unmatched->push_back({where, ref});
  };
  auto first = text.find_first_not_of(" \t\r\n");
  if (first != std::string::npos && text[first] == '{') {
    nlohmann::json doc;
    try {
      doc = nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error& e) {
      error = path + ": byte " + std::to_string(e.byte) + ": malformed JSON";
      return false;
    } catch (const nlohmann::json::exception&) {
      error = path + ": malformed JSON (a number out of range)";
      return false;
    }
    auto items = doc.find("items");
    if (items == doc.end() || !items->is_array()) {
      error = path + ": expected `kubectl get pods -o json` output (an object with `items`)";
      return false;
    }
    std::size_t pod_index = 0;
    for (const auto& pod : *items) {
      std::string where = path + ": items[" + std::to_string(pod_index++) + "]";
      for (const char* section : {"spec", "status"}) {
        if (!pod.contains(section) || !pod[section].is_object()) continue;
        for (const char* list : {"containers", "initContainers", "containerStatuses", "initContainerStatuses"}) {
          const auto& s = pod[section];
          if (!s.contains(list) || !s[list].is_array()) continue;
          for (const auto& c : s[list]) {
            for (const char* field : {"image", "imageID"}) {
              if (!c.contains(field) || !c[field].is_string()) continue;
              const std::string ref = c[field].get<std::string>();
              note(where, ref, resolve(ref, registry, out));
            }
          }
        }
      }
    }
    return true;
  }
  std::istringstream lines(text);
  std::string line;
  for (std::size_t n = 1; std::getline(lines, line); ++n) {
    auto b = line.find_first_not_of(" \t\r");
    if (b == std::string::npos || line[b] == '#') continue;
    auto e = line.find_last_not_of(" \t\r");
    std::string ref = line.substr(b, e - b + 1);
    note(path + ":" + std::to_string(n), ref, resolve(ref, registry, out));
  }
  return true;
}

}  // namespace regpol
