#include "verify/request_space.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <map>
#include <set>
#include <string_view>
#include <unordered_set>

#include "match/wildcard.h"
#include "util/text.h"
#include "util/time.h"
#include "verify/glob_classes.h"

namespace regpol {

namespace {

// Appends `v` unless it is there already: candidates keep the order they were found in,
// so the same policies give the same space (and the same counterexample).
void add_unique(std::vector<std::string>& list, const std::string& v) {
  if (std::find(list.begin(), list.end(), v) == list.end()) list.push_back(v);
}

enum class Family { None, String, Arn, Number, Date, Bool, Ip, Unsupported };

bool ignores_case(CondOp op) { return op == CondOp::StringEqualsIgnoreCase || op == CondOp::StringNotEqualsIgnoreCase; }

Family family_of(CondOp op) {
  switch (op) {
    case CondOp::StringEquals: case CondOp::StringNotEquals: case CondOp::StringLike: case CondOp::StringNotLike: case CondOp::BinaryEquals:
    case CondOp::StringEqualsIgnoreCase: case CondOp::StringNotEqualsIgnoreCase:
      return Family::String;
    case CondOp::NumericEquals: case CondOp::NumericNotEquals: case CondOp::NumericLessThan: case CondOp::NumericLessThanEquals:
    case CondOp::NumericGreaterThan: case CondOp::NumericGreaterThanEquals:
      return Family::Number;
    case CondOp::DateEquals: case CondOp::DateNotEquals: case CondOp::DateLessThan: case CondOp::DateLessThanEquals:
    case CondOp::DateGreaterThan: case CondOp::DateGreaterThanEquals:
      return Family::Date;
    case CondOp::Bool: return Family::Bool;
    case CondOp::IpAddress: case CondOp::NotIpAddress: return Family::Ip;
    case CondOp::Null: return Family::None;
    case CondOp::ArnEquals: case CondOp::ArnLike: case CondOp::ArnNotEquals: case CondOp::ArnNotLike: return Family::Arn;
  }
  return Family::Unsupported;
}

std::string number_text(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

std::string ipv4_text(std::uint32_t v) {
  return std::to_string(v >> 24) + "." + std::to_string((v >> 16) & 255) + "." + std::to_string((v >> 8) & 255) + "." + std::to_string(v & 255);
}

using Ipv6 = std::array<std::uint8_t, 16>;  // big-endian, as Cidr holds it

std::string ipv6_text(const Ipv6& v) {
  char buf[INET6_ADDRSTRLEN];
  return inet_ntop(AF_INET6, v.data(), buf, sizeof buf) != nullptr ? buf : "";
}

// v + 1 or v - 1 (`up`), false when it would wrap around the address space.
bool ipv6_step(Ipv6& v, bool up) {
  for (std::size_t i = v.size(); i-- > 0;) {
    if (up ? v[i] != 0xFF : v[i] != 0) {
      v[i] = static_cast<std::uint8_t>(up ? v[i] + 1 : v[i] - 1);
      return true;
    }
    v[i] = up ? 0 : 0xFF;
  }
  return false;
}

// arn:partition:service:region:account:resource, as arn_like splits a pattern (the
// resource keeps its colons); false for a pattern without five colons.
bool arn_parts(const std::string& arn, std::vector<std::string>& parts) {
  parts.clear();
  std::size_t pos = 0;
  for (int i = 0; i < 5; ++i) {
    const auto c = arn.find(':', pos);
    if (c == std::string::npos) return false;
    parts.push_back(arn.substr(pos, c - pos));
    pos = c + 1;
  }
  parts.push_back(arn.substr(pos));
  return true;
}

constexpr std::size_t kMaxArnProduct = 20000;

// ARNs made of one witness of each part's classes (arn_like compares an ARN part by part,
// and no part but the resource holds a colon): every ARN the part patterns can tell apart.
// A part `fixed` names (not null) takes that one value instead of its classes' witnesses,
// and a part `only` names is made of those characters alone.
bool arn_product(const std::vector<std::vector<GlobPattern>>& part_patterns, std::size_t max_states, std::vector<std::string>& out, std::string& why,
                 const std::array<const char*, 6>& fixed = {}, const std::array<std::string_view, 6>& only = {}) {
  std::vector<std::vector<std::string>> witnesses(6);
  std::size_t product = 1;
  for (std::size_t i = 0; i < 6; ++i) {
    if (fixed[i] != nullptr) {
      witnesses[i] = {fixed[i]};
    } else if (!glob_class_witnesses(part_patterns[i], max_states, witnesses[i], only[i])) {
      why = "ARN patterns with too many classes";
      return false;
    }
    product *= witnesses[i].size();
  }
  if (product > kMaxArnProduct) {
    why = "ARN patterns that make " + std::to_string(product) + " kinds of ARN (the prover stops at 20,000)";
    return false;
  }
  // Thousands of ARNs: a set of what is there already, not add_unique's linear search.
  std::unordered_set<std::string> present(out.begin(), out.end());
  std::vector<std::size_t> at(6, 0);
  while (true) {
    std::string arn;
    for (std::size_t i = 0; i < 6; ++i) arn += (i ? ":" : "") + witnesses[i][at[i]];
    if (present.insert(arn).second) out.push_back(std::move(arn));
    std::size_t i = 0;
    while (i < 6 && ++at[i] == witnesses[i].size()) at[i++] = 0;
    if (i == 6) break;
  }
  return true;
}

struct KeyUse {
  Family family = Family::None;
  bool mixed = false, multi = false;
  std::vector<GlobPattern> patterns;
  std::vector<double> numbers;
  std::vector<Micros> instants;
  std::vector<Cidr> cidrs;
};

void note_use(KeyUse& use, const Condition& c) {
  const Family f = family_of(c.op);
  if (c.qualifier != SetQualifier::None) use.multi = true;
  if (f == Family::None) return;
  if (use.family != Family::None && use.family != f) use.mixed = true;
  if (use.family == Family::None) use.family = f;
  for (const auto& v : c.values) {
    switch (f) {
      case Family::String:
        use.patterns.push_back({v.text, c.op != CondOp::StringLike && c.op != CondOp::StringNotLike, ignores_case(c.op)});
        break;
      case Family::Arn: use.patterns.push_back({v.text, false}); break;  // arn_like: wildcards in every operator
      case Family::Number: use.numbers.push_back(v.number); break;
      case Family::Date: use.instants.push_back(v.instant); break;
      case Family::Ip: use.cidrs.push_back(v.cidr); break;
      default: break;
    }
  }
}

// A key's candidate values, or false with `why`.
bool key_values(const std::string& name, const KeyUse& use, std::size_t max_states, std::vector<std::string>& out, std::string& why) {
  out.clear();
  switch (use.family) {
    case Family::None: out.emplace_back("x"); return true;  // only Null asks about it: present or not
    case Family::Unsupported: why = "a condition on `" + name + "` uses an operator the prover does not encode"; return false;
    case Family::String:
      if (!glob_class_witnesses(use.patterns, max_states, out)) {
        why = "the patterns on `" + name + "` have too many classes";
        return false;
      }
      return true;
    case Family::Arn: {
      std::vector<std::vector<GlobPattern>> parts(6);
      std::vector<std::string> split;
      for (const auto& p : use.patterns) {
        if (!arn_parts(p.text, split)) continue;  // matches no ARN ("*" aside, which matches every one)
        for (std::size_t i = 0; i < 6; ++i) parts[i].push_back({split[i], false});
      }
      if (!arn_product(parts, max_states, out, why)) {
        why = "`" + name + "`: " + why;
        return false;
      }
      add_unique(out, "x");  // not an ARN: no Arn* pattern matches it
      return true;
    }
    case Family::Number: {
      for (double n : use.numbers) {
        for (double v : {n, std::nextafter(n, -std::numeric_limits<double>::infinity()), std::nextafter(n, std::numeric_limits<double>::infinity())}) {
          const std::string t = number_text(v);
          if (std::strtod(t.c_str(), nullptr) != v) {
            why = "a number on `" + name + "` does not round-trip";
            return false;
          }
          add_unique(out, t);
        }
      }
      add_unique(out, "x");
      return true;
    }
    case Family::Date: {
      for (Micros t : use.instants) {
        for (Micros v : {t, t - 1, t + 1}) {
          const std::string text = format_timestamp(v);
          const auto back = parse_timestamp(text);
          if (!back || *back != v) {
            why = "a date on `" + name + "` is out of range";
            return false;
          }
          add_unique(out, text);
        }
      }
      add_unique(out, "x");
      return true;
    }
    case Family::Bool:
      out = {"true", "false", "x"};
      return true;
    case Family::Ip: {
      add_unique(out, "0.0.0.0");
      add_unique(out, "255.255.255.255");
      for (const Cidr& c : use.cidrs) {
        if (c.v6) {
          // The same boundaries over 128 bits; an IPv6 address is never in an IPv4 range
          // nor the other way round (cidr_contains), so the two families do not mix.
          Ipv6 lo = c.addr, hi = c.addr;
          for (int bit = c.prefix; bit < 128; ++bit) {
            const auto byte = static_cast<std::size_t>(bit / 8);
            const auto mask = static_cast<std::uint8_t>(0x80 >> (bit % 8));
            lo[byte] = static_cast<std::uint8_t>(lo[byte] & ~mask);
            hi[byte] = static_cast<std::uint8_t>(hi[byte] | mask);
          }
          add_unique(out, ipv6_text(Ipv6{}));
          Ipv6 top;
          top.fill(0xFF);
          add_unique(out, ipv6_text(top));
          for (const Ipv6& v : {lo, hi}) add_unique(out, ipv6_text(v));
          if (Ipv6 below = lo; ipv6_step(below, false)) add_unique(out, ipv6_text(below));
          if (Ipv6 above = hi; ipv6_step(above, true)) add_unique(out, ipv6_text(above));
          continue;
        }
        std::uint32_t base = (std::uint32_t{c.addr[0]} << 24) | (std::uint32_t{c.addr[1]} << 16) | (std::uint32_t{c.addr[2]} << 8) | c.addr[3];
        const std::uint32_t mask = c.prefix == 0 ? 0 : ~std::uint32_t{0} << (32 - c.prefix);
        const std::uint32_t lo = base & mask, hi = lo | ~mask;
        for (std::uint32_t v : {lo, hi}) add_unique(out, ipv4_text(v));
        if (lo > 0) add_unique(out, ipv4_text(lo - 1));
        if (hi < 0xffffffffU) add_unique(out, ipv4_text(hi + 1));
      }
      add_unique(out, "x");
      return true;
    }
  }
  return false;
}

}  // namespace

bool key_choices(const RequestSpace::Key& key, std::size_t max_choices, std::vector<std::vector<std::size_t>>& out) {
  out.clear();
  const std::size_t n = key.values.size();
  // A subset per mask: 2^n - 1 of them, plus absent; refuse before shifting past the width.
  const std::size_t count = key.multi ? (n >= 63 ? std::numeric_limits<std::size_t>::max() : (std::size_t{1} << n) - 1) : n;
  if (count > max_choices || count + (key.always ? 0 : 1) > max_choices) return false;
  if (!key.always) out.emplace_back();
  if (!key.multi) {
    for (std::size_t i = 0; i < n; ++i) out.push_back({i});
    return true;
  }
  for (std::size_t mask = 1; mask < (std::size_t{1} << n); ++mask) {
    std::vector<std::size_t> set;
    for (std::size_t i = 0; i < n; ++i) {
      if (mask >> i & 1) set.push_back(i);
    }
    out.push_back(std::move(set));
  }
  return true;
}

bool is_principal_derived_key(const std::string& key_lower) { return key_lower == "aws:principalarn" || key_lower == "aws:principalaccount"; }

std::string principal_account(const std::string& principal) {
  if (is_account_id(principal)) return principal;
  return arn_account(principal);
}

namespace {

constexpr std::size_t kMaxColonSpreads = 256;

// A String* pattern on aws:PrincipalArn as patterns of exactly five colons. An identity
// ARN (arn:aws:iam::ACCOUNT:root, role/NAME, user/NAME) has exactly five colons (IAM names
// hold none), so a pattern with fewer matches one only where its `*`s (and `?`s) take the
// missing colons: each way of spreading them is a pattern whose wildcards stay inside one
// part, and the pattern matches an identity ARN exactly when one of those does, part by
// part. A pattern with more than five colons, or a literal one with fewer, matches none.
// False when the spreads pass kMaxColonSpreads.
bool spread_colons(const GlobPattern& p, std::vector<GlobPattern>& out) {
  const auto colons = static_cast<std::size_t>(std::count(p.text.begin(), p.text.end(), ':'));
  if (colons > 5) return true;
  if (colons == 5) {
    out.push_back(p);
    return true;
  }
  if (p.literal) return true;
  std::vector<std::string> done;
  bool ok = true;
  // Builds the spreads of p.text[i..] with `missing` colons still to place.
  auto place = [&](auto&& self, std::size_t i, std::size_t missing, std::string& acc) -> void {
    if (!ok) return;
    if (i == p.text.size()) {
      if (missing == 0) {
        if (done.size() >= kMaxColonSpreads) ok = false;
        else done.push_back(acc);
      }
      return;
    }
    const char c = p.text[i];
    const std::size_t keep = acc.size();
    if (c == '*') {
      for (std::size_t j = 0; j <= missing; ++j) {
        acc += '*';
        for (std::size_t k = 0; k < j; ++k) acc += ":*";
        self(self, i + 1, missing - j, acc);
        acc.resize(keep);
      }
    } else {
      acc += c;
      self(self, i + 1, missing, acc);
      acc.resize(keep);
      if (c == '?' && missing > 0) {
        acc += ':';
        self(self, i + 1, missing - 1, acc);
        acc.resize(keep);
      }
    }
  };
  std::string acc;
  place(place, 0, 5 - colons, acc);
  for (auto& d : done) out.push_back({std::move(d), false});
  return ok;
}

// The shapes of an IAM identity's resource part: `root`, a user or a role in iam (a path
// may come before the name), a role session or a federated user in sts.
constexpr const char* kIamResources[] = {"user/?*", "role/?*"};
constexpr const char* kStsResources[] = {"assumed-role/?*/?*", "federated-user/?*"};
// What an account id and an identity's resource part are made of: digits; the characters
// IAM allows in user, role, path and session names, and the slashes between them (`x`
// first: the character that stands for those no pattern names).
constexpr std::string_view kAccountChars = "0123456789";
constexpr std::string_view kIamNameChars = "xabcdefghijklmnopqrstuvwyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+=,.@_-/";

// Whether a derived caller's ARN (arn:PARTITION:SERVICE::ACCOUNT:RESOURCE) has a shape
// some IAM identity has. Each test is one of the patterns the parts' classes were split
// by (twelve characters for the account, `root`, kIamResources, kStsResources, matched
// here as globs), so every string of a witness's class passes or fails with it: dropping
// a witness drops only callers that cannot exist. (The account's witnesses are made of
// digits, kAccountChars.)
bool is_identity_shape(const std::vector<std::string>& parts) {
  if (parts[4].size() != 12) return false;
  const std::string& r = parts[5];
  const auto any_shape = [&](const auto& shapes) {
    return std::any_of(std::begin(shapes), std::end(shapes), [&](const char* shape) { return wildcard_match(shape, r, true); });
  };
  if (parts[2] == "iam") return r == "root" || any_shape(kIamResources);
  return parts[2] == "sts" && any_shape(kStsResources);
}

// Callers whose ARN is made of one witness of each part's classes: every identity ARN the
// Arn* patterns (part by part, as arn_like compares), the String* patterns (spread over
// the parts, spread_colons) and the account patterns can tell apart, in every account
// class, so a condition on aws:PrincipalArn or aws:PrincipalAccount is a function of the
// caller that the candidates cover. Only callers IAM can have are kept (docs/verify.md,
// Assumptions): the ARN starts `arn:`, is in a partition the policies' ARNs name (`aws`
// where they name none: no caller from another partition reaches the repository), has
// no region, is in iam or sts, has a twelve-digit account and one of the identity
// resources above, spelled with the characters IAM names have. A caller such as `arn::::444455556666:` would otherwise be a
// counterexample no request can be.
void add_derived_principals(RequestSpace& space, const std::vector<std::string>& arn_patterns, const std::vector<GlobPattern>& string_patterns,
                            const std::vector<GlobPattern>& account_patterns, const std::vector<std::string>& named,
                            const std::vector<std::string>& accounts, std::size_t max_states) {
  std::vector<std::vector<GlobPattern>> part_patterns(6);
  part_patterns[2] = {{"iam", true}, {"sts", true}};
  part_patterns[4] = {{"", true}, {"????????????", false}};
  part_patterns[5] = {{"root", true}, {"role/regpol-other", true}};
  for (const char* shape : kIamResources) part_patterns[5].push_back({shape, false});
  for (const char* shape : kStsResources) part_patterns[5].push_back({shape, false});
  std::set<std::string> partitions;
  // A partition's name (aws, aws-cn, aws-us-gov, …), not what a pattern's `*:` or `?`
  // spread over the colons puts there (`*:role/ci?*` can be read `*:role/ci:*:…`).
  const auto note_partition = [&](const std::string& p) {
    if (p.rfind("aws", 0) == 0 && p.find_first_not_of("abcdefghijklmnopqrstuvwxyz-") == std::string::npos) partitions.insert(p);
  };
  std::vector<std::string> parts;
  for (const auto& p : arn_patterns) {
    if (!arn_parts(p, parts)) continue;  // "*" matches every ARN, any other such pattern none
    for (std::size_t i = 0; i < 6; ++i) part_patterns[i].push_back({parts[i], false});
    note_partition(parts[1]);
  }
  for (const auto& p : string_patterns) {
    if (!arn_parts(p.text, parts)) continue;
    for (std::size_t i = 0; i < 6; ++i) part_patterns[i].push_back({parts[i], p.literal, p.nocase});
    note_partition(p.nocase ? ascii_lower(parts[1]) : parts[1]);  // partitions are lower case
  }
  for (const auto& n : named) {
    if (!arn_parts(n, parts)) continue;
    for (std::size_t i = 0; i < 6; ++i) part_patterns[i].push_back({parts[i], true});
    note_partition(parts[1]);
  }
  if (partitions.empty()) partitions.insert("aws");
  for (const auto& a : accounts) part_patterns[4].push_back({a, true});
  for (const auto& a : account_patterns) part_patterns[4].push_back(a);
  std::unordered_set<std::string> present(space.principals.begin(), space.principals.end());
  std::vector<std::string> callers;
  for (const auto& partition : partitions) {
    std::string why;
    callers.clear();
    if (!arn_product(part_patterns, max_states, callers, why, {"arn", partition.c_str(), nullptr, "", nullptr, nullptr},
                     std::array<std::string_view, 6>{"", "", "", "", kAccountChars, kIamNameChars})) {
      space.unsupported = "aws:PrincipalArn: " + why;
      return;
    }
    for (auto& c : callers) {
      if (arn_parts(c, parts) && is_identity_shape(parts) && present.insert(c).second) space.principals.push_back(std::move(c));
    }
  }
}

}  // namespace

RequestSpace build_request_space(const std::vector<const AccessPlan*>& plans, const std::string& repository, const SpaceConstants& constants,
                                 std::size_t max_glob_states) {
  RequestSpace space;
  space.repository = repository;
  std::set<std::string> accounts(constants.accounts.begin(), constants.accounts.end());
  std::vector<std::string> named;  // principal ARNs and ids, in policy order
  std::vector<std::string> services, others;
  std::vector<GlobPattern> action_patterns, tag_patterns{{"?*", false}};  // the tag "" is added apart
  std::map<std::string, KeyUse> keys;
  // What conditions on the caller's own keys (IAM derives aws:PrincipalArn and
  // aws:PrincipalAccount from the caller) compare: the callers then range over ARNs built
  // from each part's classes.
  std::vector<std::string> arn_patterns;
  std::vector<GlobPattern> string_arn_patterns, account_patterns;
  bool derived = false;
  for (const AccessPlan* plan : plans) {
    for (const Statement& s : plan->statements) {
      for (const auto& a : s.principal.aws) {
        add_unique(named, a);
        if (const std::string acct = principal_account(a); !acct.empty()) accounts.insert(acct);
      }
      for (const auto& v : s.principal.service) add_unique(services, v);
      for (const auto& v : s.principal.other) add_unique(others, v);
      if (!s.principal.orgs.empty()) {
        KeyUse& use = keys["aws:principalorgid"];
        Condition c;
        c.op = CondOp::StringEquals;
        for (const auto& o : s.principal.orgs) {
          CondValue v;
          v.text = o;
          c.values.push_back(std::move(v));
        }
        note_use(use, c);
      }
      for (const auto& a : s.actions) action_patterns.push_back({ascii_lower(a), false});
      for (const auto& t : s.tag_patterns) tag_patterns.push_back({t, false});
      for (const auto& c : s.conditions) {
        if (c.key_lower == "aws:principalarn") {
          const Family f = family_of(c.op);
          if (f == Family::Arn) {
            for (const auto& v : c.values) arn_patterns.push_back(v.text);
          } else if (f == Family::String && c.op != CondOp::BinaryEquals) {
            const bool literal = c.op != CondOp::StringLike && c.op != CondOp::StringNotLike;
            for (const auto& v : c.values) {
              if (!spread_colons({v.text, literal, ignores_case(c.op)}, string_arn_patterns)) {
                space.unsupported = "aws:PrincipalArn: a pattern with too many ways to span the ARN's parts";
              }
            }
          } else if (c.op != CondOp::Null) {
            space.unsupported = std::string("aws:PrincipalArn compared with ") + cond_op_name(c.op) + " (the prover encodes String*, Arn* and Null on it)";
          }
          derived = true;
        } else if (c.key_lower == "aws:principalaccount") {
          if (family_of(c.op) != Family::String && c.op != CondOp::Null) space.unsupported = "aws:PrincipalAccount compared as other than a string";
          for (const auto& v : c.values) {
            if (c.op != CondOp::Null) account_patterns.push_back({v.text, c.op != CondOp::StringLike && c.op != CondOp::StringNotLike, ignores_case(c.op)});
          }
          derived = true;
        } else {
          note_use(keys[c.key_lower], c);
        }
      }
    }
  }
  for (const auto& a : constants.actions) action_patterns.push_back({ascii_lower(a), true});
  for (const auto& p : constants.principals) add_unique(named, p);

  // Principals: who the statements name, and who they do not. The evaluator compares a
  // caller's ARN, its identity (a session's role) and its account with the names; every
  // caller is like one of these.
  std::string fresh = "999999999999";
  while (accounts.count(fresh)) fresh = std::to_string(std::stoll(fresh) - 1);
  add_unique(space.principals, "*");
  std::vector<std::string> all_accounts(accounts.begin(), accounts.end());
  all_accounts.push_back(fresh);
  for (const auto& acct : all_accounts) {
    add_unique(space.principals, "arn:aws:iam::" + acct + ":root");
    add_unique(space.principals, "arn:aws:iam::" + acct + ":role/regpol-other");
    add_unique(space.principals, "arn:aws:sts::" + acct + ":assumed-role/regpol-other/regpol-session");
    add_unique(space.principals, acct);
  }
  for (const auto& n : named) {
    add_unique(space.principals, n);
    const auto role = n.find(":role/");
    if (n.rfind("arn:", 0) == 0 && role != std::string::npos) {
      const std::string name = n.substr(n.rfind('/') + 1);
      const std::string partition = n.substr(4, n.find(':', 4) - 4);
      const std::string session = "arn:" + partition + ":sts::" + arn_account(n) + ":assumed-role/" + name + "/regpol-session";
      if (principal_identity_arn(session) == n) add_unique(space.principals, session);
    }
  }
  if (derived) add_derived_principals(space, arn_patterns, string_arn_patterns, account_patterns, named, all_accounts, max_glob_states);
  for (const auto& v : services) add_unique(space.principals, v);
  add_unique(space.principals, "regpol-other.amazonaws.com");
  for (const auto& v : others) add_unique(space.principals, v);

  if (!glob_class_witnesses(action_patterns, max_glob_states, space.actions)) space.unsupported = "the action patterns have too many classes";
  // A class that holds an action the property or a statement names is shown as they spell
  // it (actions compare case-insensitively: the same class), "ecr:BatchGetImage" rather
  // than the lower-case witness.
  std::map<std::string, std::string> spelled;
  for (const AccessPlan* plan : plans) {
    for (const Statement& s : plan->statements) {
      for (const auto& a : s.actions) {
        if (a.find_first_of("*?") == std::string::npos) spelled.emplace(ascii_lower(a), a);
      }
    }
  }
  for (const auto& c : constants.actions) spelled[ascii_lower(c)] = c;
  for (auto& a : space.actions) {
    if (auto it = spelled.find(a); it != spelled.end()) a = it->second;
  }
  std::vector<std::string> tags;
  if (!glob_class_witnesses(tag_patterns, max_glob_states, tags)) space.unsupported = "the tag patterns have too many classes";
  space.tags.emplace_back();
  for (auto& t : tags) {
    if (!t.empty()) add_unique(space.tags, t);
  }

  for (const auto& [name, use] : keys) {
    if (!space.unsupported.empty()) break;
    if (use.mixed) {
      space.unsupported = "`" + name + "` is compared as more than one type (string, number, date, bool, IP)";
      break;
    }
    RequestSpace::Key key;
    key.name = name;
    key.multi = use.multi;
    key.always = name == "aws:currenttime";
    if (!key_values(name, use, max_glob_states, key.values, space.unsupported)) break;
    space.keys.push_back(std::move(key));
  }
  return space;
}

AccessRequest request_of(const RequestSpace& space, const SpaceChoice& choice) {
  AccessRequest r;
  r.principal = space.principals[choice.principal];
  r.action = space.actions[choice.action];
  r.repository = space.repository;
  r.tag = space.tags[choice.tag];
  for (std::size_t k = 0; k < space.keys.size() && k < choice.key_values.size(); ++k) {
    if (choice.key_values[k].empty()) continue;
    AccessRequest::Value v;
    v.multi = space.keys[k].multi;
    for (auto i : choice.key_values[k]) v.values.push_back(space.keys[k].values[i]);
    r.context[space.keys[k].name] = std::move(v);
  }
  return r;
}

}  // namespace regpol
