#include "access/evaluate.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "match/wildcard.h"
#include "util/text.h"

namespace regpol {

namespace {


bool parse_double(const std::string& s, double& out) {
  if (s.empty()) return false;
  char* end = nullptr;
  out = std::strtod(s.c_str(), &end);
  return end == s.c_str() + s.size();
}

bool parse_instant(const std::string& s, Micros& out) {
  if (auto t = parse_timestamp(s)) {
    out = *t;
    return true;
  }
  // Epoch seconds, up to 9999-12-31T23:59:59Z; beyond, the microseconds would overflow
  // (a fuzz finding: a request's aws:CurrentTime of 94161616160000).
  if (!s.empty() && s.find_first_not_of("0123456789") == std::string::npos && s.size() < 16) {
    long long seconds = std::stoll(s);
    if (seconds > 253402300799LL) return false;
    out = seconds * kMicrosPerSecond;
    return true;
  }
  return false;
}

// The positive comparison behind `op` (StringNotEquals compares like StringEquals; the
// negation is applied by the caller, over all values at once).
bool base_match(CondOp op, const CondValue& policy, const std::string& value) {
  switch (op) {
    case CondOp::StringEquals: case CondOp::StringNotEquals: case CondOp::BinaryEquals:
      return policy.text == value;
    case CondOp::StringEqualsIgnoreCase: case CondOp::StringNotEqualsIgnoreCase:
      return ascii_lower(policy.text) == ascii_lower(value);
    case CondOp::StringLike: case CondOp::StringNotLike:
      return wildcard_match(policy.text, value, true);
    case CondOp::NumericEquals: case CondOp::NumericNotEquals:
    case CondOp::NumericLessThan: case CondOp::NumericLessThanEquals:
    case CondOp::NumericGreaterThan: case CondOp::NumericGreaterThanEquals: {
      double v;
      if (!parse_double(value, v)) return false;
      switch (op) {
        case CondOp::NumericLessThan: return v < policy.number;
        case CondOp::NumericLessThanEquals: return v <= policy.number;
        case CondOp::NumericGreaterThan: return v > policy.number;
        case CondOp::NumericGreaterThanEquals: return v >= policy.number;
        default: return v == policy.number;
      }
    }
    case CondOp::DateEquals: case CondOp::DateNotEquals:
    case CondOp::DateLessThan: case CondOp::DateLessThanEquals:
    case CondOp::DateGreaterThan: case CondOp::DateGreaterThanEquals: {
      Micros t;
      if (!parse_instant(value, t)) return false;
      switch (op) {
        case CondOp::DateLessThan: return t < policy.instant;
        case CondOp::DateLessThanEquals: return t <= policy.instant;
        case CondOp::DateGreaterThan: return t > policy.instant;
        case CondOp::DateGreaterThanEquals: return t >= policy.instant;
        default: return t == policy.instant;
      }
    }
    case CondOp::Bool:
      return ascii_lower(value) == policy.text;
    case CondOp::IpAddress: case CondOp::NotIpAddress: {
      auto ip = parse_cidr(value);
      return ip && value.find('/') == std::string::npos && cidr_contains(policy.cidr, *ip);
    }
    case CondOp::ArnEquals: case CondOp::ArnLike: case CondOp::ArnNotEquals: case CondOp::ArnNotLike:
      return arn_like(policy.text, value);
    case CondOp::Null:
      return false;
  }
  return false;
}

}  // namespace

bool principal_matches(const Statement& s, const AccessRequest& r) {
  const PrincipalSpec& p = s.principal;
  bool hit = p.any;
  if (!hit && !p.aws.empty()) {
    // The caller's identity ARN and account, worked out once per caller rather than once
    // per statement: a request is matched against every statement in turn, and the prover
    // matches each caller against every statement.
    thread_local std::string cached_caller, identity, account;
    if (cached_caller.empty() || cached_caller != r.principal) {
      identity = principal_identity_arn(r.principal);
      account = arn_account(r.principal);
      cached_caller = r.principal;
    }
    for (const auto& a : p.aws) {
      if (is_account_id(a)) {
        hit = a == account || a == r.principal;
      } else if (a.size() > 5 && a.compare(a.size() - 5, 5, ":root") == 0 && a.find(":iam::") != std::string::npos) {
        hit = a == r.principal || arn_account(a) == account;
      } else {
        hit = a == r.principal || a == identity;
      }
      if (hit) break;
    }
  }
  if (!hit) {
    for (const auto& v : p.service) hit = hit || v == r.principal;
    for (const auto& v : p.other) hit = hit || v == r.principal;
    if (!hit && !p.orgs.empty()) {
      auto org = r.context.find("aws:principalorgid");
      if (org != r.context.end()) {
        for (const auto& v : org->second.values) hit = hit || std::find(p.orgs.begin(), p.orgs.end(), v) != p.orgs.end();
      }
    }
  }
  return s.not_principal ? !hit : hit;
}

bool action_matches(const Statement& s, const AccessRequest& r) {
  bool hit = std::any_of(s.actions.begin(), s.actions.end(), [&](const std::string& p) { return wildcard_match_nocase(p, r.action); });
  return s.not_action ? !hit : hit;
}

namespace {

bool resource_matches(const Statement& s, const AccessRequest& r) {
  if (s.resources.empty()) return true;
  // The repository's ARN with region and account unknown: only the service and resource
  // parts of a pattern are compared.
  bool hit = std::any_of(s.resources.begin(), s.resources.end(), [&](const std::string& p) {
    if (p == "*") return true;
    std::string arn = "arn:aws:ecr:*:*:repository/" + r.repository;
    std::size_t pos = 0;
    for (int i = 0; i < 5 && pos != std::string::npos; ++i) {
      pos = p.find(':', pos);
      if (pos != std::string::npos) ++pos;
    }
    if (pos == std::string::npos) return false;
    auto svc_begin = p.find(':', p.find(':') + 1) + 1;
    std::string service = p.substr(svc_begin, p.find(':', svc_begin) - svc_begin);
    return wildcard_match(service, "ecr", true) && wildcard_match(p.substr(pos), "repository/" + r.repository, true);
  });
  return s.not_resource ? !hit : hit;
}

}  // namespace

bool tags_match(const Statement& s, const AccessRequest& r) {
  if (s.tag_patterns.empty()) return true;
  if (r.tag.empty()) return false;
  return std::any_of(s.tag_patterns.begin(), s.tag_patterns.end(),
                     [&](const std::string& p) { return wildcard_match(p, r.tag, true); });
}

const char* access_reason_name(AccessReason r) {
  switch (r) {
    case AccessReason::ExplicitDeny: return "explicit-deny";
    case AccessReason::Allowed: return "allowed";
    case AccessReason::ImplicitDeny: return "implicit-deny";
    case AccessReason::TagImmutable: return "tag-immutable";
  }
  return "";
}

bool arn_like(std::string_view pattern, std::string_view arn) {
  // Split both into arn:partition:service:region:account:resource (the resource keeps its colons).
  auto split = [](std::string_view s, std::string_view (&parts)[6]) {
    std::size_t pos = 0;
    for (int i = 0; i < 5; ++i) {
      auto c = s.find(':', pos);
      if (c == std::string_view::npos) return false;
      parts[i] = s.substr(pos, c - pos);
      pos = c + 1;
    }
    parts[5] = s.substr(pos);
    return true;
  };
  std::string_view p[6], a[6];
  if (!split(arn, a)) return false;
  if (!split(pattern, p)) return pattern == "*" ;
  for (int i = 0; i < 6; ++i) {
    if (!wildcard_match(p[i], a[i], true)) return false;
  }
  return true;
}

bool condition_matches(const Condition& c, const AccessRequest& r) {
  auto result = [&]() -> bool {
    auto it = r.context.find(c.key_lower);
    bool present = it != r.context.end() && !it->second.values.empty();
    if (c.op == CondOp::Null) {
      return std::any_of(c.values.begin(), c.values.end(),
                         [&](const CondValue& v) { return (v.text == "true") == !present; });
    }
    if (!present) {
      if (c.if_exists) return true;
      if (c.qualifier == SetQualifier::ForAllValues) return true;
      if (c.qualifier == SetQualifier::ForAnyValue) return false;
      return cond_op_negated(c.op);
    }
    const auto& values = it->second.values;
    auto matches_any_policy_value = [&](const std::string& v) {
      return std::any_of(c.values.begin(), c.values.end(), [&](const CondValue& p) { return base_match(c.op, p, v); });
    };
    bool negated = cond_op_negated(c.op);
    auto per_value = [&](const std::string& v) { return negated ? !matches_any_policy_value(v) : matches_any_policy_value(v); };
    switch (c.qualifier) {
      case SetQualifier::ForAnyValue: return std::any_of(values.begin(), values.end(), per_value);
      case SetQualifier::ForAllValues: return std::all_of(values.begin(), values.end(), per_value);
      case SetQualifier::None:
        // Positive operators: some request value matches some policy value. Negated: no
        // request value matches any policy value.
        if (negated) return std::none_of(values.begin(), values.end(), matches_any_policy_value);
        return std::any_of(values.begin(), values.end(), matches_any_policy_value);
    }
    return false;
  }();
  return c.negate ? !result : result;
}

bool statement_matches(const Statement& s, const AccessRequest& r) {
  if (!action_matches(s, r) || !principal_matches(s, r) || !resource_matches(s, r) || !tags_match(s, r)) return false;
  return std::all_of(s.conditions.begin(), s.conditions.end(), [&](const Condition& c) { return condition_matches(c, r); });
}

AccessResult evaluate_access(const AccessPlan& plan, const AccessRequest& request) {
  std::size_t i = 0;
  return decide_in_order([&]() -> const Statement* { return i < plan.statements.size() ? &plan.statements[i++] : nullptr; }, request);
}

}  // namespace regpol
