#include "settings/drift.h"

#include <algorithm>
#include <map>
#include <set>

#include "interop/ecr_export.h"
#include "interop/iam_json.h"
#include "match/wildcard.h"
#include "settings/policy_equivalence.h"
#include "snapshot/registry_identity.h"
#include "util/text.h"

namespace regpol {

using nlohmann::json;

namespace {

std::string listed(const std::vector<std::string>& v) {
  std::string s;
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + v[i];
  return s;
}

std::string mutability_words(const std::string& setting, const std::vector<std::string>& filters) {
  return filters.empty() ? setting : setting + " except " + listed(filters);
}

// The account a snapshot is of: its source's, else a repository's registry id.
std::string registry_account(const Registry& reg) {
  if (std::string account = registry_identity(reg).account; !account.empty()) return account;
  for (const auto& r : reg.repositories) {
    if (r.registry_id != kNoStr) return std::string(reg.str(r.registry_id));
  }
  return {};
}

// The registry scanning configuration in one canonical form (type; rules by frequency,
// filters sorted), for comparing and for saying what ECR holds.
struct ScanningConfig {
  std::string type;
  std::map<std::string, std::vector<std::string>> rules;  // frequency -> sorted filters
  bool operator==(const ScanningConfig& o) const { return type == o.type && rules == o.rules; }
  std::string words() const {
    std::string s = type;
    for (const auto& [freq, filters] : rules) s += "; " + std::string(freq == "SCAN_ON_PUSH" ? "scan on push" : freq == "CONTINUOUS_SCAN" ? "scan continuously" : freq) + " for " + listed(filters);
    return s;
  }
};

bool parse_scanning(const std::string& text, ScanningConfig& out) {
  json j = json::parse(text, nullptr, false);
  if (!j.is_object()) return false;
  out.type = j.value("scanType", "BASIC");
  if (j.contains("rules") && j["rules"].is_array()) {
    for (const auto& r : j["rules"]) {
      if (!r.is_object()) return false;
      auto& filters = out.rules[r.value("scanFrequency", "")];
      if (r.contains("repositoryFilters") && r["repositoryFilters"].is_array()) {
        for (const auto& f : r["repositoryFilters"]) {
          if (f.is_object() && f.contains("filter") && f["filter"].is_string()) filters.push_back(f["filter"].get<std::string>());
        }
      }
      std::sort(filters.begin(), filters.end());
    }
  }
  return true;
}

// Replication rules in canonical form: each rule's sorted destinations and prefixes, the
// rules sorted (ECR applies every rule that matches; their order decides nothing).
using ReplicationRule = std::pair<std::vector<std::pair<std::string, std::string>>, std::vector<std::string>>;

std::string replication_words(const std::vector<ReplicationRule>& rules) {
  if (rules.empty()) return "no replication";
  std::string s;
  for (const auto& [to, prefixes] : rules) {
    std::vector<std::string> names;
    for (const auto& [region, account] : to) names.push_back(region + "/" + account);
    s += (s.empty() ? "" : "; ") + std::string("to ") + listed(names) + (prefixes.empty() ? "" : " for prefix " + listed(prefixes));
  }
  return s;
}

bool parse_replication(const std::string& text, std::vector<ReplicationRule>& out) {
  json j = json::parse(text, nullptr, false);
  if (!j.is_object()) return false;
  if (j.contains("rules") && j["rules"].is_array()) {
    for (const auto& r : j["rules"]) {
      if (!r.is_object()) return false;
      ReplicationRule rule;
      if (r.contains("destinations") && r["destinations"].is_array()) {
        for (const auto& d : r["destinations"]) rule.first.emplace_back(d.value("region", ""), d.value("registryId", ""));
      }
      if (r.contains("repositoryFilters") && r["repositoryFilters"].is_array()) {
        for (const auto& f : r["repositoryFilters"]) rule.second.push_back(f.value("filter", ""));
      }
      std::sort(rule.first.begin(), rule.first.end());
      std::sort(rule.second.begin(), rule.second.end());
      out.push_back(std::move(rule));
    }
  }
  std::sort(out.begin(), out.end());
  return true;
}

SettingChange change(std::string repository, std::string setting, std::string current, std::string wanted, std::string source) {
  SettingChange c;
  c.repository = std::move(repository);
  c.setting = std::move(setting);
  c.current = std::move(current);
  c.wanted = std::move(wanted);
  c.source = std::move(source);
  return c;
}

class DriftFinder {
 public:
  DriftFinder(const PolicyPlan& policy, const Registry& reg, const DriftOptions& options)
      : policy_(policy), reg_(reg), options_(options), account_(registry_account(reg)) {
    documents_known_ = reg.source.rfind("ecr:", 0) == 0 && !reg.policy_documents_unknown;
  }

