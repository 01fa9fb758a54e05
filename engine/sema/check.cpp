#include "sema/check.h"

#include "util/time.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <type_traits>

#include "diag/suggest.h"

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

class Checker {
 public:
  Checker(SourceMap& sources, DiagnosticSink& sink, ModuleLoader& loader) : sources_(sources), sink_(sink), loader_(loader) {}

  std::unique_ptr<CheckedPolicy> run(ast::File main) {
    auto policy = std::make_unique<CheckedPolicy>();
    policy_ = policy.get();
    policy->files.push_back(std::make_unique<ast::File>(std::move(main)));
    const ast::File& f = *policy->files.front();
    if (f.policy_name) policy->name = *f.policy_name;
    Module root = module_of(f, /*is_main=*/true);
    for (const auto& item : f.items) {
      if (const auto* r = std::get_if<ast::RepositoryBlock>(&item)) scope(*r, root);
      if (const auto* t = std::get_if<ast::TestBlock>(&item)) {
        CheckedTest test{t->name, {}, t->span};
        for (const auto& i : t->items) test.items.push_back(&i);
        policy->tests.push_back(std::move(test));
      }
    }
    // Templates of the main file that no `use` reached are still checked for names, so that
    // a `let` used only there is not reported unused.
    for (const auto& name : root.env->unused_names()) {
      for (const auto& item : f.items) {
        const auto* let = std::get_if<ast::Let>(&item);
        if (let && let->name == name && !used_in_templates(f, name))
          sink_.warning("W1008", let->span, "`" + name + "` is never used").help = "remove it, or use it in a rule";
      }
    }
    // Imports nothing reads, and (in a policy, not a module others import) templates no
    // `use` instantiates.
    const bool is_policy = std::any_of(f.items.begin(), f.items.end(), [](const ast::Item& i) { return std::holds_alternative<ast::RepositoryBlock>(i); });
    for (const auto& item : f.items) {
      if (const auto* imp = std::get_if<ast::Import>(&item)) {
        auto it = root.imports.find(imp->alias);
        if (it != root.imports.end() && !used_modules_.count(it->second.get()))
          sink_.warning("W2205", imp->span, "import `" + imp->alias + "` is never used").help = "remove it";
      } else if (const auto* t = std::get_if<ast::Template>(&item); t && is_policy && !used_templates_.count(t)) {
        sink_.warning("W2204", t->span, "template `" + t->name + "` is never used").help = "remove it, or `use` it in a block";
      }
    }
    int defaults = 0;
    for (const auto& s : policy->scopes) {
      if (s.is_defaults && ++defaults == 2) sink_.error("E0203", s.span, "more than one `defaults` block");
    }
    return policy;
  }

 private:
  std::set<const void*> used_modules_;            // imported modules a name or `use` reached
  std::set<const ast::Template*> used_templates_;  // templates a `use` instantiated

  struct Module {
    std::shared_ptr<Env> env;
    std::map<std::string, const ast::Template*> templates;
    std::map<std::string, std::shared_ptr<Module>> imports;
  };

  // True when a template of `f` names `name` anywhere in its body (its use may be elsewhere).
  static bool used_in_templates(const ast::File& f, const std::string& name) {
    for (const auto& item : f.items) {
      const auto* t = std::get_if<ast::Template>(&item);
      if (!t) continue;
      const ast::RuleBody& b = t->body;
      for (const ast::Expr* e : {b.selection.list.get(), b.selection.where.get(), b.action.amount.get(), b.action.per.get()}) {
        if (e && names(*e, name)) return true;
      }
      for (const auto& st : t->statements) {
        for (const auto& e : st.on_tags) {
          if (e && names(*e, name)) return true;
        }
        for (const auto& p : st.principals) {
          if (p.value && names(*p.value, name)) return true;
        }
        for (const auto& c : st.clauses) {
          for (const auto& k : c.conditions) {
            if (k.value && names(*k.value, name)) return true;
          }
        }
      }
      for (const auto& p : t->params) {
        if (p.default_value && names(*p.default_value, name)) return true;
      }
    }
    return false;
  }
  static void mark_names_used(const ast::Expr& e, const Env& env) {
    if (e.kind == ast::ExprKind::Name) env.find(e.text);
    for (const auto& i : e.items) {
      if (i) mark_names_used(*i, env);
    }
  }
  static bool names(const ast::Expr& e, const std::string& name) {
    if (e.kind == ast::ExprKind::Name && e.text == name) return true;
    for (const auto& i : e.items) {
      if (i && names(*i, name)) return true;
    }
    return false;
  }

