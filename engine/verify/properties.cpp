#include "verify/properties.h"

#include <algorithm>

#include "match/wildcard.h"
#include "verify/glob_classes.h"

namespace regpol {

AccessPlan access_of(const AccessSource& source, const std::string& repository) {
  return source.policy ? access_for(*source.policy, repository) : source.document;
}

bool covered_repository_classes(const std::vector<std::string>& globs, const std::vector<std::string>& excepts,
                                const std::vector<const PolicyPlan*>& policies, std::vector<std::string>& out) {
  std::vector<GlobPattern> patterns;
  // "?*" sets the empty name apart: it is no repository, and its class's witness would
  // otherwise stand for names that are.
  patterns.push_back({"?*", false});
  for (const auto& g : globs) patterns.push_back({g, false});
  for (const auto& e : excepts) patterns.push_back({e, false});
  for (const PolicyPlan* p : policies) {
    for (const auto& scope : p->scopes) {
      for (const auto& s : scope.patterns) patterns.push_back({s, false});
      for (const auto& s : scope.excepts) patterns.push_back({s, false});
    }
  }
  std::vector<std::string> witnesses;
  out.clear();
  if (!glob_class_witnesses(patterns, 20000, witnesses)) return false;
  for (const auto& w : witnesses) {
    if (w.empty()) continue;
    auto matches = [&](const std::string& g) { return wildcard_match(g, w, /*question_mark=*/true); };
    if (std::any_of(globs.begin(), globs.end(), matches) && std::none_of(excepts.begin(), excepts.end(), matches)) out.push_back(w);
  }
  return true;
}

PropertyResult prove_property(const PolicyPlan& policy, const PropertyPlan& property, const AccessSource* than, const ProofOptions& options) {
  PropertyResult out;
  std::vector<const PolicyPlan*> policies{&policy};
  if (property.kind == PropertyPlan::Kind::NoNewAccess && than && than->policy) policies.push_back(than->policy);
  std::vector<std::string> repositories;
  if (!covered_repository_classes(property.repositories, property.excepts, policies, repositories)) {
    out.proof.why = "the repository patterns have too many classes";
    return out;
  }
  if (property.defaults_only) {
    // The defaults block governs only the names no other block matches.
    std::erase_if(repositories, [&](const std::string& name) {
      return std::any_of(policy.scopes.begin(), policy.scopes.end(),
                         [&](const ScopePlan& s) { return !s.is_defaults && scope_specificity(s, name) >= 0; });
    });
  }
  if (repositories.empty()) {
    // The globs cover no repository at all (every name excepted): nothing to disprove.
    out.proof.outcome = ProofOutcome::Proved;
    return out;
  }
  const AccessSource self{&policy, {}};
  bool unknown = false;
  for (const auto& repository : repositories) {
    ++out.repositories_checked;
    const AccessPlan plan = access_of(self, repository);
    ProofResult r;
    switch (property.kind) {
      case PropertyPlan::Kind::Never: r = prove_never_allowed(plan, property.statement, repository, options); break;
      case PropertyPlan::Kind::Always: r = prove_always_allowed(plan, property.statement, repository, options); break;
      case PropertyPlan::Kind::NoNewAccess:
        if (!than) {
          r.why = "no policy to compare with";
          break;
        }
        r = prove_no_new_access(access_of(*than, repository), plan, repository, options);
        // The new policy's deciding statement is the one that matters: say it alone.
        if (r.decided_by.size() == 2) r.decided_by.erase(r.decided_by.begin());
        if (r.decided_at.size() == 2) r.decided_at.erase(r.decided_at.begin());
        break;
    }
    if (r.outcome == ProofOutcome::Failed || r.internal_error) {
      out.proof = std::move(r);
      out.repository = repository;
      return out;
    }
    if (r.outcome == ProofOutcome::Unknown && !unknown) {
      unknown = true;
      out.proof = std::move(r);
      out.repository = repository;
    }
  }
  if (!unknown) out.proof.outcome = ProofOutcome::Proved;
  return out;
}

}  // namespace regpol