  void registry(SettingsDrift& out) {
    if (!policy_.registry || !options_.only_repository.empty()) return;
    const RegistrySettingsPlan& r = *policy_.registry;
    if (r.manages_scanning) scanning(r, out);
    if (r.manages_replication) replication(r, out);
  }

  void repository(const Repository& repo, SettingsDrift& out) {
    const std::string name(reg_.str(repo.name));
    ++out.repositories_checked;
    std::string owner(reg_.str(repo.registry_id));
    if (owner.empty()) owner = account_;
    mutability(repo, name, owner, out);
    scan(repo, name, owner, out);
    encryption(repo, name, out);
    access(repo, name, owner, out);
    lifecycle(repo, name, owner, out);
  }

  void summarize(SettingsDrift& out) const {
    for (const auto& [what, n] : unknown_) out.unchecked.push_back(what + ": not in the snapshot for " + plural(n, "repository", "repositories"));
    for (const auto& note : notes_) out.unchecked.push_back(note);
  }

 private:
  const ScopePlan* chosen(const std::string& name, Concern concern) const {
    ScopeChoice c = choose_scope(policy_, name, concern);
    if (c.scope < 0 || c.tied_with >= 0) return nullptr;  // a tie is E0401, reported by plan itself
    return &policy_.scopes[static_cast<std::size_t>(c.scope)];
  }

  static json base_request(const std::string& name, const std::string& owner) {
    json body = json::object();
    if (!owner.empty()) body["registryId"] = owner;
    body["repositoryName"] = name;
    return body;
  }

  void mutability(const Repository& repo, const std::string& name, const std::string& owner, SettingsDrift& out) {
    const ScopePlan* s = chosen(name, Concern::Mutability);
    if (!s) return;
    if (repo.mutability == Mutability::Unknown) {
      ++unknown_["tag mutability"];
      return;
    }
    const MutabilityPlan& want = *s->mutability;
    std::vector<std::string> held, wanted = want.except;
    for (auto f : repo.mutability_exclusions) held.emplace_back(reg_.str(f));
    std::sort(held.begin(), held.end());
    std::sort(wanted.begin(), wanted.end());
    const std::string setting = ecr_mutability_setting(want);
    if (setting == mutability_name(repo.mutability) && held == wanted) return;
    SettingChange c = change(name, "tagMutability", mutability_words(mutability_name(repo.mutability), held), mutability_words(setting, want.except), want.source);
    std::vector<ExportProblem> problems;
    json doc = mutability_to_ecr_json(want, problems);
    if (!problems.empty()) {
      c.detail = "cannot be written: " + problems.front().message;
    } else {
      c.operation = "PutImageTagMutability";
      c.request = base_request(name, owner);
      c.request.update(doc);
    }
    out.changes.push_back(std::move(c));
  }

  void scan(const Repository& repo, const std::string& name, const std::string& owner, SettingsDrift& out) {
    const ScopePlan* s = chosen(name, Concern::Scanning);
    if (!s) return;
    if (repo.scan_on_push < 0) {
      ++unknown_["scan on push"];
      return;
    }
    if ((repo.scan_on_push == 1) == s->scan->on_push) return;
    auto words = [](bool on) { return std::string(on ? "scan on push" : "scan manually"); };
    SettingChange c = change(name, "scanOnPush", words(repo.scan_on_push == 1), words(s->scan->on_push), s->scan->source);
    c.operation = "PutImageScanningConfiguration";
    c.request = base_request(name, owner);
    c.request["imageScanningConfiguration"] = {{"scanOnPush", s->scan->on_push}};
    out.changes.push_back(std::move(c));
  }