  // Imports, lets and templates of one file.
  Module module_of(const ast::File& f, bool is_main) {
    Module m;
    m.env = std::make_shared<Env>();
    std::set<std::string> names;
    for (const auto& item : f.items) {
      if (const auto* imp = std::get_if<ast::Import>(&item)) {
        if (!names.insert(imp->alias).second) sink_.error("E0203", imp->span, "`" + imp->alias + "` is defined twice");
        if (auto sub = import_module(*imp, f.file)) m.imports[imp->alias] = sub;
      } else if (const auto* let = std::get_if<ast::Let>(&item)) {
        if (!names.insert(let->name).second) {
          sink_.error("E0203", let->span, "`" + let->name + "` is defined twice");
          continue;
        }
        if (auto v = eval(*let->value, *m.env, m)) m.env->bind(let->name, *v);
      } else if (const auto* t = std::get_if<ast::Template>(&item)) {
        if (!names.insert(t->name).second) sink_.error("E0203", t->span, "`" + t->name + "` is defined twice");
        m.templates[t->name] = t;
      } else if (!is_main) {
        auto sp = std::visit([](const auto& x) { return x.span; }, item);
        sink_.warning("W1010", sp, "a module's repository, defaults and test blocks are ignored by importers");
      }
    }
    return m;
  }

  std::shared_ptr<Module> import_module(const ast::Import& imp, FileId importer) {
    ResolvedModule where = loader_.resolve(imp.path, importer, sources_);
    if (where.status == ResolvedModule::Status::Refused) {
      auto& d = sink_.error("E0206", imp.span, "import `" + imp.path + "` is not allowed: " + where.reason);
      d.help = "import `std/...` modules, or `.regpol` files inside the import root (the policy's folder, or `--import-root DIR`)";
      return nullptr;
    }
    if (where.status == ResolvedModule::Status::NotFound) {
      auto& d = sink_.error("E0202", imp.span, "cannot find module `" + imp.path + "`");
      d.help = "stdlib modules are `std/retention`, `std/access`, `std/mutability`; other paths are relative to the importing file";
      return nullptr;
    }
    if (std::find(stack_.begin(), stack_.end(), where.key) != stack_.end()) {
      sink_.error("E0204", imp.span, "import cycle through `" + imp.path + "`");
      return nullptr;
    }
    auto cached = cache_.find(where.key);
    if (cached != cache_.end()) return cached->second;
    std::string error;
    auto file = loader_.load(where, sources_, sink_, error);
    if (!file) {
      sink_.error("E0202", imp.span, "cannot read module `" + imp.path + "`: " + error);
      return nullptr;
    }
    policy_->files.push_back(std::make_unique<ast::File>(std::move(*file)));
    const ast::File& f = *policy_->files.back();
    stack_.push_back(where.key);
    auto m = std::make_shared<Module>(module_of(f, false));
    stack_.pop_back();
    cache_[where.key] = m;
    return m;
  }

  void unknown_name(const std::string& name, Span sp, const std::vector<std::string>& candidates) {
    auto& d = sink_.error("E0201", sp, "unknown name `" + name + "`");
    if (auto s = closest_match(name, candidates)) d.help = "did you mean `" + *s + "`?";
  }

