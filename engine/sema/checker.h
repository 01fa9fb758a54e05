#pragma once
// The checker behind check_policy (sema/check.h), one class whose parts live in one file
// each: the walk over a file and its blocks (check.cpp), imports and modules
// (check_imports.cpp), constant values and their types (check_values.cpp), lifecycle rules
// (check_lifecycle.cpp), templates and `use` (check_templates.cpp), access statements and
// tag mutability (check_access.cpp), other settings (check_settings.cpp), access properties
// (check_properties.cpp). Internal to sema/.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "sema/check.h"

namespace regpol::sema {

class Checker {
 public:
  Checker(SourceMap& sources, DiagnosticSink& sink, ModuleLoader& loader) : sources_(sources), sink_(sink), loader_(loader) {}
  std::unique_ptr<CheckedPolicy> run(ast::File main);

 private:
  std::set<const void*> used_modules_;            // imported modules a name or `use` reached
  std::set<const ast::Template*> used_templates_;  // templates a `use` instantiated
  struct Module {
    std::shared_ptr<Env> env;
    std::map<std::string, const ast::Template*> templates;
    std::map<std::string, std::shared_ptr<Module>> imports;
  };

  // True when a template of `f` names `name` anywhere in its body (its use may be elsewhere).
  static bool used_in_templates(const ast::File& f, const std::string& name);
  static void mark_names_used(const ast::Expr& e, const Env& env);
  static bool names(const ast::Expr& e, const std::string& name);
  // Imports, lets and templates of one file.
  Module module_of(const ast::File& f, bool is_main);
  std::shared_ptr<Module> import_module(const ast::Import& imp, FileId importer);
  void unknown_name(const std::string& name, Span sp, const std::vector<std::string>& candidates);
  // Evaluates a constant expression.
  std::optional<Value> eval(const ast::Expr& e, const Env& env, const Module& m);
  std::optional<Value> type_error(const ast::Expr& e, const std::string& message);
  // A string or a list of strings, as a list.
  std::optional<std::vector<std::string>> strings(const ast::Expr& e, const Env& env, const Module& m, const char* what);
  CheckedSelection selection(const ast::Selection& s, const std::shared_ptr<const Env>& env, const Module& m);
  std::optional<CheckedRule> rule_body(const ast::RuleBody& b, const std::shared_ptr<const Env>& env, const Module& m);
  std::string selection_label(const ast::Selection& s);
  void untag_rule(const ast::Selection& s, const ast::Action& a);
  void lifecycle(const ast::Lifecycle& l, CheckedScope& sc, const Module& m);
  bool priority(const std::string& text, Span sp, std::int64_t& out);
  struct Bound {
    const ast::Template* t;
    const Module* owner;
    std::shared_ptr<Env> env;  // the owner's names with the parameters bound
    std::string full;          // the name as used
  };

  // The template a `use` names, with its arguments evaluated and bound; nullopt after
  // reporting why not. `access`: the use is in an access block.
  std::optional<Bound> bind_template(const ast::Use& u, const Module& m, bool access);
  void use(const ast::Use& u, CheckedScope& sc, const Module& m);
  // `use ALIAS.TEMPLATE(ARGS)` in an access block: the template's statements, with the
  // parameters bound, join the block's (their locations are the template's lines).
  void access_use(const ast::Use& u, CheckedScope& sc, const Module& m);
  void mutability(const ast::Mutability& mu, CheckedScope& sc, const Module& m);
  // Maps the language's condition operators to IAM's, by the type of the value.
  std::optional<std::string> iam_operator(const ast::Condition& c, const Value& v);
  void statement(const ast::AccessStmt& s, CheckedScope& sc, const Module& m) { statement(s, sc, m, *m.env); }
  void statement(const ast::AccessStmt& s, CheckedScope& sc, const Module& m, const Env& env);
  CheckedStatement access_statement(const ast::AccessStmt& s, const Module& m, const Env& env);
  // `prove` (check_properties.cpp): in a repository block (`scope`) or at the top level.
  std::optional<CheckedProperty> property(const ast::Prove& p, const Module& m, const CheckedScope* scope);
  void scope(const ast::RepositoryBlock& r, const Module& m);
  // Settings (check_settings.cpp): `scan`, `require`, the `registry` block.
  bool setting_word(const std::string& word, Span sp, const std::vector<std::string>& allowed, const char* form);
  void scan_setting(const ast::Scan& s, CheckedScope& sc);
  void require(const ast::Require& r, CheckedScope& sc, const Module& m);
  void registry(const ast::RegistryBlock& r, const Module& m);
  // The strings of a registry rule's list (scanning filters, replication prefixes), each
  // checked by `valid`; false when one is not a string or ECR would refuse one.
  struct RegistryListForm {
    const char* what;                        // "scanning filters"
    bool (*valid)(const std::string&);       // ECR's pattern for one
    const char* refused;                     // "is not a filter ECR accepts for scanning"
    const char* help;                        // what ECR accepts
  };
  bool registry_list(const std::vector<ast::ExprPtr>& exprs, const Module& m, const RegistryListForm& form, std::vector<std::string>& out);

  SourceMap& sources_;
  DiagnosticSink& sink_;
  ModuleLoader& loader_;
  CheckedPolicy* policy_ = nullptr;
  std::vector<std::string> stack_;
  std::map<std::string, std::shared_ptr<Module>> cache_;
};

}  // namespace regpol::sema
