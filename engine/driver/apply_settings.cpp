#include "driver/apply_settings.h"

#include <unistd.h>

#include <iostream>
#include <map>

#include "driver/exit_code.h"
#include "driver/settings_drift.h"
#include "driver/snapshots.h"
#include "driver/state_lock.h"
#include "apply/plan_artifact.h"
#include "registry/aws/caller_identity.h"
#include "registry/aws/ecr_pull.h"
#include "settings/drift_report.h"
#include "settings/lockout.h"
#include "snapshot/reader.h"
#include "snapshot/registry_identity.h"
#include "store/state_store.h"
#include "util/sha256.h"
#include "util/signature.h"

namespace regpol {

namespace {

std::string key_of(const SettingChange& c) { return c.repository + "\n" + c.setting; }

std::string line_of(const SettingChange& c) {
  return (c.repository.empty() ? std::string("registry") : c.repository) + " " + c.setting + ": " + c.current + " -> " + c.wanted;
}

// What the registry holds now: its repositories' settings and policies and its own
// configurations, read as a pull reads them (no images).
bool read_registry_settings(aws::EcrClient& client, Registry& out, std::string& error, int& code) {
  aws::PullOptions options;
  options.settings_only = true;
  std::string document;
  aws::PullStats stats;
  Error e;
  if (!aws::pull_ecr_snapshot(client, options, document, stats, e)) {
    error = "reading the registry's settings: " + e.message;
    code = e.retryable() ? kInternal : kBadInput;
    return false;
  }
  LoadError le;
  if (!load_json_snapshot_text("the registry now", document, out, le) || !finish_registry(out, le)) {
    error = "reading the registry's settings: " + le.to_string();
    code = kBadInput;
    return false;
  }
  for (const auto& op : stats.registry_settings_denied) std::cerr << "regpol: note: " << op << " was denied: that configuration is left as it is\n";
  return true;
}

// The settings changes a reviewed plan artifact holds, as drift changes.
bool planned_from_artifact(const SettingsApplyRequest& request, const std::string& now_source, SettingsDrift& out, std::string& error) {
  PlanArtifact artifact;
  if (!read_plan_artifact(*request.plan_path, artifact, error)) return false;
  if (const auto& key = request.verify_key) {
    if (artifact.signature.empty()) return (error = *request.plan_path + " is not signed, and --verify-key asks for a signed plan"), false;
    bool valid = false;
    std::string key_id;
    if (!ed25519_verify(*key, artifact.canonical, artifact.signature, valid, key_id, error)) return false;
    if (!valid) return (error = *request.plan_path + ": the signature does not verify with " + *key), false;
  }
  std::string policy_sha;
  if (!sha256_files({request.policy}, policy_sha, error)) return false;
  if (policy_sha != artifact.policy_sha256)
    return (error = request.policy + " is not the policy " + *request.plan_path + " was planned with (" + artifact.policy_file + "): plan again"), false;
  if (artifact.source != now_source)
    return (error = *request.plan_path + " was planned on a snapshot of " + (artifact.source.empty() ? std::string("an unnamed registry") : artifact.source) +
                    ", not of --target ecr (" + now_source + ")"),
           false;
  out.managed = true;
  if (!artifact.settings.is_array()) return true;  // the plan showed no settings
  for (const auto& c : artifact.settings) {
    SettingChange s;
    s.repository = c.contains("repository") && c["repository"].is_string() ? c["repository"].get<std::string>() : "";
    s.setting = c.value("setting", "");
    s.current = c.value("current", "");
    s.wanted = c.value("wanted", "");
    s.source = c.value("source", "");
    s.operation = c.contains("operation") && c["operation"].is_string() ? c["operation"].get<std::string>() : "";
    if (c.contains("request") && c["request"].is_object()) s.request = c["request"];
    out.changes.push_back(std::move(s));
  }
  return true;
}

}  // namespace

int run_settings_apply(const SettingsApplyRequest& request, const std::function<bool(const std::string&)>& confirm) {
  SourceMap sources;
  CompiledPolicy compiled;
  if (int c = compile_policy_or_fail(request.policy, sources, request.compile, kFindings, "written", compiled); c != kOk) return c;
  const PolicyPlan& policy = compiled.plan;
  if (!policy_manages_settings(policy)) return fail(kFindings, request.policy + " sets no repository or registry setting: nothing to write (docs/enforce.md)");

  EcrConnection ecr;
  std::string err;
  if (!open_ecr(request.ecr, ecr, err)) return fail(kUsage, err);

  std::unique_ptr<StateLock> lock;
  if (int locked = lock_state_file(request.state_path, lock); locked != kOk) return locked;
  auto store = StateStore::open(request.state_path, err);
  if (!store) return fail(kBadInput, err);

  // What the dry run showed: the snapshot's drift (with --pull, the registry's now).
  Registry now_held;
  int code = kOk;
  if (!read_registry_settings(*ecr.client, now_held, err, code)) return fail(code, err);
  Registry snapshot;
  SettingsDrift from_artifact;
  if (request.plan_path) {
    if (!planned_from_artifact(request, now_held.source, from_artifact, err)) return fail(kBadInput, err + "; nothing was written");
  } else if (!request.pull) {
    LoadError le;
    if (!load_snapshots(request.snapshots, snapshot, le)) return fail(kBadInput, le.to_string());
    // The snapshot must be of this registry: settings planned on another would be written here.
    if (snapshot.source.rfind("ecr:", 0) != 0 || snapshot.mixed_sources)
      return fail(kBadInput, "apply --settings needs a snapshot of this registry from `regpol snapshot pull ecr` (its source is " +
                                 (snapshot.source.empty() ? std::string("not recorded") : snapshot.source) + ")");
    if (snapshot.source != now_held.source)
      return fail(kFindings, "the snapshot is of " + snapshot.source + " but --target ecr is " + now_held.source + ": nothing was written");
  }
  const Registry& planned_on = request.pull ? now_held : snapshot;
  const SettingsDrift planned = request.plan_path ? from_artifact : drift_of(policy, planned_on, request.now);
  const SettingsDrift fresh = drift_of(policy, now_held, request.now);

  RunRecord rec;
  rec.target = "ecr " + now_held.source;
  rec.now = request.now;
  rec.source = "settings: " + (request.plan_path ? "plan " + *request.plan_path : "policy " + request.policy) +
               (request.pull ? " on the registry as read now" : "");
  rec.plan_sha256 = "settings";  // never the same inputs as an image run
  if (!sha256_files({request.policy}, rec.policy_sha256, err)) return fail(kBadInput, err);
  if (!request.pull && !request.plan_path && !sha256_files(request.snapshots, rec.snapshot_sha256, err)) return fail(kBadInput, err);

  if (auto open = store->unfinished_run()) {
    if (open->source.rfind("settings:", 0) != 0)
      return fail(kFindings, "run " + std::to_string(open->id) + " (" + open->source + ") did not finish: finish it with `regpol apply` first; nothing was written");
    // A settings run that was stopped: what it wrote is no longer drift, so a new run
    // reading the registry again finishes its work.
    store->finish_run(open->id, "abandoned", "stopped; finished by the next settings run");
    std::cerr << "regpol: settings run " << open->id << " did not finish: the registry was read again and what is left is written now\n";
  }

  // Only what the dry run showed, and only what is still needed.
  std::map<std::string, const SettingChange*> now_by_key;
  for (const auto& c : fresh.changes) now_by_key[key_of(c)] = &c;
  std::vector<const SettingChange*> to_write;
  std::vector<std::string> settled, not_shown, not_written;
  for (const auto& c : planned.changes) {
    auto it = now_by_key.find(key_of(c));
    if (it == now_by_key.end()) {
      settled.push_back(line_of(c));
      continue;
    }
    const SettingChange& n = *it->second;
    if (n.operation.empty()) {
      not_written.push_back(line_of(n) + (n.detail.empty() ? "" : " (" + n.detail + ")"));
      continue;
    }
    if (n.operation != c.operation || n.request != c.request) {
      not_shown.push_back(line_of(n) + ": the registry changed since the snapshot, and the dry run showed another change");
      continue;
    }
    to_write.push_back(&n);
    now_by_key.erase(it);
  }
  for (const auto& [key, c] : now_by_key) {
    if (!c->operation.empty()) {
      bool in_plan = false;
      for (const auto& p : planned.changes) in_plan = in_plan || key_of(p) == key;
      if (!in_plan) not_shown.push_back(line_of(*c) + ": not in the dry run (the registry changed since the snapshot)");
    }
  }
  for (const auto& s : settled) std::cerr << "regpol: already as the policy says: " << s << "\n";
  for (const auto& s : not_shown) std::cerr << "regpol: not written: " << s << "; plan again to see it\n";
  for (const auto& s : not_written) std::cerr << "regpol: checked, not written: " << s << "\n";
  for (const auto& u : fresh.unchecked) std::cerr << "regpol: note: not checked: " << u << "\n";

  if (to_write.empty()) {
    std::cout << "settings: nothing to write" << (planned.changes.empty() ? " (the registry holds what the policy says)" : "") << "\n";
    return not_written.empty() ? kOk : kFindings;
  }

  // The rails, on what the registry holds now.
  std::vector<std::string> refusals;
  if (!request.allow_wider_access) {
    for (const SettingChange* c : to_write) {
      if (c->widens_access)
        refusals.push_back("widening rail: the new repository policy of " + c->repository + " allows what is denied now (" +
                           c->widening_example + "); --allow-wider-access writes it");
    }
  }
  bool touches_policy = false;
  for (const SettingChange* c : to_write) touches_policy = touches_policy || c->setting == "repositoryPolicy";
  if (touches_policy) {
    aws::CallerIdentity me;
    aws::EcrError e;
    if (!aws::get_caller_identity(*ecr.credentials, ecr.client->endpoint().region, "", me, e))
      return fail(e.kind == ErrorKind::Retryable ? kInternal : kBadInput,
                  "sts:GetCallerIdentity (the lockout rail must know who applies): " + e.message + "; nothing was written");
    const std::string owner = registry_identity(now_held).account;
    for (const SettingChange* c : to_write) {
      if (c->setting != "repositoryPolicy") continue;
      const std::string text = c->operation == "SetRepositoryPolicy" ? c->request.value("policyText", "") : "";
      std::string why = lockout_reason(text, me.arn, owner, c->repository, request.now);
      if (!why.empty()) refusals.push_back("lockout rail: " + why);
    }
  }
  if (!refusals.empty()) {
    std::string message;
    for (const auto& r : refusals) message += (message.empty() ? "" : "; ") + r;
    RunRecord refused = rec;
    refused.message = message;
    store->record_refused_run(refused, {});
    for (const auto& r : refusals) std::cerr << "regpol: refused: " << r << "\n";
    return fail(kFindings, "apply --settings refused by its rails; nothing was written");
  }

  std::cout << "settings to write on " << now_held.source << ":\n";
  for (const SettingChange* c : to_write) std::cout << "  " << line_of(*c) << "  (" << c->operation << ")\n";
  if (!request.yes && !confirm("Write " + std::to_string(to_write.size()) + " setting(s)?")) return fail(kFindings, "not confirmed; nothing was written");

  const std::int64_t run = store->begin_run(rec, {});
  for (const SettingChange* c : to_write) store->audit_run_event(run, "setting-planned", line_of(*c) + " (" + c->operation + ")");
  std::size_t written = 0, failed = 0;
  for (const SettingChange* c : to_write) {
    store->audit_run_event(run, "setting-sent", c->operation + " " + (c->repository.empty() ? "registry" : c->repository));
    nlohmann::json answer;
    aws::EcrError e;
    if (ecr.client->call(c->operation, c->request, answer, e)) {
      ++written;
      store->audit_run_event(run, "setting-written", line_of(*c));
      std::cout << "  written: " << line_of(*c) << "\n";
    } else {
      ++failed;
      store->audit_run_event(run, "setting-failed", line_of(*c) + ": " + e.message);
      std::cerr << "regpol: error: " << c->operation << " " << c->repository << ": " << e.message << "\n";
    }
  }
  store->finish_run(run, failed ? "failed" : "finished", failed ? std::to_string(failed) + " setting write(s) failed" : "");
  std::cout << "settings run " << run << ": " << written << " written, " << failed << " failed\n";
  if (failed) return kInternal;
  return not_written.empty() ? kOk : kFindings;
}

}  // namespace regpol
