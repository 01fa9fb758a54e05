#include "audit/audit.h"

#include <algorithm>
#include <map>
#include <set>

#include "access/evaluate.h"
#include "access/request.h"
#include "interop/ecr_export.h"
#include "interop/iam_json.h"
#include "settings/drift.h"
#include "util/text.h"

namespace regpol {

namespace {

const std::vector<AuditCheck> kChecks = {
    {"A1001", AuditSeverity::Error, "scan on push is off", "a1001-scan-on-push-is-off"},
    {"A1002", AuditSeverity::Error, "tag mutability differs from the policy", "a1002-tag-mutability-differs-from-the-policy"},
    {"A1003", AuditSeverity::Warning, "tags can be overwritten", "a1003-tags-can-be-overwritten"},
    {"A1004", AuditSeverity::Warning, "no lifecycle", "a1004-no-lifecycle"},
    {"A1005", AuditSeverity::Error, "any AWS account may pull, push or delete", "a1005-any-aws-account-may-pull-push-or-delete"},
    {"A1006", AuditSeverity::Error, "another account may push or delete", "a1006-another-account-may-push-or-delete"},
    {"A1007", AuditSeverity::Error, "the repository policy cannot be read", "a1007-the-repository-policy-cannot-be-read"},
    {"A1008", AuditSeverity::Error, "scan on push differs from the policy", "a1008-scan-on-push-differs-from-the-policy"},
    {"A1009", AuditSeverity::Error, "encryption does not meet the policy's requirement", "a1009-encryption-does-not-meet-the-policys-requirement"},
    {"A1010", AuditSeverity::Error, "registry scanning differs from the policy", "a1010-registry-scanning-differs-from-the-policy"},
    {"A1011", AuditSeverity::Error, "replication differs from the policy", "a1011-replication-differs-from-the-policy"},
    {"A1012", AuditSeverity::Warning, "ECR and regpol both run a lifecycle", "a1012-ecr-and-regpol-both-run-a-lifecycle"},
};

// The settings drift (settings/drift.h) a check reports: setting -> code.
const char* drift_code(const std::string& setting) {
  if (setting == "scanOnPush") return "A1008";
  if (setting == "encryption") return "A1009";
  if (setting == "registryScanning") return "A1010";
  if (setting == "replication") return "A1011";
  if (setting == "lifecyclePolicy") return "A1012";
  return nullptr;  // tag mutability and repository policies have checks of their own (A1002, A1005-A1007)
}

// The AWS CLI call (or the way out) for a drift change.
std::string drift_fix(const SettingChange& c) {
  if (c.setting == "scanOnPush")
    return "aws ecr put-image-scanning-configuration --repository-name " + c.repository + " --image-scanning-configuration scanOnPush=" +
           (c.request["imageScanningConfiguration"].value("scanOnPush", false) ? "true" : "false") + " (or regpol apply --target ecr --settings)";
  if (c.setting == "encryption") return "create a repository with " + c.wanted + " and move the images: ECR sets encryption only at creation";
  if (c.setting == "registryScanning") return "aws ecr put-registry-scanning-configuration --cli-input-json '" + c.request.dump() + "' (or regpol apply --target ecr --settings)";
  if (c.setting == "replication") return "aws ecr put-replication-configuration --cli-input-json '" + c.request.dump() + "' (or regpol apply --target ecr --settings)";
  if (c.setting == "lifecyclePolicy")
    return "aws ecr delete-lifecycle-policy --repository-name " + c.repository + " (or leave `lifecycle` out of the policy for this repository)";
  return {};
}

std::string mutability_text(const char* setting, const std::vector<std::string>& filters) {
  std::string s = setting;
  if (filters.empty()) return s;
  s += " except ";
  for (std::size_t i = 0; i < filters.size(); ++i) s += (i ? ", " : "") + filters[i];
  return s;
}

std::string mutability_fix(const std::string& repository, const MutabilityPlan& m) {
  std::string fix = std::string("aws ecr put-image-tag-mutability --repository-name ") + repository + " --image-tag-mutability " + ecr_mutability_setting(m);
  if (!m.except.empty()) {
    fix += " --image-tag-mutability-exclusion-filters";
    for (const auto& f : m.except) fix += " filterType=WILDCARD,filter=" + f;
  }
  return fix;
}

// An account that none of the repository policy's text names (nor the registry): a
// stranger's, to ask what the policy lets anyone do.
std::string stranger_account(std::string_view policy_text, std::string_view registry_id) {
  for (long long n = 999999999999LL;; --n) {
    std::string id = std::to_string(n);
    if (policy_text.find(id) == std::string_view::npos && id != registry_id) return id;
  }
}

struct Probe {
  const char* group;   // pull, push, delete
  const char* action;  // one action of the group
  bool write;
};
constexpr Probe kProbes[] = {{"pull", "ecr:BatchGetImage", false}, {"push", "ecr:PutImage", true}, {"delete", "ecr:BatchDeleteImage", true}};

// The statement that allows `principal` the probe's action on the repository, or nullptr.
const Statement* allowing(const AccessPlan& plan, const std::string& principal, const Probe& probe, const std::string& repository, Micros now) {
  AccessRequest q;
  q.principal = principal;
  q.action = probe.action;
  q.repository = repository;
  derive_context(q, now);
  AccessResult r = evaluate_access(plan, q);
  return r.decision == AccessDecision::Allow ? r.statement : nullptr;
}

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? (i + 1 == v.size() ? " and " : ", ") : "") + v[i];
  return s;
}