  // Evaluates a constant expression.
  std::optional<Value> eval(const ast::Expr& e, const Env& env, const Module& m) {
    Value v;
    v.span = e.span;
    switch (e.kind) {
      case ast::ExprKind::String: v.type = Type::String; v.str = e.text; return v;
      case ast::ExprKind::Number: v.type = Type::Number; v.number = e.number; return v;
      case ast::ExprKind::Duration: v.type = Type::Duration; v.micros = e.micros; return v;
      case ast::ExprKind::Timestamp: v.type = Type::Timestamp; v.micros = e.micros; return v;
      case ast::ExprKind::Size: v.type = Type::Size; v.bytes = e.bytes; return v;
      case ast::ExprKind::Bool: v.type = Type::Bool; v.boolean = e.boolean; return v;
      case ast::ExprKind::Paren: return eval(*e.items[0], env, m);
      case ast::ExprKind::List: {
        v.type = Type::List;
        for (const auto& i : e.items) {
          auto x = eval(*i, env, m);
          if (!x) return std::nullopt;
          v.items.push_back(*x);
        }
        return v;
      }
      case ast::ExprKind::Name: {
        if (const Value* found = env.find(e.text)) {
          Value copy = *found;
          copy.span = e.span;
          return copy;
        }
        unknown_name(e.text, e.span, env.all_names());
        return std::nullopt;
      }
      case ast::ExprKind::Member: {
        const ast::Expr& base = *e.items[0];
        if (base.kind == ast::ExprKind::Name && !env.find(base.text)) {
          auto it = m.imports.find(base.text);
          if (it == m.imports.end()) {
            unknown_name(base.text, base.span, env.all_names());
            return std::nullopt;
          }
          used_modules_.insert(it->second.get());
          if (const Value* found = it->second->env->find(e.text)) return *found;
          unknown_name(base.text + "." + e.text, e.span, it->second->env->all_names());
          return std::nullopt;
        }
        sink_.error("E0301", e.span, "not a constant: only module members (`alias.name`) can be read here");
        return std::nullopt;
      }
      case ast::ExprKind::Unary: {
        auto x = eval(*e.items[0], env, m);
        if (!x) return std::nullopt;
        if (e.text == "-" && x->type == Type::Number) x->number = -x->number;
        else if (e.text == "-" && x->type == Type::Duration) x->micros = -x->micros;
        else if (e.text == "not" && x->type == Type::Bool) x->boolean = !x->boolean;
        else return type_error(e, "`" + e.text + "` cannot apply to a " + type_name(x->type));
        x->span = e.span;
        return x;
      }
      case ast::ExprKind::Binary: {
        auto a = eval(*e.items[0], env, m);
        auto b = eval(*e.items[1], env, m);
        if (!a || !b) return std::nullopt;
        const std::string& op = e.text;
        Value r;
        r.span = e.span;
        if ((op == "+" || op == "-") && a->type == b->type &&
            (a->type == Type::Number || a->type == Type::Duration || a->type == Type::Size)) {
          int sign = op == "+" ? 1 : -1;
          r = *a;
          r.number = a->number + sign * b->number;
          r.micros = a->micros + sign * b->micros;
          r.bytes = a->bytes + sign * b->bytes;
          r.span = e.span;
          return r;
        }
        if ((op == "+" || op == "-") && a->type == Type::Timestamp && b->type == Type::Duration) {
          r = *a;
          r.micros = op == "+" ? a->micros + b->micros : a->micros - b->micros;
          r.span = e.span;
          return r;
        }
        if ((op == "*" || op == "/") && b->type == Type::Number &&
            (a->type == Type::Number || a->type == Type::Duration || a->type == Type::Size)) {
          if (op == "/" && b->number == 0) return type_error(e, "division by zero");
          double f = op == "*" ? b->number : 1.0 / b->number;
          r = *a;
          r.number = a->number * f;
          r.micros = static_cast<std::int64_t>(std::llround(static_cast<double>(a->micros) * f));
          r.bytes = static_cast<std::int64_t>(std::llround(static_cast<double>(a->bytes) * f));
          r.span = e.span;
          return r;
        }
        if (op == "+" && a->type == Type::String && b->type == Type::String) {
          r.type = Type::String;
          r.str = a->str + b->str;
          return r;
        }
        if (op == "+" && a->type == Type::List && b->type == Type::List) {
          r = *a;
          r.items.insert(r.items.end(), b->items.begin(), b->items.end());
          r.span = e.span;
          return r;
        }
        return type_error(e, "`" + op + "` cannot combine a " + type_name(a->type) + " and a " + type_name(b->type) +
                                 " in a constant");
      }
      case ast::ExprKind::Call:
        return type_error(e, "calls are not constants");
    }
    return std::nullopt;
  }

  std::optional<Value> type_error(const ast::Expr& e, const std::string& message) {
    sink_.error("E0301", e.span, message);
    return std::nullopt;
  }

  // A string or a list of strings, as a list.
  std::optional<std::vector<std::string>> strings(const ast::Expr& e, const Env& env, const Module& m, const char* what) {
    auto v = eval(e, env, m);
    if (!v) return std::nullopt;
    std::vector<std::string> out;
    if (v->type == Type::String) {
      out.push_back(v->str);
    } else if (v->type == Type::List) {
      for (const auto& i : v->items) {
        if (i.type != Type::String) {
          sink_.error("E0301", i.span, std::string(what) + " must be strings, not a " + type_name(i.type));
          return std::nullopt;
        }
        out.push_back(i.str);
      }
    } else {
      sink_.error("E0301", e.span, std::string(what) + " must be a string or a list of strings, not a " + type_name(v->type));
      return std::nullopt;
    }
    return out;
  }

