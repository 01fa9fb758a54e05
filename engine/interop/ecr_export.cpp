#include "interop/ecr_export.h"
#include "util/text.h"
#include "sema/check.h"
#include <set>

#include <algorithm>
#include <map>
#include <regex>

#include "interop/ecr_lifecycle.h"

namespace regpol {

namespace {

using json = nlohmann::json;

std::string quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string quoted_list(const std::vector<std::string>& v) {
  std::string out = "[";
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + quote(v[i]);
  return out + "]";
}

std::string days(Micros d) { return std::to_string(d / kMicrosPerDay) + "d"; }

// The IAM operator that is the exact negation of `c`, when one exists.
bool negate_condition(Condition& c) {
  static const std::map<CondOp, CondOp> flip = {
      {CondOp::StringEquals, CondOp::StringNotEquals}, {CondOp::StringNotEquals, CondOp::StringEquals},
      {CondOp::StringEqualsIgnoreCase, CondOp::StringNotEqualsIgnoreCase}, {CondOp::StringNotEqualsIgnoreCase, CondOp::StringEqualsIgnoreCase},
      {CondOp::StringLike, CondOp::StringNotLike}, {CondOp::StringNotLike, CondOp::StringLike},
      {CondOp::NumericEquals, CondOp::NumericNotEquals}, {CondOp::NumericNotEquals, CondOp::NumericEquals},
      {CondOp::DateEquals, CondOp::DateNotEquals}, {CondOp::DateNotEquals, CondOp::DateEquals},
      {CondOp::IpAddress, CondOp::NotIpAddress}, {CondOp::NotIpAddress, CondOp::IpAddress},
      {CondOp::ArnEquals, CondOp::ArnNotEquals}, {CondOp::ArnNotEquals, CondOp::ArnEquals},
      {CondOp::ArnLike, CondOp::ArnNotLike}, {CondOp::ArnNotLike, CondOp::ArnLike},
  };
  if (c.if_exists) return false;
  if (c.op == CondOp::Null || c.op == CondOp::Bool) {
    if (c.values.size() != 1 || c.qualifier != SetQualifier::None) return false;
    c.values[0].text = c.values[0].text == "true" ? "false" : "true";
    // Bool: a missing key must make the negation true, which BoolIfExists does.
    if (c.op == CondOp::Bool) c.if_exists = true;
    return true;
  }
  auto it = flip.find(c.op);
  if (it == flip.end()) return false;  // Numeric/Date orderings: not exact over several values or a missing key
  c.op = it->second;
  if (c.qualifier == SetQualifier::ForAnyValue) c.qualifier = SetQualifier::ForAllValues;
  else if (c.qualifier == SetQualifier::ForAllValues) c.qualifier = SetQualifier::ForAnyValue;
  return true;
}

std::string op_key(const Condition& c) {
  std::string out = c.qualifier == SetQualifier::ForAnyValue ? "ForAnyValue:" : c.qualifier == SetQualifier::ForAllValues ? "ForAllValues:" : "";
  return out + cond_op_name(c.op) + (c.if_exists ? "IfExists" : "");
}

}  // namespace

json lifecycle_to_ecr_json(const LifecyclePlan& plan, std::vector<ExportProblem>& problems) {
  json rules = json::array();
  for (const auto& p : ecr_rule_problems(plan)) {
    problems.push_back({plan.rules[std::min(p.rule, plan.rules.size() - 1)].source, p.message});
  }
  for (const auto& pc : plan.protects) problems.push_back({pc.source, "ECR has no `protect` clauses"});
  for (const auto& r : plan.rules) {
    const Selection& s = r.selection;
    if (s.where) problems.push_back({r.source, "ECR cannot express `where`"});
    if (r.order == OrderBy::Semver) problems.push_back({r.source, "ECR cannot express `by semver`"});
    if (r.per) problems.push_back({r.source, "ECR cannot express `per`"});
    if (r.action == LifecycleAction::Untag) problems.push_back({r.source, "ECR lifecycle policies cannot remove tags (`untag`): regpol apply does"});
    if (s.status == TagStatus::Artifacts) problems.push_back({r.source, "ECR lifecycle policies cannot select artifacts (`select artifacts`)"});
    if (s.status == TagStatus::Tagged && s.list_kind == TagListKind::None) {
      problems.push_back({r.source, "ECR needs a prefix or pattern list for a tagged selection"});
    }
    json sel = {{"tagStatus", tag_status_name(s.status)}};
    if (s.list_kind == TagListKind::Prefix) sel["tagPrefixList"] = s.list;
    if (s.list_kind == TagListKind::Pattern) sel["tagPatternList"] = s.list;
    sel["countType"] = count_type_name(r.count_type);
    if (r.count_type == CountType::ImageCountMoreThan) {
      sel["countNumber"] = r.count_number;
    } else {
      if (r.duration % kMicrosPerDay != 0) problems.push_back({r.source, "ECR counts ages in whole days; this duration is not"});
      sel["countUnit"] = "days";
      sel["countNumber"] = r.duration / kMicrosPerDay;
    }
    if (s.storage == StorageClass::Archive) sel["storageClass"] = "archive";
    json action = {{"type", action_name(r.action)}};
    if (r.action == LifecycleAction::Transition) action["targetStorageClass"] = "archive";
    json rule = {{"rulePriority", r.priority}};
    if (!r.description.empty()) rule["description"] = r.description;
    rule["selection"] = sel;
    rule["action"] = action;
    rules.push_back(rule);
  }
  return json{{"rules", rules}};
}

json access_to_iam_json(const AccessPlan& plan, std::vector<ExportProblem>& problems) {
  json statements = json::array();
  for (const auto& s : plan.statements) {
    json st;
    if (!s.sid.empty()) {
      static const std::regex sid_re("^[A-Za-z0-9]*$");
      if (!std::regex_match(s.sid, sid_re)) problems.push_back({s.source, "an IAM Sid may hold only letters and digits"});
      st["Sid"] = s.sid;
    }
    st["Effect"] = s.allow ? "Allow" : "Deny";
    if (!s.tag_patterns.empty()) problems.push_back({s.source, "IAM cannot scope a statement to tags (`on tags`)"});
    const PrincipalSpec& p = s.principal;
    std::vector<Condition> conditions = s.conditions;
    if (!p.orgs.empty()) {
      if (p.any || !p.aws.empty() || !p.service.empty() || s.not_principal) {
        problems.push_back({s.source, "an `org` principal exports only on its own (as Principal * with aws:PrincipalOrgID)"});
      }
      Condition c;
      c.op = CondOp::StringEquals;
      c.key = "aws:PrincipalOrgID";
      c.key_lower = "aws:principalorgid";
      for (const auto& o : p.orgs) c.values.push_back(CondValue{o, 0, 0, {}});
      conditions.push_back(std::move(c));
    }
    json principal;
    if (p.any || !p.orgs.empty()) {
      principal = "*";
    } else {
      principal = json::object();
      if (!p.aws.empty()) {
        json aws = json::array();
        for (const auto& a : p.aws) aws.push_back(a.size() == 12 && a.find_first_not_of("0123456789") == std::string::npos ? "arn:aws:iam::" + a + ":root" : a);
        principal["AWS"] = aws.size() == 1 ? aws[0] : aws;
      }
      if (!p.service.empty()) principal["Service"] = p.service.size() == 1 ? json(p.service[0]) : json(p.service);
    }
    st[s.not_principal ? "NotPrincipal" : "Principal"] = principal;
    st[s.not_action ? "NotAction" : "Action"] = s.actions.size() == 1 ? json(s.actions[0]) : json(s.actions);
    json cond = json::object();
    for (auto c : conditions) {
      if (c.negate) {
        if (!negate_condition(c)) {
          problems.push_back({s.source, "IAM has no exact negation of `" + op_key(c) + "` on `" + c.key + "` for `unless`"});
          continue;
        }
      }
      std::string op = op_key(c);
      if (cond.contains(op) && cond[op].contains(c.key)) {
        problems.push_back({s.source, "two conditions use `" + op + "` on `" + c.key + "`; IAM would OR their values"});
        continue;
      }
      json values = json::array();
      for (const auto& v : c.values) values.push_back(v.text);
      cond[op][c.key] = values.size() == 1 ? values[0] : values;
    }
    if (!cond.empty()) st["Condition"] = cond;
    statements.push_back(st);
  }
  return json{{"Version", "2012-10-17"}, {"Statement", statements}};
}

const char* ecr_mutability_setting(const MutabilityPlan& m) {
  if (m.except.empty()) return m.immutable ? "IMMUTABLE" : "MUTABLE";
  return m.immutable ? "IMMUTABLE_WITH_EXCLUSION" : "MUTABLE_WITH_EXCLUSION";
}

json mutability_to_ecr_json(const MutabilityPlan& m, std::vector<ExportProblem>& problems) {
  json out;
  out["imageTagMutability"] = ecr_mutability_setting(m);
  if (m.except.empty()) return out;
  if (m.except.size() > 5) problems.push_back({m.source, "ECR allows at most 5 mutability exclusion filters"});
  static const std::regex filter_re("^[0-9a-zA-Z._*-]{1,128}$");
  json filters = json::array();
  for (const auto& f : m.except) {
    if (!std::regex_match(f, filter_re)) problems.push_back({m.source, "exclusion filter `" + f + "` does not match ^[0-9a-zA-Z._*-]{1,128}$"});
    filters.push_back({{"filterType", "WILDCARD"}, {"filter", f}});
  }
  out["imageTagMutabilityExclusionFilters"] = filters;
  return out;
}

std::string lifecycle_to_regpol(const LifecyclePlan& plan) {
  std::string out = "  lifecycle {\n";
  for (const auto& r : plan.rules) {
    out += "    rule " + std::to_string(r.priority) + (r.description.empty() ? "" : " " + quote(r.description)) + " {\n";
    const Selection& s = r.selection;
    std::string sel = tag_status_name(s.status);
    if (s.list_kind == TagListKind::Prefix) sel += " prefix " + quoted_list(s.list);
    if (s.list_kind == TagListKind::Pattern) sel += " pattern " + quoted_list(s.list);
    if (s.storage == StorageClass::Archive) sel += " in archive";
    out += "      select " + sel + "\n";
    std::string verb = r.action == LifecycleAction::Expire ? "expire" : "archive";
    switch (r.count_type) {
      case CountType::ImageCountMoreThan:
        out += r.action == LifecycleAction::Expire ? "      keep newest " + std::to_string(r.count_number) + "\n"
                                                   : "      archive all but newest " + std::to_string(r.count_number) + "\n";
        break;
      case CountType::SinceImagePushed: out += "      " + verb + " older than " + days(r.duration) + "\n"; break;
      case CountType::SinceImagePulled: out += "      " + verb + " unpulled for " + days(r.duration) + "\n"; break;
      case CountType::SinceImageTransitioned: out += "      " + verb + " archived for " + days(r.duration) + "\n"; break;
    }
    out += "    }\n";
  }
  return out + "  }\n";
}

namespace {

// The language's action words (`pull`, `push`, `delete`) when `actions` is exactly the union
// of their IAM actions (docs/access.md); "" otherwise, and the actions are quoted as written.
std::string action_words(const std::vector<std::string>& actions) {
  std::set<std::string> have;
  for (const auto& a : actions) {
    if (a.find_first_of("*?") != std::string::npos) return "";
    have.insert(ascii_lower(a));
  }
  static const char* const kWords[] = {"pull", "push", "delete"};
  // Where a word's actions first appear, so that the words keep the document's order.
  auto first_index = [&](const char* word) {
    std::size_t best = SIZE_MAX;
    for (const auto& a : sema::expand_action_group(word)) {
      for (std::size_t i = 0; i < actions.size(); ++i) {
        if (ascii_lower(actions[i]) == ascii_lower(a)) best = std::min(best, i);
      }
    }
    return best;
  };
  for (unsigned mask = 1; mask < 8; ++mask) {
    std::set<std::string> want;
    std::vector<std::pair<std::size_t, const char*>> words;
    for (unsigned w = 0; w < 3; ++w) {
      if (!(mask & (1u << w))) continue;
      for (const auto& a : sema::expand_action_group(kWords[w])) want.insert(ascii_lower(a));
      words.emplace_back(first_index(kWords[w]), kWords[w]);
    }
    if (want != have) continue;
    std::stable_sort(words.begin(), words.end());
    std::string out;
    for (const auto& [index, word] : words) out += (out.empty() ? "" : ", ") + std::string(word);
    return out;
  }
  return "";
}

}  // namespace

bool access_to_regpol(const AccessPlan& plan, std::string& out, std::vector<ExportProblem>& problems) {
  out = "  access {\n";
  std::size_t before = problems.size();
  for (const auto& s : plan.statements) {
    if (!s.resources.empty()) {
      bool all_star = std::all_of(s.resources.begin(), s.resources.end(), [](const std::string& r) { return r == "*"; });
      if (!all_star || s.not_resource) problems.push_back({s.source, "regpol statements apply to their repository; `Resource` other than \"*\" cannot be imported"});
    }
    if (!s.principal.other.empty()) problems.push_back({s.source, "Federated and CanonicalUser principals cannot be imported"});
    std::string line = s.sid.empty() ? "" : "sid " + quote(s.sid) + " ";
    line += s.allow ? "allow " : "deny ";
    if (s.not_action) line += "not ";
    if (std::string words = action_words(s.actions); !words.empty()) {
      line += words;
    } else {
      for (std::size_t i = 0; i < s.actions.size(); ++i) line += (i ? ", " : "") + (s.actions[i] == "*" ? std::string("*") : quote(s.actions[i]));
    }
    line += " to ";
    if (s.not_principal) line += "not ";
    std::vector<std::string> principals;
    if (s.principal.any) principals.emplace_back("*");
    for (const auto& a : s.principal.aws) {
      std::string acct = a.size() > 5 && a.compare(a.size() - 5, 5, ":root") == 0 && a.rfind("arn:aws:iam::", 0) == 0
                             ? a.substr(13, a.size() - 18) : "";
      bool digits = !acct.empty() && acct.find_first_not_of("0123456789") == std::string::npos && acct.size() == 12;
      if (a.size() == 12 && a.find_first_not_of("0123456789") == std::string::npos) principals.push_back("account " + quote(a));
      else if (digits) principals.push_back("account " + quote(acct));
      else principals.push_back("arn " + quote(a));
    }
    for (const auto& v : s.principal.service) principals.push_back("service " + quote(v));
    for (std::size_t i = 0; i < principals.size(); ++i) line += (i ? ", " : "") + principals[i];
    out += "    " + line + "\n";
    std::string when;
    for (const auto& c : s.conditions) {
      std::string cond = (c.qualifier == SetQualifier::ForAnyValue ? "any of " : c.qualifier == SetQualifier::ForAllValues ? "all of " : "") +
                         c.key + " " + cond_op_name(c.op) + (c.if_exists ? "IfExists" : "") + " ";
      std::vector<std::string> values;
      for (const auto& v : c.values) values.push_back(v.text);
      cond += values.size() == 1 ? quote(values[0]) : quoted_list(values);
      when += when.empty() ? "when " + cond : " and " + cond;
    }
    if (!when.empty()) out += "      " + when + "\n";
  }
  out += "  }\n";
  return problems.size() == before;
}

}  // namespace regpol
