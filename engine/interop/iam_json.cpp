#include "interop/iam_json.h"
#include "util/text.h"

#include <cmath>
#include <nlohmann/json.hpp>

namespace regpol {

using json = nlohmann::json;

namespace {


bool is_date_op(CondOp op) { return op >= CondOp::DateEquals && op <= CondOp::DateGreaterThanEquals; }
bool is_numeric_op(CondOp op) { return op >= CondOp::NumericEquals && op <= CondOp::NumericGreaterThanEquals; }

struct Ctx {
  std::vector<DocumentProblem>& problems;
  void bad(std::string p, std::string m) { problems.push_back({std::move(p), std::move(m)}); }
};

// String or list of strings.
bool string_list(Ctx& c, const json& v, const std::string& at, std::vector<std::string>& out) {
  if (v.is_string()) {
    out.push_back(v.get<std::string>());
    return true;
  }
  if (v.is_array() && !v.empty()) {
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (!v[i].is_string()) {
        c.bad(at + "/" + std::to_string(i), "expected a string");
        return false;
      }
      out.push_back(v[i].get<std::string>());
    }
    return true;
  }
  c.bad(at, "expected a string or a non-empty list of strings");
  return false;
}

void read_principal(Ctx& c, const json& v, const std::string& at, PrincipalSpec& p) {
  if (v.is_string()) {
    if (v != "*") c.bad(at, "a principal string must be \"*\"; name accounts and roles under \"AWS\"");
    p.any = true;
    return;
  }
  if (!v.is_object() || v.empty()) {
    c.bad(at, "expected \"*\" or an object such as {\"AWS\": \"arn:aws:iam::123456789012:root\"}");
    return;
  }
  for (auto it = v.begin(); it != v.end(); ++it) {
    std::vector<std::string> values;
    if (!string_list(c, it.value(), at + "/" + it.key(), values)) continue;
    if (it.key() == "AWS") {
      for (auto& s : values) {
        if (s == "*") p.any = true;
        else p.aws.push_back(s);
      }
    } else if (it.key() == "Service") {
      p.service.insert(p.service.end(), values.begin(), values.end());
    } else if (it.key() == "Federated" || it.key() == "CanonicalUser") {
      p.other.insert(p.other.end(), values.begin(), values.end());
    } else {
      c.bad(at + "/" + it.key(), "unknown principal type `" + it.key() + "` (expected AWS, Service, Federated or CanonicalUser)");
    }
  }
}

}  // namespace

bool compile_condition_value(CondOp op, const std::string& text, CondValue& out, std::string& error) {
  out.text = text;
  if (is_numeric_op(op)) {
    try {
      std::size_t used = 0;
      out.number = std::stod(text, &used);
      if (used != text.size() || !std::isfinite(out.number)) throw std::invalid_argument("x");
    } catch (...) {
      error = "`" + text + "` is not a number";
      return false;
    }
  } else if (is_date_op(op)) {
    if (auto t = parse_timestamp(text)) {
      out.instant = *t;
    } else {
      bool epoch = !text.empty() && text.size() <= 12 && text.find_first_not_of("0123456789") == std::string::npos;
      if (!epoch) {
        error = "`" + text + "` is not a date with a zone (such as 2026-01-01T00:00:00Z) or epoch seconds";
        return false;
      }
      out.instant = std::stoll(text) * kMicrosPerSecond;
    }
  } else if (op == CondOp::IpAddress || op == CondOp::NotIpAddress) {
    auto c = parse_cidr(text);
    if (!c) {
      error = "`" + text + "` is not an IPv4 or IPv6 address or CIDR block";
      return false;
    }
    out.cidr = *c;
  } else if (op == CondOp::Bool || op == CondOp::Null) {
    std::string l = ascii_lower(text);
    if (l != "true" && l != "false") {
      error = "`" + text + "` is not true or false";
      return false;
    }
    out.text = l;
  }
  return true;
}

