#include "apply/plan_artifact.h"

#include <algorithm>
#include <map>

#include <nlohmann/json.hpp>

#include "util/read_file.h"
#include "util/sha256.h"

namespace regpol {

using nlohmann::json;

namespace {

constexpr const char* kSchema = "regpol.plan-artifact/v1";

json time_json(Micros t) { return t == kNoTime ? json(nullptr) : json(format_timestamp(t)); }

}  // namespace

namespace {

nlohmann::json artifact_document(const PlanArtifact& a) {
  json repos = json::array();
  for (const auto& r : a.plan.repositories) {
    repos.push_back({{"name", r.name}, {"images", r.images}, {"deletes", r.deletes},
                     {"allowEmpty", r.allow_empty.empty() ? json(nullptr) : json(r.allow_empty)}});
  }
  json actions = json::array();
  for (const auto& x : a.plan.actions) {
    json j = {{"seq", x.seq},
              {"repository", x.repository},
              {"digest", x.digest},
              {"tags", x.tags},
              {"action", action_kind_name(x.kind)},
              {"storageClass", x.storage_class},
              {"sizeBytes", x.size_bytes},
              {"pushedAt", time_json(x.pushed_at)},
              {"rule", {{"priority", x.rule_priority}, {"source", x.rule_source}}},
              {"reason", x.reason}};
    if (!x.registry_id.empty()) j["registryId"] = x.registry_id;
    if (x.kind == ActionKind::Untag) j["untagTags"] = x.untag;
    actions.push_back(std::move(j));
  }
  json doc = {{"schema", kSchema},
              {"now", time_json(a.now)},
              {"policy", {{"file", a.policy_file}, {"sha256", a.policy_sha256}}},
              {"snapshot", {{"files", a.snapshot_files}, {"sha256", a.snapshot_sha256}, {"capturedAt", time_json(a.captured_at)},
                            {"source", a.source.empty() ? json(nullptr) : json(a.source)},
                            {"storeId", a.store_id.empty() ? json(nullptr) : json(a.store_id)}}},
              {"shard", a.shard},
              {"repositories", repos},
              {"actions", actions},
              {"actionsSha256", a.actions_sha256}};
  if (!a.in_use.empty()) {
    json sources = json::array();
    for (const auto& f : a.in_use) {
      sources.push_back({{"file", f.file}, {"readAt", time_json(f.read_at)}, {"references", f.references}, {"images", f.images},
                         {"protected", f.protected_images}});
    }
    doc["inUseSources"] = std::move(sources);
  }
  if (!a.settings.is_null()) doc["settings"] = a.settings;
  if (a.blobs_known) {
    json groups = json::array();
    for (const auto& g : a.freed_groups) groups.push_back({{"bytes", g.bytes}, {"seqs", g.seqs}});
    doc["freedBlobs"] = std::move(groups);
  }
  return doc;
}

}  // namespace

std::string artifact_canonical(const PlanArtifact& a) { return artifact_document(a).dump(); }

std::string plan_artifact_text(const PlanArtifact& a, const std::string& signature, const std::string& key_id) {
  json doc = artifact_document(a);
  doc["artifactSha256"] = sha256_hex(doc.dump());
  if (!signature.empty()) doc["signature"] = {{"algorithm", "ed25519"}, {"keyId", key_id}, {"value", signature}};
  return doc.dump(2) + "\n";
}

namespace {

struct Reader {
  std::string& error;
  std::string where;
  bool fail(const std::string& member, const std::string& what) {
    error = where + ": " + member + ": " + what;
    return false;
  }
  bool str(const json& j, const char* key, std::string& out, const std::string& at, bool optional = false) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return optional ? true : fail(at + key, "missing");
    if (!it->is_string()) return fail(at + key, "must be a string");
    out = it->get<std::string>();
    return true;
  }
  bool i64(const json& j, const char* key, std::int64_t& out, const std::string& at) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_number_integer()) return fail(at + key, "must be an integer");
    out = it->get<std::int64_t>();
    return true;
  }
  bool time(const json& j, const char* key, Micros& out, const std::string& at) {
    std::string s;
    if (!str(j, key, s, at, true)) return false;
    if (s.empty()) {
      out = kNoTime;
      return true;
    }
    auto t = parse_timestamp(s);
    if (!t) return fail(at + key, "not an RFC 3339 time");
    out = *t;
    return true;
  }
};

}  // namespace