  CheckedSelection selection(const ast::Selection& s, const std::shared_ptr<const Env>& env, const Module& m) {
    CheckedSelection out;
    out.tags = s.tags;
    out.list_kind = s.list_kind;
    out.storage = s.storage;
    out.where = s.where.get();
    out.span = s.span;
    out.env = env;
    // `where` is compiled later (plan/predicate); the constants it names are used now, for
    // the unused-`let` lint.
    if (s.where) mark_names_used(*s.where, *env);
    if (s.list) {
      if (auto l = strings(*s.list, *env, m, "tag prefixes and patterns")) {
        out.list = *l;
        if (out.list.empty()) sink_.error("E0302", s.list->span, "a tag list needs at least one entry");
        for (const auto& p : out.list) {
          if (p.empty()) sink_.error("E0302", s.list->span, "an empty tag prefix or pattern matches nothing useful");
        }
      }
    }
    if (s.tags == ast::Selection::Tags::Tagged && !s.list) {
      sink_.warning("W1009", s.span, "`select tagged` without a prefix or pattern list matches every tagged image")
          .help = "ECR needs a list: write `select tagged pattern [\"*\"]` to say so explicitly";
    }
    return out;
  }

  std::optional<CheckedRule> rule_body(const ast::RuleBody& b, const std::shared_ptr<const Env>& env, const Module& m) {
    CheckedRule r;
    r.selection = selection(b.selection, env, m);
    r.env = env;
    const ast::Action& a = b.action;
    r.kind = a.kind;
    r.verb = a.verb;
    r.order = a.order;
    r.per = a.per.get();
    r.action_span = a.span;
    auto amount = eval(*a.amount, *env, m);
    if (!amount) return std::nullopt;
    bool count_kind = a.kind == ast::Action::Kind::KeepNewest || a.kind == ast::Action::Kind::AllButNewest;
    if (count_kind) {
      if (amount->type != Type::Number || amount->number != std::floor(amount->number)) {
        sink_.error("E0301", a.amount->span, std::string("a count must be a whole number, not a ") + type_name(amount->type));
        return std::nullopt;
      }
      if (amount->number < 1 || amount->number > 1e9) {
        sink_.error("E0302", a.amount->span, "a count must be at least 1");
        return std::nullopt;
      }
      r.count = static_cast<std::int64_t>(amount->number);
    } else {
      if (amount->type != Type::Duration) {
        auto& d = sink_.error("E0301", a.amount->span, std::string("an age must be a duration, not a ") + type_name(amount->type));
        if (amount->type == Type::Number) d.help = "add a unit: `" + std::to_string(static_cast<long long>(amount->number)) + "d`";
        return std::nullopt;
      }
      if (amount->micros <= 0) {
        sink_.error("E0302", a.amount->span, "an age must be longer than zero");
        return std::nullopt;
      }
      r.duration_us = amount->micros;
      if (amount->micros % kMicrosPerDay != 0) {
        sink_.warning("W1006", a.amount->span, "ECR counts ages in whole days; this age is not a whole number of days")
            .help = "regpol evaluates it exactly, but `export ecr` refuses it: use a number of days such as `2d`";
      }
    }
    if (!a.order.empty() && a.order != "semver" && a.order != "pushed") {
      auto& d = sink_.error("E0201", a.span, "unknown order `" + a.order + "`");
      d.help = "order `by semver` or `by pushed`";
    }
    // What ECR accepts for a rule (W1001-W1005) is checked once, on the lowered rule
    // (interop/ecr_lifecycle.h ecr_rule_problems), for regpol rules and ECR documents alike.
    bool archive_class = r.selection.storage == "archive";
    if (a.verb == "archive" && archive_class) {
      sink_.warning("W1007", a.span, "images in archive cannot be archived again: this rule never acts");
    }
    return r;
  }

  std::string selection_label(const ast::Selection& s) {
    const SourceFile& f = sources_.file(s.span.file);
    return f.text().substr(s.span.begin, s.span.end - s.span.begin);
  }