class Auditor {
 public:
  Auditor(const PolicyPlan& policy, const Registry& registry, Micros now) : policy_(policy), reg_(registry), now_(now) {
    // An ECR pull reads every repository's documents: there, a missing one is none. Other
    // snapshots (describe-images output, hand-written files, stores older than the
    // documents' columns) do not say.
    documents_known_ = registry.source.rfind("ecr:", 0) == 0 && !registry.policy_documents_unknown;
  }

  void repository(const Repository& repo, AuditResult& out, const std::vector<const SettingChange*>& drift) {
    const std::string name(reg_.str(repo.name));
    ++out.repositories;
    scanning(repo, name, out);
    mutability(repo, name, out);
    lifecycle(repo, name, out);
    access(repo, name, out);
    settings(drift, out);
  }

  // Settings the policy sets that ECR holds otherwise (its scan, encryption requirement,
  // registry block), as settings drift finds them.
  void settings(const std::vector<const SettingChange*>& drift, AuditResult& out) {
    for (const SettingChange* c : drift) {
      const char* code = drift_code(c->setting);
      if (!code) continue;
      const std::string what = c->setting == "scanOnPush" ? "scan on push" : c->setting == "registryScanning" ? "the registry's scanning"
                               : c->setting == "replication"                                    ? "the registry's replication"
                               : c->setting == "lifecyclePolicy"                                ? "the lifecycle"
                                                                                                : c->setting;
      std::string message = what + (c->repository.empty() ? "" : " of `" + c->repository + "`") + ": ECR holds " + c->current + ", the policy says " + c->wanted;
      add(out, code, c->repository.empty() ? "(registry)" : c->repository, message, drift_fix(*c), c->source);
    }
  }

  void summarize(AuditResult& out) const {
    for (const auto& [what, n] : unknown_) {
      out.not_checked.push_back(what + ": not in the snapshot for " + plural(n, "repository", "repositories"));
    }
  }

 private:
  void add(AuditResult& out, const char* code, const std::string& repository, std::string message, std::string fix, std::string source = {},
           std::string statement = {}) {
    const AuditCheck* check = find_audit_check(code);
    out.findings.push_back({code, check->severity, repository, std::move(message), std::move(fix), std::move(source), std::move(statement)});
  }

