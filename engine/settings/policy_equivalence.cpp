#include "settings/policy_equivalence.h"

#include <algorithm>
#include <map>
#include <set>

#include "access/evaluate.h"
#include "util/json_writer.h"
#include "util/time.h"

namespace regpol {

namespace {

// A concrete value for a pattern: wildcards filled in.
std::string example_of(const std::string& pattern) {
  std::string out;
  for (char c : pattern) out += c == '*' ? std::string("probe") : c == '?' ? std::string("p") : std::string(1, c);
  return out;
}

bool is_numeric(CondOp op) { return op >= CondOp::NumericEquals && op <= CondOp::NumericGreaterThanEquals; }
bool is_date(CondOp op) { return op >= CondOp::DateEquals && op <= CondOp::DateGreaterThanEquals; }
bool is_ip(CondOp op) { return op == CondOp::IpAddress || op == CondOp::NotIpAddress; }

std::string cidr_address(const Cidr& c) {
  if (c.v6) {
    std::string out;
    static const char* hex = "0123456789abcdef";
    for (int i = 0; i < 16; i += 2) {
      if (i) out += ':';
      for (int k = i; k < i + 2; ++k) {
        out += hex[c.addr[static_cast<std::size_t>(k)] >> 4];
        out += hex[c.addr[static_cast<std::size_t>(k)] & 15];
      }
    }
    return out;
  }
  return std::to_string(c.addr[0]) + "." + std::to_string(c.addr[1]) + "." + std::to_string(c.addr[2]) + "." + std::to_string(c.addr[3]);
}

std::string number_text(double v) {
  std::string out;
  append_json_number(out, v);
  return out;
}

// The values worth trying for a condition: each one it compares with, its neighbours for
// ordered comparisons, and one it does not name.
void condition_values(const Condition& c, std::set<std::string>& out) {
  for (const auto& v : c.values) {
    if (is_numeric(c.op)) {
      out.insert(number_text(v.number));
      out.insert(number_text(v.number - 1));
      out.insert(number_text(v.number + 1));
    } else if (is_date(c.op)) {
      for (Micros d : {Micros{0}, -kMicrosPerSecond, kMicrosPerSecond}) out.insert(format_timestamp(v.instant + d));
    } else if (is_ip(c.op)) {
      // The block's first and last address, and the one just past it: two blocks that
      // differ in prefix length differ on one of these.
      Cidr last = v.cidr;
      const int bits = v.cidr.v6 ? 128 : 32;
      for (int b = v.cidr.prefix; b < bits; ++b) last.addr[static_cast<std::size_t>(b / 8)] |= static_cast<std::uint8_t>(0x80 >> (b % 8));
      Cidr next = last;
      for (int i = bits / 8 - 1; i >= 0 && ++next.addr[static_cast<std::size_t>(i)] == 0; --i) {
      }
      out.insert(cidr_address(v.cidr));
      out.insert(cidr_address(last));
      out.insert(cidr_address(next));
    } else if (c.op == CondOp::StringLike || c.op == CondOp::StringNotLike || c.op == CondOp::ArnLike || c.op == CondOp::ArnNotLike) {
      out.insert(example_of(v.text));
    } else {
      out.insert(v.text);
    }
  }
  if (c.op == CondOp::Bool || c.op == CondOp::Null) {
    out.insert("true");
    out.insert("false");
  } else if (is_numeric(c.op)) {
    out.insert("-7");
  } else if (is_date(c.op)) {
    out.insert("1999-01-01T00:00:00Z");
  } else if (is_ip(c.op)) {
    out.insert("192.0.2.77");
  } else {
    out.insert("regpol-unnamed-value");
  }
}

// An account that neither policy names.
std::string stranger_account(const std::set<std::string>& named) {
  for (long long n = 999999999999LL;; --n) {
    std::string id = std::to_string(n);
    if (!named.count(id)) return id;
  }
}

}  // namespace

namespace {

// Visits every request of the corpus; `visit` returns false to stop. One request object per
// principal and context is built (the context IAM derives from the principal included) and
// only its action changes in between: the corpus is never held whole.
template <class Visit>
void for_each_request(const AccessPlan& a, const AccessPlan& b, const std::string& repository, const std::vector<std::string>& ecr_actions,
                      Micros now, Visit visit) {
  std::set<std::string> principals, accounts, actions(ecr_actions.begin(), ecr_actions.end()), orgs;
  std::map<std::string, std::set<std::string>> keys;  // condition key (lower case) -> values to try
  for (const AccessPlan* plan : {&a, &b}) {
    for (const auto& s : plan->statements) {
      for (const auto& p : s.principal.aws) {
        if (p == "*") continue;
        if (is_account_id(p)) {
          accounts.insert(p);
          continue;
        }
        std::string arn = example_of(p);
        principals.insert(arn);
        std::string account = arn_account(arn);
        if (is_account_id(account)) accounts.insert(account);
        // A role's sessions are principals of their own (the session ARN).
        if (auto at = arn.find(":role/"); at != std::string::npos && arn.rfind("arn:aws:iam::", 0) == 0)
          principals.insert("arn:aws:sts::" + account + ":assumed-role/" + arn.substr(at + 6) + "/regpol-session");
      }
      for (const auto& sv : s.principal.service) principals.insert(sv);
      for (const auto& o : s.principal.orgs) orgs.insert(o);
      for (const auto& act : s.actions) {
        if (act.find_first_of("*?") == std::string::npos) actions.insert(act);
      }
      for (const auto& c : s.conditions) {
        // Keys IAM derives from the principal are tried through principals that have the
        // values compared with: a request cannot set them apart from who makes it.
        if (c.key_lower == "aws:principalarn") {
          for (const auto& v : c.values) principals.insert(example_of(v.text));
          continue;
        }
        if (c.key_lower == "aws:principalaccount") {
          for (const auto& v : c.values) {
            if (is_account_id(v.text)) accounts.insert(v.text);
          }
          continue;
        }
        condition_values(c, keys[c.key_lower]);
      }
    }
  }
  for (const auto& acc : accounts) {
    principals.insert("arn:aws:iam::" + acc + ":root");
    principals.insert("arn:aws:iam::" + acc + ":role/regpol-probe");
    principals.insert("arn:aws:sts::" + acc + ":assumed-role/regpol-probe/regpol-session");
  }
  const std::string stranger = stranger_account(accounts);
  principals.insert("arn:aws:iam::" + stranger + ":root");
  principals.insert("arn:aws:iam::" + stranger + ":role/regpol-probe");
  for (const auto& o : orgs) keys["aws:principalorgid"].insert(o);
  if (!orgs.empty()) keys["aws:principalorgid"].insert("o-regpolunnamed");

  // Contexts: none; each key alone at each value; every key at once at its i-th value.
  std::vector<std::map<std::string, AccessRequest::Value>> contexts(1);
  std::size_t widest = 0;
  for (const auto& [key, values] : keys) {
    widest = std::max(widest, values.size());
    for (const auto& v : values) contexts.push_back({{key, AccessRequest::Value{{v}, false}}});
  }
  for (std::size_t i = 0; keys.size() > 1 && i < widest; ++i) {
    std::map<std::string, AccessRequest::Value> all;
    for (const auto& [key, values] : keys) {
      auto it = values.begin();
      std::advance(it, static_cast<long>(std::min(i, values.size() - 1)));
      all[key] = AccessRequest::Value{{*it}, false};
    }
    contexts.push_back(std::move(all));
  }

  for (const auto& p : principals) {
    for (const auto& ctx : contexts) {
      AccessRequest q;
      q.principal = p;
      q.repository = repository;
      q.context = ctx;
      derive_context(q, now);
      for (const auto& act : actions) {
        q.action = act;
        if (!visit(q)) return;
      }
    }
  }
}

}  // namespace

std::vector<AccessRequest> comparison_requests(const AccessPlan& a, const AccessPlan& b, const std::string& repository,
                                               const std::vector<std::string>& ecr_actions, Micros now) {
  std::vector<AccessRequest> out;
  for_each_request(a, b, repository, ecr_actions, now, [&](const AccessRequest& q) {
    out.push_back(q);
    return true;
  });
  return out;
}

EquivalenceResult compare_access(const AccessPlan& a, const AccessPlan& b, const std::string& repository,
                                 const std::vector<std::string>& ecr_actions, Micros now) {
  EquivalenceResult result;
  for_each_request(a, b, repository, ecr_actions, now, [&](const AccessRequest& q) {
    ++result.requests;
    const bool first = evaluate_access(a, q).decision == AccessDecision::Allow;
    const bool second = evaluate_access(b, q).decision == AccessDecision::Allow;
    if (first == second) return true;
    auto& slot = first ? result.first_wider : result.second_wider;
    if (!slot) slot = DecisionDifference{q, first};
    return !(result.first_wider && result.second_wider);
  });
  return result;
}

std::string request_text(const AccessRequest& r) {
  std::string out = r.principal + " " + r.action + " on " + r.repository + (r.tag.empty() ? "" : ":" + r.tag);
  std::string ctx;
  for (const auto& [key, v] : r.context) {
    if (key == "aws:principalarn" || key == "aws:principalaccount" || key == "aws:currenttime" || key == "aws:epochtime") continue;
    for (const auto& x : v.values) ctx += (ctx.empty() ? "" : ", ") + key + "=" + x;
  }
  return out + (ctx.empty() ? "" : " (" + ctx + ")");
}

}  // namespace regpol
