#pragma once
// The compiled access plan: IAM statements of a repository policy, with conditions parsed
// into typed operands at compile time (CIDRs, dates, numbers), so evaluation never parses
// a policy value and a bad value is a located compile error, not a silent mismatch.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "util/time.h"

namespace regpol {

enum class CondOp {
  StringEquals, StringNotEquals, StringEqualsIgnoreCase, StringNotEqualsIgnoreCase, StringLike, StringNotLike,
  NumericEquals, NumericNotEquals, NumericLessThan, NumericLessThanEquals, NumericGreaterThan, NumericGreaterThanEquals,
  DateEquals, DateNotEquals, DateLessThan, DateLessThanEquals, DateGreaterThan, DateGreaterThanEquals,
  Bool, BinaryEquals, IpAddress, NotIpAddress, ArnEquals, ArnLike, ArnNotEquals, ArnNotLike, Null,
};
enum class SetQualifier { None, ForAnyValue, ForAllValues };

// IAM's name for an operator ("StringNotEqualsIgnoreCase"), without qualifier or IfExists.
const char* cond_op_name(CondOp op);
std::optional<CondOp> cond_op_from_name(std::string_view name);
bool cond_op_negated(CondOp op);
std::vector<std::string> all_cond_op_names();

struct Cidr {
  bool v6 = false;
  std::array<std::uint8_t, 16> addr{};
  int prefix = 0;
};
// "10.0.0.0/8", "2001:db8::/32", or a single address (a /32 or /128).
std::optional<Cidr> parse_cidr(std::string_view text);
bool cidr_contains(const Cidr& net, const Cidr& address);

struct CondValue {
  std::string text;
  double number = 0;        // Numeric*
  Micros instant = 0;       // Date*
  Cidr cidr;                // IpAddress / NotIpAddress
};

struct Condition {
  CondOp op = CondOp::StringEquals;
  bool if_exists = false;
  SetQualifier qualifier = SetQualifier::None;
  bool negate = false;      // regpol `unless`: the whole condition's result is inverted
  std::string key;          // as written
  std::string key_lower;    // for lookup: key names are case-insensitive
  std::vector<CondValue> values;
};

struct PrincipalSpec {
  bool any = false;                 // "*"
  std::vector<std::string> aws;     // account ids, account/role/user ARNs
  std::vector<std::string> service; // "ecr.amazonaws.com"
  std::vector<std::string> other;   // Federated / CanonicalUser values
  std::vector<std::string> orgs;    // regpol `org "o-…"`: any principal whose aws:PrincipalOrgID is one of these
};

struct Statement {
  std::string sid;
  std::string source;               // "policy.json#/Statement/1" or "policy.regpol:12:5"
  bool allow = true;
  bool not_principal = false;
  PrincipalSpec principal;
  bool not_action = false;
  std::vector<std::string> actions;       // patterns, as written ("ecr:*", "ecr:Batch?etImage")
  bool not_resource = false;
  std::vector<std::string> resources;     // empty: the repository itself
  std::vector<std::string> tag_patterns;  // regpol `on tags`: empty means every tag
  std::vector<Condition> conditions;

  std::string label() const { return sid.empty() ? source : sid; }
};

struct AccessPlan {
  std::vector<Statement> statements;
};

}  // namespace regpol
