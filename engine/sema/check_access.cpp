// Access statements (actions, principals, conditions as IAM reads them) and tag mutability.

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <type_traits>

#include "diag/suggest.h"
#include "sema/checker.h"
#include "util/time.h"

namespace regpol::sema {

const std::vector<std::string>& ecr_action_names() {
  static const std::vector<std::string> names = {
      "ecr:BatchCheckLayerAvailability", "ecr:BatchDeleteImage", "ecr:BatchGetImage", "ecr:BatchGetRepositoryScanningConfiguration",
      "ecr:CompleteLayerUpload", "ecr:CreateRepository", "ecr:DeleteLifecyclePolicy", "ecr:DeleteRepository",
      "ecr:DeleteRepositoryPolicy", "ecr:DescribeImageReplicationStatus", "ecr:DescribeImageScanFindings", "ecr:DescribeImages",
      "ecr:DescribeRepositories", "ecr:GetAuthorizationToken", "ecr:GetDownloadUrlForLayer", "ecr:GetLifecyclePolicy",
      "ecr:GetLifecyclePolicyPreview", "ecr:GetRepositoryPolicy", "ecr:InitiateLayerUpload", "ecr:ListImages",
      "ecr:ListTagsForResource", "ecr:PutImage", "ecr:PutImageScanningConfiguration", "ecr:PutImageTagMutability",
      "ecr:PutLifecyclePolicy", "ecr:ReplicateImage", "ecr:SetRepositoryPolicy", "ecr:StartImageScan",
      "ecr:StartLifecyclePolicyPreview", "ecr:TagResource", "ecr:UntagResource", "ecr:UploadLayerPart",
      "ecr:UpdateImageStorageClass", "ecr:BatchImportUpstreamImage"};
  return names;
}

std::vector<std::string> expand_action_group(const std::string& word) {
  if (word == "pull") return {"ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"};
  if (word == "push") {
    return {"ecr:PutImage", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload",
            "ecr:BatchCheckLayerAvailability"};
  }
  if (word == "delete") return {"ecr:BatchDeleteImage"};
  return {};
}

namespace {

const std::vector<std::string>& known_global_keys() {
  static const std::vector<std::string> keys = {
      "aws:CalledVia", "aws:CalledViaFirst", "aws:CalledViaLast", "aws:CurrentTime", "aws:EpochTime",
      "aws:MultiFactorAuthAge", "aws:MultiFactorAuthPresent", "aws:PrincipalAccount", "aws:PrincipalArn",
      "aws:PrincipalIsAWSService", "aws:PrincipalOrgID", "aws:PrincipalOrgPaths", "aws:PrincipalServiceName",
      "aws:PrincipalServiceNamesList", "aws:PrincipalType", "aws:RequestedRegion", "aws:SecureTransport",
      "aws:SourceAccount", "aws:SourceArn", "aws:SourceIdentity", "aws:SourceIp", "aws:SourceOrgID",
      "aws:SourceOrgPaths", "aws:SourceVpc", "aws:SourceVpce", "aws:TagKeys", "aws:TokenIssueTime",
      "aws:UserAgent", "aws:userid", "aws:username", "aws:ViaAWSService", "aws:VpcSourceIp", "aws:Referer",
      "aws:ResourceAccount", "aws:ResourceOrgID", "aws:ResourceOrgPaths", "aws:FederatedProvider"};
  return keys;
}

bool is_arn_key(const std::string& key) {
  std::string k = key;
  for (auto& c : k) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return k == "aws:principalarn" || k == "aws:sourcearn";
}

}  // namespace

void Checker::mutability(const ast::Mutability& mu, CheckedScope& sc, const Module& m) {
  if (sc.mutability) {
    sink_.error("E0203", mu.span, "a repository block sets `mutability` once");
    return;
  }
  CheckedMutability out;
  out.immutable = mu.immutable;
  out.span = mu.span;
  for (const auto& e : mu.except) {
    if (auto l = strings(*e, *m.env, m, "mutability exclusions")) out.except.insert(out.except.end(), l->begin(), l->end());
  }
  sc.mutability = std::move(out);
}

// Maps the language's condition operators to IAM's, by the type of the value.
std::optional<std::string> Checker::iam_operator(const ast::Condition& c, const Value& v) {
  const std::string& op = c.op;
  Type t = v.type == Type::List && !v.items.empty() ? v.items.front().type : v.type;
  bool ip = false;
  if (op == "in" || op == "not in") {
    std::string k = c.key;
    for (auto& ch : k) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    ip = k == "aws:sourceip" || k == "aws:vpcsourceip";
    return ip ? (op == "in" ? "IpAddress" : "NotIpAddress") : (op == "in" ? "StringEquals" : "StringNotEquals");
  }
  if (op == "like") return is_arn_key(c.key) ? "ArnLike" : "StringLike";
  if (op == "not like") return is_arn_key(c.key) ? "ArnNotLike" : "StringNotLike";
  if (op == "==" || op == "!=") {
    bool eq = op == "==";
    switch (t) {
      case Type::Number: return eq ? "NumericEquals" : "NumericNotEquals";
      case Type::Timestamp: return eq ? "DateEquals" : "DateNotEquals";
      case Type::Bool:
        if (eq) return "Bool";
        break;
      case Type::String: return eq ? "StringEquals" : "StringNotEquals";
      default: break;
    }
    sink_.error("E0301", c.op_span, "`" + op + "` cannot compare a " + type_name(t));
    return std::nullopt;
  }
  if (op == "<" || op == "<=" || op == ">" || op == ">=") {
    std::string base = t == Type::Number ? "Numeric" : t == Type::Timestamp ? "Date" : "";
    if (base.empty()) {
      sink_.error("E0301", c.op_span, "`" + op + "` compares numbers or timestamps, not a " + std::string(type_name(t)));
      return std::nullopt;
    }
    std::string suffix = op == "<" ? "LessThan" : op == "<=" ? "LessThanEquals" : op == ">" ? "GreaterThan" : "GreaterThanEquals";
    return base + suffix;
  }
  return op;  // an IAM operator name, checked by plan lowering
}

void Checker::statement(const ast::AccessStmt& s, CheckedScope& sc, const Module& m, const Env& env) {
  sc.statements.push_back(access_statement(s, m, env));
}

CheckedStatement Checker::access_statement(const ast::AccessStmt& s, const Module& m, const Env& env) {
  CheckedStatement out;
  out.written = &s;
  for (const auto& a : s.actions) {
    if (a.text == "*") {
      out.actions.emplace_back("ecr:*");
    } else if (!a.quoted) {
      auto group = expand_action_group(a.text);
      if (group.empty()) {
        auto& d = sink_.error("E0306", a.span, "unknown action `" + a.text + "`");
        if (auto x = closest_match(a.text, {"pull", "push", "delete"})) d.help = "did you mean `" + *x + "`?";
        else d.help = "use `pull`, `push`, `delete` or a quoted IAM action such as \"ecr:PutImage\"";
      }
      for (const auto& g : group) {
        if (std::find(out.actions.begin(), out.actions.end(), g) == out.actions.end()) out.actions.push_back(g);
      }
    } else {
      bool wildcard = a.text.find_first_of("*?") != std::string::npos;
      const auto& names = ecr_action_names();
      bool known = std::any_of(names.begin(), names.end(), [&](const std::string& n) {
        return n.size() == a.text.size() && std::equal(n.begin(), n.end(), a.text.begin(), [](char x, char y) {
                 return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
               });
      });
      if (!wildcard && !known) {
        auto& d = sink_.error("E0306", a.span, "unknown action `" + a.text + "`");
        if (auto x = closest_match(a.text, names)) d.help = "did you mean `" + *x + "`?";
      } else if (a.text.find(':') == std::string::npos && a.text != "*") {
        sink_.error("E0306", a.span, "an IAM action needs its service prefix, such as \"ecr:PutImage\"");
      }
      out.actions.push_back(a.text);
    }
  }
  for (const auto& e : s.on_tags) {
    if (auto l = strings(*e, env, m, "tag patterns")) out.on_tags.insert(out.on_tags.end(), l->begin(), l->end());
  }
  for (const auto& p : s.principals) {
    CheckedPrincipal cp;
    cp.kind = p.kind;
    if (p.value) {
      auto v = eval(*p.value, env, m);
      if (!v) continue;
      if (v->type != Type::String) {
        sink_.error("E0301", p.value->span, "a principal must be a string");
        continue;
      }
      cp.value = v->str;
      bool ok = true;
      if (p.kind == "account") ok = cp.value.size() == 12 && cp.value.find_first_not_of("0123456789") == std::string::npos;
      else if (p.kind == "arn") ok = cp.value.rfind("arn:", 0) == 0 && std::count(cp.value.begin(), cp.value.end(), ':') >= 5;
      else if (p.kind == "org") ok = cp.value.rfind("o-", 0) == 0;
      else if (p.kind == "service") ok = cp.value.find('.') != std::string::npos;
      if (!ok) {
        sink_.error("E0309", p.value->span, "`" + cp.value + "` is not a valid " + p.kind + " principal").help =
            p.kind == "account" ? "an account is 12 digits" : p.kind == "arn" ? "an ARN has six colon-separated parts"
            : p.kind == "org" ? "an organization id starts with `o-`" : "a service principal looks like `codebuild.amazonaws.com`";
      }
    }
    out.principals.push_back(std::move(cp));
  }
  for (const auto& clause : s.clauses) {
    if (clause.unless && clause.conditions.size() > 1) {
      sink_.error("E0310", clause.span, "`unless` takes exactly one condition").help =
          "write one `unless` per condition: `unless A unless B` means neither A nor B";
      continue;
    }
    for (const auto& c : clause.conditions) {
      CheckedCondition cc;
      cc.key = c.key;
      cc.span = c.span;
      cc.negate = clause.unless;
      cc.qualifier = c.qualifier == "any" ? "ForAnyValue" : c.qualifier == "all" ? "ForAllValues" : "";
      std::string k = c.key;
      if (k.rfind("aws:", 0) == 0 && k.find('/') == std::string::npos) {
        const auto& keys = known_global_keys();
        bool known = std::any_of(keys.begin(), keys.end(), [&](const std::string& x) {
          return x.size() == k.size() && std::equal(x.begin(), x.end(), k.begin(), [](char a, char b) {
                   return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
                 });
        });
        if (!known) {
          auto& d = sink_.error("E0308", c.span, "unknown condition key `" + k + "`");
          if (auto x = closest_match(k, keys)) d.help = "did you mean `" + *x + "`?";
          continue;
        }
      }
      auto v = eval(*c.value, env, m);
      if (!v) continue;
      auto op = iam_operator(c, *v);
      if (!op) continue;
      cc.op = *op;
      auto text = [](const Value& x) -> std::optional<std::string> {
        switch (x.type) {
          case Type::String: return x.str;
          case Type::Bool: return std::string(x.boolean ? "true" : "false");
          case Type::Number: {
            char buf[64];
            std::snprintf(buf, sizeof buf, "%.17g", x.number);
            return std::string(buf);
          }
          case Type::Timestamp: return std::to_string(x.micros / 1000000);
          default: return std::nullopt;
        }
      };
      const std::vector<Value> items = v->type == Type::List ? v->items : std::vector<Value>{*v};
      bool ok = true;
      for (const auto& item : items) {
        auto t = text(item);
        if (!t) {
          sink_.error("E0301", item.span, std::string("a condition value cannot be a ") + type_name(item.type));
          ok = false;
          break;
        }
        cc.values.push_back(*t);
      }
      if (ok) out.conditions.push_back(std::move(cc));
    }
  }
  return out;
}

}  // namespace regpol::sema