  void scanning(const Repository& repo, const std::string& name, AuditResult& out) {
    if (choose_scope(policy_, name, Concern::Scanning).scope >= 0) return;  // the policy decides: A1008
    if (repo.scan_on_push < 0) {
      ++unknown_["scan on push"];
      return;
    }
    if (repo.scan_on_push == 0) {
      add(out, "A1001", name, "images pushed to `" + name + "` are not scanned for vulnerabilities",
          "aws ecr put-image-scanning-configuration --repository-name " + name + " --image-scanning-configuration scanOnPush=true");
    }
  }

  void mutability(const Repository& repo, const std::string& name, AuditResult& out) {
    if (repo.mutability == Mutability::Unknown) {
      ++unknown_["tag mutability"];
      return;
    }
    std::vector<std::string> held;
    for (auto f : repo.mutability_exclusions) held.emplace_back(reg_.str(f));
    ScopeChoice choice = choose_scope(policy_, name, Concern::Mutability);
    const MutabilityPlan* want = choice.scope >= 0 ? &*policy_.scopes[static_cast<std::size_t>(choice.scope)].mutability : nullptr;
    if (want) {
      std::vector<std::string> a = want->except, b = held;
      std::sort(a.begin(), a.end());
      std::sort(b.begin(), b.end());
      if (ecr_mutability_setting(*want) != std::string_view(mutability_name(repo.mutability)) || a != b) {
        add(out, "A1002", name,
            "the policy says " + mutability_text(ecr_mutability_setting(*want), want->except) + ", ECR holds " +
                mutability_text(mutability_name(repo.mutability), held),
            mutability_fix(name, *want), want->source);
      }
      return;
    }
    if (repo.mutability == Mutability::Mutable) {
      add(out, "A1003", name, "every tag of `" + name + "` can be pushed again to another image, release tags included, and no policy block says otherwise",
          "aws ecr put-image-tag-mutability --repository-name " + name +
              " --image-tag-mutability IMMUTABLE_WITH_EXCLUSION --image-tag-mutability-exclusion-filters filterType=WILDCARD,filter=latest"
              " (or `mutability immutable except \"latest\"` in the policy)");
    }
  }

  void lifecycle(const Repository& repo, const std::string& name, AuditResult& out) {
    ScopeChoice choice = choose_scope(policy_, name, Concern::Lifecycle);
    if (choice.scope >= 0 && policy_.scopes[static_cast<std::size_t>(choice.scope)].has_lifecycle) return;  // regpol runs one
    if (repo.lifecycle_policy != kNoStr) return;                                                              // ECR runs one
    if (!documents_known_) {
      ++unknown_["lifecycle policy"];
      return;
    }
    add(out, "A1004", name, "neither ECR nor the policy expires anything in `" + name + "`: images accumulate",
        "a `lifecycle` block for `" + name + "` in the policy (regpol runs it), or aws ecr put-lifecycle-policy --repository-name " + name);
  }