  void encryption(const Repository& repo, const std::string& name, SettingsDrift& out) {
    const ScopePlan* s = chosen(name, Concern::Encryption);
    if (!s) return;
    if (repo.encryption == kNoStr) {
      ++unknown_["encryption"];
      return;
    }
    const EncryptionRequirement& want = *s->encryption;
    const std::string held(reg_.str(repo.encryption));
    const std::string key(reg_.str(repo.kms_key));
    std::string wanted_words = want.type + (want.key_pattern.empty() ? "" : " with a key matching " + want.key_pattern);
    std::string held_words = held + (key.empty() ? "" : " with key " + key);
    bool met = held == want.type;
    if (met && !want.key_pattern.empty()) {
      if (key.empty()) {
        ++unknown_["KMS key"];
        return;
      }
      met = wildcard_match(want.key_pattern, key, true);
    }
    if (met) return;
    SettingChange c = change(name, "encryption", held_words, wanted_words, want.source);
    c.detail = "ECR sets a repository's encryption when it is created and cannot change it: create a repository with " + want.type +
               " encryption and move the images (regpol checks this, never writes it)";
    out.changes.push_back(std::move(c));
  }

  std::string first_source(const std::string& name) const {
    for (const auto& s : policy_.scopes) {
      if (s.has_access && scope_specificity(s, name) >= 0) return s.source;
    }
    for (const auto& s : policy_.scopes) {
      if (s.has_access && s.is_defaults) return s.source;
    }
    return {};
  }

  void access(const Repository& repo, const std::string& name, const std::string& owner, SettingsDrift& out) {
    if (!access_managed(policy_, name)) return;
    if (!documents_known_) {
      ++unknown_["repository policy"];
      return;
    }
    AccessPlan rules = access_for(policy_, name);
    std::vector<ExportProblem> problems;
    json wanted_doc = rules.statements.empty() ? json() : access_to_iam_json(rules, problems);
    const std::string source = rules.statements.empty() ? first_source(name) : rules.statements.front().source;
    const bool has_current = repo.repository_policy != kNoStr;
    AccessPlan current, wanted;
    std::vector<DocumentProblem> doc_problems;
    bool current_valid = !has_current || access_plan_from_iam_json(name + " repository policy", std::string(reg_.str(repo.repository_policy)), current, doc_problems);
    if (!problems.empty()) {
      // Not expressible as an IAM document: say so once per repository that differs in words.
      SettingChange c = change(name, "repositoryPolicy", has_current ? "a repository policy" : "no repository policy", "the policy's access rules", problems.front().source);
      c.detail = "cannot be written as an IAM document: " + problems.front().message;
      out.changes.push_back(std::move(c));
      return;
    }
    const std::string wanted_text = wanted_doc.is_null() ? std::string() : wanted_doc.dump();
    if (!wanted_text.empty()) {
      doc_problems.clear();
      if (!access_plan_from_iam_json(name + " wanted policy", wanted_text, wanted, doc_problems)) {
        notes_.push_back("repository policy of `" + name + "`: the exported document does not read back (" +
                         (doc_problems.empty() ? std::string("invalid") : doc_problems.front().message) + "): not compared");
        return;
      }
    }
    auto count_words = [](std::size_t n) { return plural(n, "statement"); };
    std::string current_words = !has_current ? "no repository policy" : current_valid ? "a policy of " + count_words(current.statements.size()) : "an invalid policy";
    std::string wanted_words = wanted_text.empty() ? "no repository policy (only the registry's account)" : "a policy of " + count_words(wanted.statements.size());
    SettingChange c = change(name, "repositoryPolicy", current_words, wanted_words, source);
    if (current_valid) {
      EquivalenceResult eq = compare_cached(current, wanted, has_current ? std::string(reg_.str(repo.repository_policy)) : std::string(), wanted_text, name);
      if (eq.equivalent()) return;
      if (eq.first_wider) c.detail = request_text(eq.first_wider->request) + " is allowed now and would be denied";
      if (eq.second_wider) {
        c.widens_access = true;
        c.widening_example = request_text(eq.second_wider->request);
        c.detail += (c.detail.empty() ? "" : "; ") + c.widening_example + " is denied now and would be allowed";
      }
    } else {
      c.detail = "ECR holds a document that is not a valid IAM policy";
      c.widens_access = !wanted_text.empty();
      if (c.widens_access) c.widening_example = "(the current document cannot be evaluated)";
    }
    if (wanted_text.empty()) {
      if (!has_current) return;
      c.operation = "DeleteRepositoryPolicy";
      c.request = base_request(name, owner);
    } else {
      c.operation = "SetRepositoryPolicy";
      c.request = base_request(name, owner);
      c.request["policyText"] = wanted_text;
    }
    out.changes.push_back(std::move(c));
  }