bool access_plan_from_iam_json(const std::string& name, const std::string& text, AccessPlan& plan,
                               std::vector<DocumentProblem>& problems) {
  Ctx c{problems};
  json doc;
  if (!parse_json_document(text, doc, problems)) return false;
  if (!doc.is_object()) {
    c.bad("", "a policy must be a JSON object with a `Statement` list");
    return false;
  }
  for (auto it = doc.begin(); it != doc.end(); ++it) {
    if (it.key() == "Version") {
      if (*it != "2012-10-17" && *it != "2008-10-17") c.bad("/Version", "`Version` must be \"2012-10-17\" or \"2008-10-17\"");
    } else if (it.key() != "Statement" && it.key() != "Id") {
      c.bad("/" + it.key(), "unknown field `" + it.key() + "`");
    }
  }
  auto st = doc.find("Statement");
  if (st == doc.end() || !st->is_array()) {
    c.bad("/Statement", "`Statement` is required and must be a list of statements");
    return false;
  }
  for (std::size_t i = 0; i < st->size(); ++i) {
    const json& js = (*st)[i];
    std::string at = "/Statement/" + std::to_string(i);
    if (!js.is_object()) {
      c.bad(at, "a statement must be an object");
      continue;
    }
    Statement s;
    s.source = name + "#" + at;
    for (auto it = js.begin(); it != js.end(); ++it) {
      const std::string& k = it.key();
      const std::string kat = at + "/" + k;
      if (k == "Sid") {
        if (!it->is_string()) c.bad(kat, "`Sid` must be a string");
        else s.sid = it->get<std::string>();
      } else if (k == "Effect") {
        if (*it == "Allow") s.allow = true;
        else if (*it == "Deny") s.allow = false;
        else c.bad(kat, "`Effect` must be \"Allow\" or \"Deny\"");
      } else if (k == "Principal" || k == "NotPrincipal") {
        s.not_principal = k == "NotPrincipal";
        read_principal(c, *it, kat, s.principal);
      } else if (k == "Action" || k == "NotAction") {
        s.not_action = k == "NotAction";
        string_list(c, *it, kat, s.actions);
        for (const auto& a : s.actions) {
          if (a != "*" && a.find(':') == std::string::npos) c.bad(kat, "action `" + a + "` needs a service prefix, such as `ecr:" + a + "`");
        }
      } else if (k == "Resource" || k == "NotResource") {
        s.not_resource = k == "NotResource";
        string_list(c, *it, kat, s.resources);
      } else if (k == "Condition") {
        if (!it->is_object()) {
          c.bad(kat, "`Condition` must be an object of operators");
          continue;
        }
        for (auto op = it->begin(); op != it->end(); ++op) {
          std::string opname = op.key();
          std::string oat = kat + "/" + opname;
          Condition base;
          if (opname.rfind("ForAnyValue:", 0) == 0) {
            base.qualifier = SetQualifier::ForAnyValue;
            opname = opname.substr(12);
          } else if (opname.rfind("ForAllValues:", 0) == 0) {
            base.qualifier = SetQualifier::ForAllValues;
            opname = opname.substr(13);
          }
          if (opname.size() > 8 && opname.compare(opname.size() - 8, 8, "IfExists") == 0) {
            base.if_exists = true;
            opname = opname.substr(0, opname.size() - 8);
          }
          auto parsed = cond_op_from_name(opname);
          if (!parsed || (base.if_exists && *parsed == CondOp::Null)) {
            c.bad(oat, "unknown condition operator `" + op.key() + "`");
            continue;
          }
          base.op = *parsed;
          if (!op->is_object() || op->empty()) {
            c.bad(oat, "an operator needs an object of condition keys");
            continue;
          }
          for (auto key = op->begin(); key != op->end(); ++key) {
            Condition cond = base;
            cond.key = key.key();
            cond.key_lower = ascii_lower(key.key());
            std::string vat = oat + "/" + key.key();
            std::vector<json> raw;
            if (key->is_array()) raw.assign(key->begin(), key->end());
            else raw.push_back(*key);
            if (raw.empty()) c.bad(vat, "a condition needs at least one value");
            for (std::size_t v = 0; v < raw.size(); ++v) {
              std::string text_value, error;
              CondValue cv;
              if (!json_scalar_text(raw[v], text_value)) {
                c.bad(vat, "condition values must be strings, numbers or booleans");
              } else if (!compile_condition_value(cond.op, text_value, cv, error)) {
                c.bad(key->is_array() ? vat + "/" + std::to_string(v) : vat, error);
              } else {
                cond.values.push_back(std::move(cv));
              }
            }
            s.conditions.push_back(std::move(cond));
          }
        }
      } else {
        c.bad(kat, "unknown field `" + k + "`");
      }
    }
    if (!js.contains("Effect")) c.bad(at, "`Effect` is required");
    if (!js.contains("Principal") && !js.contains("NotPrincipal")) c.bad(at, "a repository policy statement needs `Principal` or `NotPrincipal`");
    if (js.contains("Principal") && js.contains("NotPrincipal")) c.bad(at, "`Principal` and `NotPrincipal` cannot both be given");
    if (!js.contains("Action") && !js.contains("NotAction")) c.bad(at, "`Action` or `NotAction` is required");
    if (js.contains("Action") && js.contains("NotAction")) c.bad(at, "`Action` and `NotAction` cannot both be given");
    if (js.contains("Resource") && js.contains("NotResource")) c.bad(at, "`Resource` and `NotResource` cannot both be given");
    plan.statements.push_back(std::move(s));
  }
  return problems.empty();
}

}  // namespace regpol
