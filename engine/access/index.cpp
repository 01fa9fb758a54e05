#include "access/index.h"

#include <algorithm>
#include <cctype>

#include "match/wildcard.h"
#include "util/text.h"

namespace regpol {

namespace {


// The keys under which a statement's principal can be found: exact ARNs and account ids.
// Empty when the statement must always be checked (`*`, orgs, services, NotPrincipal).
std::vector<std::string> principal_keys(const Statement& s) {
  const PrincipalSpec& p = s.principal;
  if (s.not_principal || p.any || !p.orgs.empty()) return {};
  std::vector<std::string> keys;
  for (const auto& a : p.aws) {
    if (is_account_id(a)) keys.push_back("acct:" + a);
    else if (a.size() > 5 && a.compare(a.size() - 5, 5, ":root") == 0 && a.find(":iam::") != std::string::npos) keys.push_back("acct:" + arn_account(a));
    else keys.push_back(a);
  }
  for (const auto& v : p.service) keys.push_back(v);
  for (const auto& v : p.other) keys.push_back(v);
  // A principal string equal to an account id or ARN in the request also matches (see
  // principal_matches); the raw request principal is looked up too, so no key is lost.
  return keys;
}

void add(std::unordered_map<std::string, std::vector<std::uint32_t>>& m, const std::string& k, std::uint32_t i) {
  auto& v = m[k];
  if (v.empty() || v.back() != i) v.push_back(i);
}

}  // namespace

AccessIndex::AccessIndex(const AccessPlan& plan) : plan_(plan) {
  for (std::uint32_t i = 0; i < plan_.statements.size(); ++i) {
    const Statement& s = plan_.statements[i];
    std::vector<std::string> actions;
    for (const auto& a : s.actions) actions.push_back(ascii_lower(a));
    bool exact = !s.not_action && std::none_of(actions.begin(), actions.end(),
                                               [](const std::string& a) { return a.find_first_of("*?") != std::string::npos; });
    auto keys = principal_keys(s);
    auto place = [&](Bucket& b) {
      if (keys.empty()) {
        if (b.any_principal.empty() || b.any_principal.back() != i) b.any_principal.push_back(i);
      } else {
        for (const auto& k : keys) add(b.by_principal, k, i);
      }
    };
    if (exact) {
      for (const auto& a : actions) place(by_action_[a]);
    } else {
      place(generic_);
    }
  }
}

AccessResult AccessIndex::evaluate(const AccessRequest& r) const {
  std::string action = ascii_lower(r.action);
  std::string identity = principal_identity_arn(r.principal);
  std::string account = arn_account(r.principal);
  std::vector<std::uint32_t> candidates;
  auto collect = [&](const Bucket& b) {
    candidates.insert(candidates.end(), b.any_principal.begin(), b.any_principal.end());
    for (const std::string* key : {&r.principal, static_cast<const std::string*>(&identity)}) {
      auto it = b.by_principal.find(*key);
      if (it != b.by_principal.end()) candidates.insert(candidates.end(), it->second.begin(), it->second.end());
    }
    for (const std::string& acct : {account, is_account_id(r.principal) ? r.principal : std::string()}) {
      if (acct.empty()) continue;
      auto it = b.by_principal.find("acct:" + acct);
      if (it != b.by_principal.end()) candidates.insert(candidates.end(), it->second.begin(), it->second.end());
    }
  };
  auto bucket = by_action_.find(action);
  if (bucket != by_action_.end()) collect(bucket->second);
  collect(generic_);
  // IAM's answer does not depend on order, but the deciding statement reported does: keep
  // the plan's order so the first matching deny (or allow) is named, as evaluate_access does.
  std::sort(candidates.begin(), candidates.end());
  candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
  std::size_t k = 0;
  return decide_in_order([&]() -> const Statement* { return k < candidates.size() ? &plan_.statements[candidates[k++]] : nullptr; }, r);
}

}  // namespace regpol