  void lifecycle(const ast::Lifecycle& l, CheckedScope& sc, const Module& m) {
    sc.has_lifecycle = true;
    sc.lifecycle_span = l.span;
    for (const auto& item : l.items) {
      if (const auto* r = std::get_if<ast::Rule>(&item)) {
        auto checked = rule_body(r->body, m.env, m);
        if (!checked) continue;
        if (!priority(r->priority, r->span, checked->priority)) continue;
        checked->description = r->description.value_or("");
        checked->span = r->span;
        sc.rules.push_back(std::move(*checked));
      } else if (const auto* p = std::get_if<ast::Protect>(&item)) {
        CheckedProtect cp;
        cp.in_use = p->in_use;
        cp.span = p->span;
        if (!p->in_use) cp.selection = selection(p->selection, m.env, m);
        cp.label = p->in_use ? "protect in_use" : "protect " + selection_label(p->selection);
        sc.protects.push_back(std::move(cp));
      } else if (const auto* u = std::get_if<ast::Use>(&item)) {
        use(*u, sc, m);
      } else if (const auto* e = std::get_if<ast::AllowEmpty>(&item)) {
        sc.allow_empty = e->span;
      }
    }
    std::stable_sort(sc.rules.begin(), sc.rules.end(), [](const CheckedRule& a, const CheckedRule& b) { return a.priority < b.priority; });
    for (std::size_t i = 1; i < sc.rules.size(); ++i) {
      if (sc.rules[i].priority == sc.rules[i - 1].priority) {
        auto& d = sink_.error("E0402", sc.rules[i].span, "rule priority " + std::to_string(sc.rules[i].priority) + " is used twice");
        d.labels.push_back({sc.rules[i - 1].span, "first used here"});
      }
    }
  }

  bool priority(const std::string& text, Span sp, std::int64_t& out) {
    bool ok = !text.empty() && text.size() < 10 && text.find_first_not_of("0123456789") == std::string::npos;
    if (ok) out = std::stoll(text);
    if (!ok || out < 1) {
      sink_.error("E0302", sp, "a rule priority must be a whole number from 1 to 999999999");
      return false;
    }
    return true;
  }

  struct Bound {
    const ast::Template* t;
    const Module* owner;
    std::shared_ptr<Env> env;  // the owner's names with the parameters bound
    std::string full;          // the name as used
  };

  // The template a `use` names, with its arguments evaluated and bound; nullopt after
  // reporting why not. `access`: the use is in an access block.
  std::optional<Bound> bind_template(const ast::Use& u, const Module& m, bool access) {
    const ast::Template* t = nullptr;
    const Module* owner = &m;
    std::string full;
    for (const auto& n : u.name) full += (full.empty() ? "" : ".") + n;
    if (u.name.size() == 1) {
      auto it = m.templates.find(u.name[0]);
      if (it != m.templates.end()) t = it->second;
    } else if (u.name.size() == 2) {
      auto mod = m.imports.find(u.name[0]);
      if (mod != m.imports.end()) {
        used_modules_.insert(mod->second.get());
        owner = mod->second.get();
        auto it = owner->templates.find(u.name[1]);
        if (it != owner->templates.end()) t = it->second;
      }
    }
    if (t) used_templates_.insert(t);
    if (!t) {
      std::vector<std::string> candidates;
      for (const auto& [name, _] : m.templates) candidates.push_back(name);
      for (const auto& [alias, mod] : m.imports) {
        for (const auto& [name, _] : mod->templates) candidates.push_back(alias + "." + name);
      }
      auto& d = sink_.error("E0205", u.span, "unknown template `" + full + "`");
      if (auto s = closest_match(full, candidates)) d.help = "did you mean `" + *s + "`?";
      return std::nullopt;
    }
    if (t->access != access) {
      auto& d = sink_.error("E0205", u.span, "template `" + full + "` holds " + (t->access ? "access statements" : "a lifecycle rule"));
      d.help = t->access ? "use it in an `access` block, without a priority" : "use it in a `lifecycle` block, with a priority";
      return std::nullopt;
    }
    auto env = std::make_shared<Env>(owner->env);
    std::vector<bool> bound(t->params.size(), false);
    std::size_t positional = 0;
    bool ok = true;
    std::vector<std::pair<std::size_t, Value>> values;
    for (const auto& a : u.args) {
      std::size_t index = t->params.size();
      if (a.name.empty()) {
        index = positional++;
        if (index >= t->params.size()) {
          sink_.error("E0205", a.value->span, "template `" + full + "` takes " + std::to_string(t->params.size()) + " arguments");
          ok = false;
          continue;
        }
      } else {
        for (std::size_t i = 0; i < t->params.size(); ++i) {
          if (t->params[i].name == a.name) index = i;
        }
        if (index == t->params.size()) {
          std::vector<std::string> names;
          for (const auto& p : t->params) names.push_back(p.name);
          auto& d = sink_.error("E0205", a.value->span, "template `" + full + "` has no parameter `" + a.name + "`");
          if (auto s = closest_match(a.name, names)) d.help = "did you mean `" + *s + "`?";
          ok = false;
          continue;
        }
      }
      if (bound[index]) {
        sink_.error("E0205", a.value->span, "parameter `" + t->params[index].name + "` is given twice");
        ok = false;
        continue;
      }
      bound[index] = true;
      if (auto v = eval(*a.value, *m.env, m)) values.emplace_back(index, *v);
      else ok = false;
    }
    for (std::size_t i = 0; i < t->params.size(); ++i) {
      if (bound[i]) continue;
      if (!t->params[i].default_value) {
        sink_.error("E0205", u.span, "template `" + full + "` needs an argument for `" + t->params[i].name + "`");
        ok = false;
      } else if (auto v = eval(*t->params[i].default_value, *owner->env, *owner)) {
        values.emplace_back(i, *v);
      } else {
        ok = false;
      }
    }
    if (!ok) return std::nullopt;
    for (auto& [i, v] : values) env->bind(t->params[i].name, v);
    return Bound{t, owner, env, full};
  }

