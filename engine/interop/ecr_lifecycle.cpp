#include "interop/ecr_lifecycle.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

namespace regpol {

using json = nlohmann::json;

namespace {

struct Reader {
  std::vector<DocumentProblem>& problems;
  void bad(std::string pointer, std::string message) { problems.push_back({std::move(pointer), std::move(message)}); }
};

bool positive_integer(const json& v, std::int64_t& out) {
  if (v.is_number_unsigned() || v.is_number_integer()) {
    out = v.get<std::int64_t>();
    return out >= 1;
  }
  if (v.is_number_float()) {
    double d = v.get<double>();
    if (std::floor(d) == d && d >= 1 && d < 9.0e15) {
      out = static_cast<std::int64_t>(d);
      return true;
    }
  }
  return false;
}

}  // namespace

std::vector<PlanRuleProblem> ecr_rule_problems(const LifecyclePlan& plan) {
  std::vector<PlanRuleProblem> out;
  auto add = [&](std::size_t rule, const char* code, std::string message, std::string regpol_message = "") {
    bool about_action = !regpol_message.empty();
    out.push_back({rule, code, std::move(message), std::move(regpol_message), about_action});
  };
  if (plan.rules.size() > 50) add(50, "W1004", "a lifecycle policy may hold at most 50 rules");
  std::map<std::int64_t, std::size_t> seen;
  for (std::size_t i = 0; i < plan.rules.size(); ++i) {
    const auto& r = plan.rules[i];
    auto [it, fresh] = seen.emplace(r.priority, i);
    if (!fresh) add(i, "E0402", "rule priority " + std::to_string(r.priority) + " is used twice");
  }
  for (StorageClass sc : {StorageClass::Standard, StorageClass::Archive}) {
    std::int64_t max_priority = INT64_MIN;
    for (const auto& r : plan.rules) {
      if (r.selection.storage == sc && r.action != LifecycleAction::Untag) max_priority = std::max(max_priority, r.priority);
    }
    int untagged = 0;
    for (std::size_t i = 0; i < plan.rules.size(); ++i) {
      const auto& r = plan.rules[i];
      if (r.selection.storage != sc || r.action == LifecycleAction::Untag) continue;  // not an ECR rule (export refuses it)
      if (r.selection.status == TagStatus::Any && r.priority != max_priority) {
        add(i, "W1001", "a rule with tag status `any` must have the highest priority number of its storage class");
      }
      if (r.selection.status == TagStatus::Untagged && ++untagged == 2) {
        add(i, "W1002", "only one rule per storage class may select untagged images");
      }
    }
  }
  for (std::size_t i = 0; i < plan.rules.size(); ++i) {
    const auto& r = plan.rules[i];
    if (r.selection.list_kind == TagListKind::Pattern) {
      for (const auto& p : r.selection.list) {
        if (std::count(p.begin(), p.end(), '*') > 4) {
          add(i, "W1003", "tag pattern `" + p + "` has more than four `*` wildcards");
        }
      }
    }
    if (r.action == LifecycleAction::Untag) continue;
    bool transition = r.action == LifecycleAction::Transition;
    bool archive = r.selection.storage == StorageClass::Archive;
    if (r.count_type == CountType::SinceImagePulled && !transition) {
      add(i, "W1005", "`sinceImagePulled` can only be used with the `transition` action",
          "ECR allows `unpulled for` only with `archive`; this rule cannot be exported");
    }
    if (r.count_type == CountType::SinceImageTransitioned && (transition || !archive)) {
      add(i, "W1005", "`sinceImageTransitioned` can only be used with `expire` on the archive storage class",
          "ECR allows `archived for` only as `expire` on `select … in archive`");
    }
    if (transition && archive) {
      add(i, "W1005", "`transition` applies to images in standard storage only",
          "ECR archives images in standard storage only; this rule cannot be exported");
    }
  }
  return out;
}

bool lifecycle_plan_from_ecr_json(const std::string& name, const std::string& text, LifecyclePlan& plan,
                                  std::vector<DocumentProblem>& problems) {
  Reader rd{problems};
  plan.ecr_exact = true;
  json doc;
  if (!parse_json_document(text, doc, problems)) return false;
  if (!doc.is_object()) {
    rd.bad("", "a lifecycle policy must be a JSON object with a `rules` array");
    return false;
  }
  auto rules_it = doc.find("rules");
  if (rules_it == doc.end() || !rules_it->is_array()) {
    rd.bad("/rules", "`rules` is required and must be an array");
    return false;
  }
  if (rules_it->empty()) rd.bad("/rules", "a lifecycle policy needs at least one rule");
  for (auto it = doc.begin(); it != doc.end(); ++it) {
    if (it.key() != "rules") rd.bad("/" + it.key(), "unknown field `" + it.key() + "`");
  }
  std::size_t index = 0;
  for (const auto& jr : *rules_it) {
    std::string at = "/rules/" + std::to_string(index);
    LifecycleRule rule;
    rule.source = name + "#" + at;
    ++index;
    if (!jr.is_object()) {
      rd.bad(at, "each rule must be an object");
      continue;
    }
    for (auto it = jr.begin(); it != jr.end(); ++it) {
      if (it.key() != "rulePriority" && it.key() != "description" && it.key() != "selection" && it.key() != "action") {
        rd.bad(at + "/" + it.key(), "unknown field `" + it.key() + "`");
      }
    }
    auto pr = jr.find("rulePriority");
    if (pr == jr.end() || !positive_integer(*pr, rule.priority)) {
      rd.bad(at + "/rulePriority", "`rulePriority` is required and must be a positive integer");
    }
    if (auto d = jr.find("description"); d != jr.end()) {
      if (!d->is_string()) rd.bad(at + "/description", "`description` must be a string");
      else rule.description = d->get<std::string>();
    }
    auto sel = jr.find("selection");
    if (sel == jr.end() || !sel->is_object()) {
      rd.bad(at + "/selection", "`selection` is required and must be an object");
      continue;
    }
    const std::string sat = at + "/selection";
    for (auto it = sel->begin(); it != sel->end(); ++it) {
      static const std::set<std::string> known = {"tagStatus", "tagPrefixList", "tagPatternList", "countType",
                                                  "countUnit", "countNumber", "storageClass"};
      if (!known.count(it.key())) rd.bad(sat + "/" + it.key(), "unknown field `" + it.key() + "`");
    }
    auto ts = sel->find("tagStatus");
    std::string status = ts != sel->end() && ts->is_string() ? ts->get<std::string>() : "";
    if (status == "tagged") rule.selection.status = TagStatus::Tagged;
    else if (status == "untagged") rule.selection.status = TagStatus::Untagged;
    else if (status == "any") rule.selection.status = TagStatus::Any;
    else rd.bad(sat + "/tagStatus", "`tagStatus` must be one of `tagged`, `untagged`, `any`");

    auto read_list = [&](const char* key, TagListKind kind) {
      auto l = sel->find(key);
      if (l == sel->end()) return;
      if (!l->is_array() || l->empty() || !std::all_of(l->begin(), l->end(), [](const json& x) { return x.is_string() && !x.get<std::string>().empty(); })) {
        rd.bad(sat + "/" + key, std::string("`") + key + "` must be a non-empty list of non-empty strings");
        return;
      }
      if (rule.selection.list_kind != TagListKind::None) {
        rd.bad(sat + "/" + key, "`tagPrefixList` and `tagPatternList` cannot both be given");
        return;
      }
      rule.selection.list_kind = kind;
      for (const auto& x : *l) rule.selection.list.push_back(x.get<std::string>());
    };
    read_list("tagPrefixList", TagListKind::Prefix);
    read_list("tagPatternList", TagListKind::Pattern);
    if (rule.selection.status == TagStatus::Tagged && rule.selection.list_kind == TagListKind::None && status == "tagged") {
      rd.bad(sat, "a `tagged` rule needs `tagPrefixList` or `tagPatternList`");
    }
    if (rule.selection.status != TagStatus::Tagged && rule.selection.list_kind != TagListKind::None) {
      rd.bad(sat, "`tagPrefixList` and `tagPatternList` are only allowed with `tagStatus` `tagged`");
    }
    if (auto sc = sel->find("storageClass"); sc != sel->end()) {
      if (*sc == "standard") rule.selection.storage = StorageClass::Standard;
      else if (*sc == "archive") rule.selection.storage = StorageClass::Archive;
      else rd.bad(sat + "/storageClass", "`storageClass` must be `standard` or `archive`");
    }
    auto ct = sel->find("countType");
    std::string count_type = ct != sel->end() && ct->is_string() ? ct->get<std::string>() : "";
    bool since = true;
    if (count_type == "imageCountMoreThan") { rule.count_type = CountType::ImageCountMoreThan; since = false; }
    else if (count_type == "sinceImagePushed") rule.count_type = CountType::SinceImagePushed;
    else if (count_type == "sinceImagePulled") rule.count_type = CountType::SinceImagePulled;
    else if (count_type == "sinceImageTransitioned") rule.count_type = CountType::SinceImageTransitioned;
    else rd.bad(sat + "/countType", "`countType` must be one of `imageCountMoreThan`, `sinceImagePushed`, `sinceImagePulled`, `sinceImageTransitioned`");
    auto cu = sel->find("countUnit");
    if (count_type.empty() || (since && count_type != "sinceImagePushed" && count_type != "sinceImagePulled" &&
                               count_type != "sinceImageTransitioned")) {
      // The count type is already reported; say nothing about its unit.
    } else if (since) {
      if (cu == sel->end()) rd.bad(sat + "/countUnit", "`countUnit` is required with `" + count_type + "`");
      else if (*cu != "days") rd.bad(sat + "/countUnit", "`countUnit` must be `days`");
    } else if (cu != sel->end()) {
      rd.bad(sat + "/countUnit", "`countUnit` is only allowed with the since* count types");
    }
    auto cn = sel->find("countNumber");
    if (cn == sel->end() || !positive_integer(*cn, rule.count_number)) {
      rd.bad(sat + "/countNumber", "`countNumber` is required and must be an integer of at least 1");
    }
    // Ages beyond ~3000 years are clamped (they never elapse) so the arithmetic cannot overflow.
    if (since) rule.duration = std::min<std::int64_t>(rule.count_number, 1'000'000) * kMicrosPerDay;

    auto act = jr.find("action");
    if (act == jr.end() || !act->is_object()) {
      rd.bad(at + "/action", "`action` is required and must be an object");
    } else {
      auto type = act->find("type");
      if (type != act->end() && *type == "expire") {
        rule.action = LifecycleAction::Expire;
        if (act->contains("targetStorageClass")) rd.bad(at + "/action/targetStorageClass", "`targetStorageClass` is only allowed with `transition`");
      } else if (type != act->end() && *type == "transition") {
        rule.action = LifecycleAction::Transition;
        auto tsc = act->find("targetStorageClass");
        if (tsc == act->end() || *tsc != "archive") rd.bad(at + "/action/targetStorageClass", "`transition` requires `targetStorageClass` `archive`");
      } else {
        rd.bad(at + "/action/type", "`action.type` must be `expire` or `transition`");
      }
      for (auto it = act->begin(); it != act->end(); ++it) {
        if (it.key() != "type" && it.key() != "targetStorageClass") rd.bad(at + "/action/" + it.key(), "unknown field `" + it.key() + "`");
      }
    }
    plan.rules.push_back(std::move(rule));
  }
  std::stable_sort(plan.rules.begin(), plan.rules.end(),
                   [](const LifecycleRule& a, const LifecycleRule& b) { return a.priority < b.priority; });
  if (problems.empty()) {
    for (const auto& p : ecr_rule_problems(plan)) {
      const auto& r = plan.rules[std::min(p.rule, plan.rules.size() - 1)];
      rd.bad(r.source.substr(r.source.find('#') + 1), p.message);
    }
  }
  return problems.empty();
}

}  // namespace regpol