  void access(const Repository& repo, const std::string& name, AuditResult& out) {
    if (repo.repository_policy == kNoStr) {
      if (!documents_known_) ++unknown_["repository policy"];
      return;  // none: only the registry's own account has access
    }
    const std::string text(reg_.str(repo.repository_policy));
    AccessPlan plan;
    std::vector<DocumentProblem> problems;
    if (!access_plan_from_iam_json(name + " repository policy", text, plan, problems)) {
      std::string why = problems.empty() ? "invalid" : (problems[0].pointer.empty() ? "" : problems[0].pointer + ": ") + problems[0].message;
      add(out, "A1007", name, "the repository policy of `" + name + "` is not a valid IAM policy (" + why + "), so who may use it was not checked",
          "aws ecr get-repository-policy --repository-name " + name + ", then fix the document or set it again");
      return;
    }
    std::string owner(reg_.str(repo.registry_id));
    if (owner.empty() && repo.arn != kNoStr) owner = arn_account(std::string(reg_.str(repo.arn)));
    const std::string stranger = "arn:aws:iam::" + stranger_account(text, owner) + ":root";
    std::vector<std::string> open;
    const Statement* by = nullptr;
    for (const auto& probe : kProbes) {
      if (const Statement* s = allowing(plan, stranger, probe, name, now_)) {
        open.emplace_back(probe.group);
        if (!by) by = s;
      }
    }
    if (!open.empty()) {
      add(out, "A1005", name, "any AWS account may " + joined(open) + " in `" + name + "` (a principal of an account the policy never names is allowed)",
          "aws ecr set-repository-policy --repository-name " + name + " with the statement narrowed to named accounts or an organization", {},
          by->label());
      return;  // the accounts the policy names add nothing to "anyone"
    }
    if (owner.empty()) {
      ++unknown_["the registry's account (for cross-account access)"];
      return;
    }
    // Every account the allow statements name, tried as written (or as the account's root).
    std::map<std::string, std::string> principals;  // account -> principal ARN to try
    for (const auto& s : plan.statements) {
      if (!s.allow || s.not_principal) continue;
      for (const auto& p : s.principal.aws) {
        const bool is_account = is_account_id(p);
        std::string account = is_account ? p : arn_account(p);
        if (account.empty() || account == owner) continue;
        const bool literal = !is_account && p.find_first_of("*?") == std::string::npos;
        principals.emplace(account, literal ? p : "arn:aws:iam::" + account + ":root");
      }
    }
    for (const auto& [account, principal] : principals) {
      std::vector<std::string> writes;
      const Statement* first = nullptr;
      for (const auto& probe : kProbes) {
        if (!probe.write) continue;
        if (const Statement* s = allowing(plan, principal, probe, name, now_)) {
          writes.emplace_back(probe.group);
          if (!first) first = s;
        }
      }
      if (!writes.empty()) {
        add(out, "A1006", name, "account " + account + " (" + principal + ") may " + joined(writes) + " in `" + name + "`, which account " + owner + " owns",
            "aws ecr set-repository-policy --repository-name " + name + " without write actions for account " + account, {}, first->label());
      }
    }
  }

  const PolicyPlan& policy_;
  const Registry& reg_;
  Micros now_;
  bool documents_known_ = false;
  std::map<std::string, std::size_t> unknown_;
};

}  // namespace

const std::vector<AuditCheck>& audit_checks() { return kChecks; }

const AuditCheck* find_audit_check(std::string_view code) {
  for (const auto& c : kChecks) {
    if (code == c.code) return &c;
  }
  return nullptr;
}

std::size_t AuditResult::errors() const {
  return static_cast<std::size_t>(std::count_if(findings.begin(), findings.end(), [](const AuditFinding& f) { return f.severity == AuditSeverity::Error; }));
}

std::size_t AuditResult::warnings() const { return findings.size() - errors(); }

AuditResult audit_registry(const PolicyPlan& policy, const Registry& registry, std::string_view only_repository, Micros now) {
  AuditResult out;
  DriftOptions options;
  options.now = now;
  options.only_repository = std::string(only_repository);
  const SettingsDrift drift = settings_drift(policy, registry, options);
  std::map<std::string, std::vector<const SettingChange*>> by_repository;
  for (const auto& c : drift.changes) by_repository[c.repository].push_back(&c);
  Auditor auditor(policy, registry, now);
  auditor.settings(by_repository[""], out);  // the registry's own settings first
  for (const auto& repo : registry.repositories) {
    if (!only_repository.empty() && registry.str(repo.name) != only_repository) continue;
    auditor.repository(repo, out, by_repository[std::string(registry.str(repo.name))]);
  }
  auditor.summarize(out);
  // What the drift could not compare and the checks above do not already say.
  for (const auto& u : drift.unchecked) {
    if (u.rfind("registry scanning", 0) == 0 || u.rfind("replication", 0) == 0 || u.rfind("encryption", 0) == 0 || u.rfind("KMS key", 0) == 0)
      out.not_checked.push_back(u);
  }
  return out;
}

}  // namespace regpol