bool read_plan_artifact(const std::string& path, PlanArtifact& out, std::string& error) {
  ReadFileResult file = read_file_limited(path, std::size_t{1} << 30);
  if (!file.ok) {
    error = file.error;
    return false;
  }
  return parse_plan_artifact(file.text, path, out, error);
}

bool parse_plan_artifact(const std::string& text, const std::string& name, PlanArtifact& out, std::string& error) {
  out = PlanArtifact{};  // nothing of an artifact read before stays (its actions would be appended to)
  json doc = json::parse(text, nullptr, false);
  Reader r{error, name};
  if (doc.is_discarded() || !doc.is_object()) return r.fail("(document)", "not a JSON object");
  // The whole document is covered: the hash (anyone can recompute it: it catches edits by
  // mistake) and, when present, the signature (only the key's holder can make it).
  {
    json covered = doc;
    covered.erase("artifactSha256");
    covered.erase("signature");
    out.canonical = covered.dump();
    if (!r.str(doc, "artifactSha256", out.artifact_sha256, "/")) return false;
    if (sha256_hex(out.canonical) != out.artifact_sha256)
      return r.fail("/artifactSha256", "does not match the document: the plan was changed after `regpol plan --out` wrote it");
    if (doc.contains("signature")) {
      const json& sig = doc["signature"];
      std::string algorithm;
      if (!sig.is_object()) return r.fail("/signature", "must be an object");
      if (!r.str(sig, "algorithm", algorithm, "/signature/") || !r.str(sig, "value", out.signature, "/signature/") ||
          !r.str(sig, "keyId", out.signature_key_id, "/signature/"))
        return false;
      if (algorithm != "ed25519") return r.fail("/signature/algorithm", "must be ed25519");
    }
  }
  std::string schema;
  if (!r.str(doc, "schema", schema, "/") ) return false;
  if (schema != kSchema) return r.fail("/schema", "expected " + std::string(kSchema) + " (written by `regpol plan --out`)");
  if (!r.time(doc, "now", out.now, "/")) return false;
  if (!doc.contains("policy") || !doc["policy"].is_object()) return r.fail("/policy", "must be an object");
  if (!r.str(doc["policy"], "file", out.policy_file, "/policy/") || !r.str(doc["policy"], "sha256", out.policy_sha256, "/policy/")) return false;
  if (!doc.contains("snapshot") || !doc["snapshot"].is_object()) return r.fail("/snapshot", "must be an object");
  const json& snap = doc["snapshot"];
  if (!r.str(snap, "sha256", out.snapshot_sha256, "/snapshot/") || !r.time(snap, "capturedAt", out.captured_at, "/snapshot/") ||
      !r.str(snap, "source", out.source, "/snapshot/", true) || !r.str(snap, "storeId", out.store_id, "/snapshot/", true))
    return false;
  if (snap.contains("files") && snap["files"].is_array()) {
    for (const auto& f : snap["files"]) {
      if (f.is_string()) out.snapshot_files.push_back(f.get<std::string>());
    }
  }
  if (!r.str(doc, "shard", out.shard, "/")) return false;
  if (doc.contains("settings")) {
    const json& settings = doc["settings"];
    if (!settings.is_array()) return r.fail("/settings", "must be an array");
    for (std::size_t i = 0; i < settings.size(); ++i) {
      const json& c = settings[i];
      const std::string at = "/settings/" + std::to_string(i) + "/";
      if (!c.is_object()) return r.fail(at, "must be an object");
      std::string setting, operation;
      if (!r.str(c, "setting", setting, at) || !r.str(c, "operation", operation, at, true)) return false;
      if (c.contains("repository") && !c["repository"].is_null() && !c["repository"].is_string()) return r.fail(at + "repository", "must be a string or null");
      if (c.contains("request") && !c["request"].is_null() && !c["request"].is_object()) return r.fail(at + "request", "must be an object or null");
    }
    out.settings = settings;
  }
  if (!doc.contains("repositories") || !doc["repositories"].is_array()) return r.fail("/repositories", "must be an array");
  for (std::size_t i = 0; i < doc["repositories"].size(); ++i) {
    const json& j = doc["repositories"][i];
    std::string at = "/repositories/" + std::to_string(i) + "/";
    if (!j.is_object()) return r.fail(at, "must be an object");
    RepositoryCounts c;
    if (!r.str(j, "name", c.name, at) || !r.i64(j, "images", c.images, at) || !r.i64(j, "deletes", c.deletes, at) ||
        !r.str(j, "allowEmpty", c.allow_empty, at, true))
      return false;
    out.plan.repositories.push_back(std::move(c));
  }
  if (!doc.contains("actions") || !doc["actions"].is_array()) return r.fail("/actions", "must be an array");
  for (std::size_t i = 0; i < doc["actions"].size(); ++i) {
    const json& j = doc["actions"][i];
    std::string at = "/actions/" + std::to_string(i) + "/";
    if (!j.is_object()) return r.fail(at, "must be an object");
    ActionRecord a;
    std::string kind;
    if (!r.i64(j, "seq", a.seq, at) || !r.str(j, "repository", a.repository, at) || !r.str(j, "digest", a.digest, at) ||
        !r.str(j, "action", kind, at) || !r.str(j, "storageClass", a.storage_class, at) || !r.i64(j, "sizeBytes", a.size_bytes, at) ||
        !r.time(j, "pushedAt", a.pushed_at, at) || !r.str(j, "reason", a.reason, at) || !r.str(j, "registryId", a.registry_id, at, true))
      return false;
    if (a.seq != static_cast<std::int64_t>(i) + 1) return r.fail(at + "seq", "must be " + std::to_string(i + 1));
    auto parsed_kind = action_kind_from(kind);
    if (!parsed_kind) return r.fail(at + "action", "must be delete, transition or untag");
    a.kind = *parsed_kind;
    if (a.storage_class != "standard" && a.storage_class != "archive") return r.fail(at + "storageClass", "must be standard or archive");
    if (!j.contains("tags") || !j["tags"].is_array()) return r.fail(at + "tags", "must be an array of strings");
    for (const auto& t : j["tags"]) {
      if (!t.is_string()) return r.fail(at + "tags", "must be an array of strings");
      a.tags.push_back(t.get<std::string>());
    }
    if (a.kind == ActionKind::Untag) {
      const auto u = j.find("untagTags");
      if (u == j.end() || !u->is_array() || u->empty()) return r.fail(at + "untagTags", "an untag action needs the tags it removes");
      for (const auto& t : *u) {
        if (!t.is_string() || std::find(a.tags.begin(), a.tags.end(), t.get<std::string>()) == a.tags.end())
          return r.fail(at + "untagTags", "must be tags of the image (its `tags`)");
        a.untag.push_back(t.get<std::string>());
      }
    } else if (j.contains("untagTags")) {
      return r.fail(at + "untagTags", "only an untag action removes tags");
    }
    if (j.contains("rule") && j["rule"].is_object()) {
      if (!r.i64(j["rule"], "priority", a.rule_priority, at + "rule/") || !r.str(j["rule"], "source", a.rule_source, at + "rule/")) return false;
    }
    out.plan.actions.push_back(std::move(a));
  }
  if (auto sources = doc.find("inUseSources"); sources != doc.end()) {
    if (!sources->is_array()) return r.fail("/inUseSources", "must be an array");
    for (std::size_t i = 0; i < sources->size(); ++i) {
      const json& j = (*sources)[i];
      std::string at = "/inUseSources/" + std::to_string(i) + "/";
      if (!j.is_object()) return r.fail(at, "must be an object");
      InUseSourceRecord f;
      if (!r.str(j, "file", f.file, at) || !r.time(j, "readAt", f.read_at, at) || !r.i64(j, "references", f.references, at) ||
          !r.i64(j, "images", f.images, at) || !r.i64(j, "protected", f.protected_images, at))
        return false;
      out.in_use.push_back(std::move(f));
    }
  }
  if (auto groups = doc.find("freedBlobs"); groups != doc.end()) {
    // Each group names delete actions of this artifact, ascending, each once.
    if (!groups->is_array()) return r.fail("/freedBlobs", "must be an array");
    out.blobs_known = true;
    for (std::size_t i = 0; i < groups->size(); ++i) {
      const json& j = (*groups)[i];
      const std::string at = "/freedBlobs/" + std::to_string(i) + "/";
      if (!j.is_object()) return r.fail(at, "must be an object");
      FreedBlobGroup g;
      if (!r.i64(j, "bytes", g.bytes, at)) return false;
      if (g.bytes < 0) return r.fail(at + "bytes", "must not be negative");
      const auto seqs = j.find("seqs");
      if (seqs == j.end() || !seqs->is_array() || seqs->empty()) return r.fail(at + "seqs", "must be a non-empty array of action seqs");
      for (const auto& s : *seqs) {
        if (!s.is_number_integer()) return r.fail(at + "seqs", "must hold integers");
        const auto seq = s.get<std::int64_t>();
        if (seq < 1 || seq > static_cast<std::int64_t>(out.plan.actions.size()) ||
            out.plan.actions[static_cast<std::size_t>(seq - 1)].kind != ActionKind::Delete)
          return r.fail(at + "seqs", "names " + std::to_string(seq) + ", which is not a delete action of this plan");
        if (!g.seqs.empty() && seq <= g.seqs.back()) return r.fail(at + "seqs", "must be ascending, each once");
        g.seqs.push_back(seq);
      }
      out.freed_groups.push_back(std::move(g));
    }
  }
  if (!r.str(doc, "actionsSha256", out.actions_sha256, "/")) return false;
  if (actions_digest(out.plan.actions) != out.actions_sha256) {
    return r.fail("/actionsSha256", "does not match the actions: the plan was changed after `regpol plan --out` wrote it");
  }
  // The counts the rails read are not taken on trust: each repository's deletions must be
  // the artifact's own delete actions, and every action's repository must be listed.
  std::map<std::string, RepositoryCounts*> by_name;
  for (auto& c : out.plan.repositories) {
    if (!by_name.emplace(c.name, &c).second) return r.fail("/repositories", "lists `" + c.name + "` twice");
  }
  std::map<std::string, std::int64_t> deletes;
  for (auto& a : out.plan.actions) {
    auto it = by_name.find(a.repository);
    if (it == by_name.end()) return r.fail("/repositories", "does not list `" + a.repository + "`, which actions name");
    a.allow_empty = !it->second->allow_empty.empty();
    if (a.kind == ActionKind::Delete) ++deletes[a.repository];
  }
  for (const auto& c : out.plan.repositories) {
    if (c.deletes != deletes[c.name] || c.images < c.deletes)
      return r.fail("/repositories", "`" + c.name + "` says " + std::to_string(c.deletes) + " deletions of " + std::to_string(c.images) +
                                         " images, but the actions delete " + std::to_string(deletes[c.name]) + ": the plan was changed after `regpol plan --out` wrote it");
  }
  return true;
}

}  // namespace regpol