  // Registries hold the same repository policy on many repositories, and one access block
  // wants the same document for all of them: when neither document names a Resource, the
  // decisions do not depend on the repository, so a pair of texts is compared once.
  EquivalenceResult compare_cached(const AccessPlan& current, const AccessPlan& wanted, const std::string& current_text, const std::string& wanted_text,
                                   const std::string& name) {
    auto names_resource = [](const AccessPlan& p) {
      return std::any_of(p.statements.begin(), p.statements.end(), [](const Statement& s) { return !s.resources.empty() || s.not_resource; });
    };
    if (names_resource(current) || names_resource(wanted)) return compare_access(current, wanted, name, options_.ecr_actions, options_.now);
    auto key = std::make_pair(current_text, wanted_text);
    auto it = compared_.find(key);
    if (it == compared_.end()) it = compared_.emplace(key, compare_access(current, wanted, name, options_.ecr_actions, options_.now)).first;
    EquivalenceResult r = it->second;
    if (r.first_wider) r.first_wider->request.repository = name;
    if (r.second_wider) r.second_wider->request.repository = name;
    return r;
  }

  void lifecycle(const Repository& repo, const std::string& name, const std::string& owner, SettingsDrift& out) {
    const ScopePlan* s = chosen(name, Concern::Lifecycle);
    if (!s || !documents_known_ || repo.lifecycle_policy == kNoStr) return;
    // regpol runs this repository's lifecycle: an ECR lifecycle policy would expire images
    // on its own schedule, by rules the dry run never showed.
    SettingChange c = change(name, "lifecyclePolicy", "an ECR lifecycle policy", "none: regpol runs this repository's lifecycle", s->source);
    c.operation = "DeleteLifecyclePolicy";
    c.request = base_request(name, owner);
    out.changes.push_back(std::move(c));
  }

  void scanning(const RegistrySettingsPlan& r, SettingsDrift& out) {
    if (reg_.scanning_configuration.empty()) {
      notes_.emplace_back("registry scanning: not in the snapshot (pull it with `regpol snapshot pull ecr`)");
      return;
    }
    ScanningConfig held;
    if (!parse_scanning(reg_.scanning_configuration, held)) {
      notes_.emplace_back("registry scanning: the snapshot's configuration is not an ECR scanning configuration");
      return;
    }
    ScanningConfig want;
    bool continuous = false;
    for (const auto& rule : r.scanning_rules) continuous = continuous || rule.frequency == "CONTINUOUS_SCAN";
    want.type = r.scan_type ? *r.scan_type : continuous ? "ENHANCED" : held.type;
    json rules = json::array();
    for (const auto& rule : r.scanning_rules) {
      auto filters = rule.filters;
      std::sort(filters.begin(), filters.end());
      want.rules[rule.frequency] = filters;
      json f = json::array();
      for (const auto& x : rule.filters) f.push_back({{"filter", x}, {"filterType", "WILDCARD"}});
      rules.push_back({{"scanFrequency", rule.frequency}, {"repositoryFilters", f}});
    }
    if (held == want) return;
    SettingChange c = change("", "registryScanning", held.words(), want.words(), r.scan_type ? r.scan_type_source : r.source);
    c.operation = "PutRegistryScanningConfiguration";
    c.request = {{"scanType", want.type}, {"rules", rules}};
    out.changes.push_back(std::move(c));
  }