  void use(const ast::Use& u, CheckedScope& sc, const Module& m) {
    auto b = bind_template(u, m, false);
    if (!b) return;
    const ast::Template* t = b->t;
    const std::string& full = b->full;
    auto checked = rule_body(t->body, b->env, *b->owner);
    if (!checked) return;
    if (!priority(u.priority, u.span, checked->priority)) return;
    checked->description = t->description.value_or(full);
    checked->span = u.span;
    sc.rules.push_back(std::move(*checked));
  }


  // `use ALIAS.TEMPLATE(ARGS)` in an access block: the template's statements, with the
  // parameters bound, join the block's (their locations are the template's lines).
  void access_use(const ast::Use& u, CheckedScope& sc, const Module& m) {
    auto b = bind_template(u, m, true);
    if (!b) return;
    for (const auto& st : b->t->statements) statement(st, sc, *b->owner, *b->env);
  }

  void mutability(const ast::Mutability& mu, CheckedScope& sc, const Module& m) {
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
  std::optional<std::string> iam_operator(const ast::Condition& c, const Value& v) {
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

  void statement(const ast::AccessStmt& s, CheckedScope& sc, const Module& m) { statement(s, sc, m, *m.env); }
  void statement(const ast::AccessStmt& s, CheckedScope& sc, const Module& m, const Env& env) {
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
    sc.statements.push_back(std::move(out));
  }

  void scope(const ast::RepositoryBlock& r, const Module& m) {
    CheckedScope sc;
    sc.is_defaults = r.is_defaults;
    sc.span = r.span;
    for (const auto& e : r.patterns) {
      if (auto l = strings(*e, *m.env, m, "repository patterns")) sc.patterns.insert(sc.patterns.end(), l->begin(), l->end());
    }
    for (const auto& e : r.excepts) {
      if (auto l = strings(*e, *m.env, m, "repository patterns")) sc.excepts.insert(sc.excepts.end(), l->begin(), l->end());
    }
    bool lifecycle_seen = false, access_seen = false;
    for (const auto& item : r.items) {
      if (const auto* mu = std::get_if<ast::Mutability>(&item)) mutability(*mu, sc, m);
      else if (const auto* l = std::get_if<ast::Lifecycle>(&item)) {
        if (lifecycle_seen) sink_.error("E0203", l->span, "a repository block holds one `lifecycle` block");
        lifecycle_seen = true;
        lifecycle(*l, sc, m);
      } else if (const auto* a = std::get_if<ast::Access>(&item)) {
        if (access_seen) sink_.error("E0203", a->span, "a repository block holds one `access` block");
        access_seen = true;
        sc.has_access = true;
        for (const auto& s : a->statements) statement(s, sc, m);
        for (const auto& u : a->uses) access_use(u, sc, m);
      }
    }
    policy_->scopes.push_back(std::move(sc));
  }

  SourceMap& sources_;
  DiagnosticSink& sink_;
  ModuleLoader& loader_;
  CheckedPolicy* policy_ = nullptr;
  std::vector<std::string> stack_;
  std::map<std::string, std::shared_ptr<Module>> cache_;
};

}  // namespace

std::unique_ptr<CheckedPolicy> check_policy(ast::File main, SourceMap& sources, DiagnosticSink& sink, ModuleLoader& loader) {
  Checker c(sources, sink, loader);
  return c.run(std::move(main));
}

}  // namespace regpol::sema