  void replication(const RegistrySettingsPlan& r, SettingsDrift& out) {
    if (reg_.replication_configuration.empty()) {
      notes_.emplace_back("replication: not in the snapshot (pull it with `regpol snapshot pull ecr`)");
      return;
    }
    std::vector<ReplicationRule> held;
    if (!parse_replication(reg_.replication_configuration, held)) {
      notes_.emplace_back("replication: the snapshot's configuration is not an ECR replication configuration");
      return;
    }
    bool needs_own = false;
    for (const auto& rule : r.replication_rules) {
      for (const auto& d : rule.destinations) needs_own = needs_own || d.account.empty();
    }
    if (needs_own && account_.empty()) {
      notes_.emplace_back("replication: the registry's account is not in the snapshot, so destinations without `account` cannot be compared");
      return;
    }
    // ECR refuses a destination that is the registry itself.
    const std::string own_region = registry_identity(reg_).region;
    for (const auto& rule : r.replication_rules) {
      for (const auto& d : rule.destinations) {
        if (d.region == own_region && (d.account.empty() || d.account == account_)) {
          SettingChange c = change("", "replication", "", "replication to " + d.region + "/" + account_, rule.source);
          c.detail = "cannot be written: ECR does not replicate a registry to itself (" + d.region + ", account " + account_ + ")";
          c.current = "(not compared)";
          out.changes.push_back(std::move(c));
          return;
        }
      }
    }
    std::vector<ReplicationRule> want;
    json rules = json::array();
    for (const auto& rule : r.replication_rules) {
      ReplicationRule canon;
      json to = json::array();
      for (const auto& d : rule.destinations) {
        const std::string account = d.account.empty() ? account_ : d.account;
        canon.first.emplace_back(d.region, account);
        to.push_back({{"region", d.region}, {"registryId", account}});
      }
      canon.second = rule.prefixes;
      std::sort(canon.first.begin(), canon.first.end());
      std::sort(canon.second.begin(), canon.second.end());
      want.push_back(std::move(canon));
      json jr = {{"destinations", to}};
      if (!rule.prefixes.empty()) {
        json f = json::array();
        for (const auto& p : rule.prefixes) f.push_back({{"filter", p}, {"filterType", "PREFIX_MATCH"}});
        jr["repositoryFilters"] = f;
      }
      rules.push_back(std::move(jr));
    }
    std::sort(want.begin(), want.end());
    if (held == want) return;
    SettingChange c = change("", "replication", replication_words(held), replication_words(want), r.replication_rules.front().source);
    c.operation = "PutReplicationConfiguration";
    c.request = {{"replicationConfiguration", {{"rules", rules}}}};
    out.changes.push_back(std::move(c));
  }

  const PolicyPlan& policy_;
  const Registry& reg_;
  const DriftOptions& options_;
  std::string account_;
  bool documents_known_ = false;
  std::map<std::string, std::size_t> unknown_;
  std::vector<std::string> notes_;
  std::map<std::pair<std::string, std::string>, EquivalenceResult> compared_;
};

}  // namespace

std::size_t SettingsDrift::writable() const {
  return static_cast<std::size_t>(std::count_if(changes.begin(), changes.end(), [](const SettingChange& c) { return !c.operation.empty(); }));
}

bool policy_manages_settings(const PolicyPlan& policy) {
  if (policy.registry) return true;
  return std::any_of(policy.scopes.begin(), policy.scopes.end(),
                     [](const ScopePlan& s) { return s.mutability || s.scan || s.encryption || s.has_access; });
}

bool snapshot_has_settings(const Registry& registry) {
  if (registry.source.rfind("ecr:", 0) == 0 || !registry.scanning_configuration.empty() || !registry.replication_configuration.empty()) return true;
  return std::any_of(registry.repositories.begin(), registry.repositories.end(), [](const Repository& r) {
    return r.mutability != Mutability::Unknown || r.scan_on_push >= 0 || r.encryption != kNoStr || r.repository_policy != kNoStr;
  });
}

SettingsDrift settings_drift(const PolicyPlan& policy, const Registry& registry, const DriftOptions& options) {
  SettingsDrift out;
  out.managed = policy_manages_settings(policy) && snapshot_has_settings(registry);
  if (!out.managed) return out;
  DriftFinder finder(policy, registry, options);
  finder.registry(out);
  for (const auto& repo : registry.repositories) {
    if (!options.only_repository.empty() && registry.str(repo.name) != options.only_repository) continue;
    finder.repository(repo, out);
  }
  finder.summarize(out);
  return out;
}

}  // namespace regpol
