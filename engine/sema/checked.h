#pragma once
// The checked policy: names resolved, imports and templates expanded, constants evaluated,
// every value typed. `where` and `per` expressions stay as syntax (with the constants they
// may name) and are compiled by plan/lower. Owns the ASTs those expressions point into.
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sema/value.h"
#include "syntax/ast.h"

namespace regpol::sema {

struct CheckedSelection {
  ast::Selection::Tags tags = ast::Selection::Tags::Any;
  std::string list_kind;            // "", "prefix", "pattern"
  std::vector<std::string> list;
  std::string storage;              // "", "standard", "archive"
  const ast::Expr* where = nullptr;
  std::shared_ptr<const Env> env;   // constants `where` may name
  Span span;
};

struct CheckedRule {
  std::int64_t priority = 0;
  std::string description;
  CheckedSelection selection;
  ast::Action::Kind kind = ast::Action::Kind::KeepNewest;
  std::string verb;                 // keep, expire, archive
  std::int64_t count = 0;           // count actions
  std::int64_t duration_us = 0;     // age actions
  std::string order;                // "", "semver", "pushed"
  const ast::Expr* per = nullptr;
  std::shared_ptr<const Env> env;
  Span span;                        // the rule (or the `use` line that made it)
  Span action_span;                 // its action (`expire older than 30d`)
};

struct CheckedProtect {
  bool in_use = false;
  CheckedSelection selection;
  std::string label;                // as the report shows it
  Span span;
};

// `deny "NAME" where EXPR` of a gate block.
struct CheckedGateRule {
  std::string name;
  CheckedSelection selection;  // any image, refined by the expression
  Span span;
};

struct CheckedMutability {
  bool immutable = false;
  std::vector<std::string> except;
  Span span;
};

struct CheckedCondition {
  std::string qualifier;            // "", "ForAnyValue", "ForAllValues"
  std::string op;                   // IAM operator name, "IfExists" included
  std::string key;
  std::vector<std::string> values;
  bool negate = false;              // from `unless`
  Span span;
};

struct CheckedPrincipal {
  std::string kind;                 // "*", "account", "arn", "service", "org"
  std::string value;
};

struct CheckedStatement {
  // As written: its sid, allow or deny, `not` actions or principals, and its span (the AST
  // outlives the checked policy); what follows is what checking resolved.
  const ast::AccessStmt* written = nullptr;
  std::vector<std::string> actions; // "ecr:PutImage", "ecr:*", ...
  std::vector<std::string> on_tags;
  std::vector<CheckedPrincipal> principals;
  std::vector<CheckedCondition> conditions;
};

// `prove "NAME" { … }`: an access property `regpol prove` checks for every request.
struct CheckedProperty {
  std::string name;
  std::string quantifier;               // "never", "always"; "" for `no new access than`
  CheckedStatement statement;           // never / always: the requests the property is about
  std::string than;                     // no new access: the file, as written
  Span than_span;
  // The repositories it covers: a block's patterns and excepts, or a top-level property's
  // `for` globs ("*" without one).
  std::vector<std::string> repositories, excepts;
  // In the defaults block: it covers only the repositories no other block matches, as the
  // defaults block's rules do.
  bool defaults_only = false;
  Span span;
};

// `scan on push` / `scan manual` of a repository block.
struct CheckedScan {
  bool on_push = false;
  Span span;
};

// `require encryption KIND [key "PATTERN"]`.
struct CheckedEncryption {
  std::string type;         // AES256, KMS, KMS_DSSE
  std::string key_pattern;  // "" for any key
  Span span;
};

struct CheckedScanRule {
  std::string frequency;  // SCAN_ON_PUSH, CONTINUOUS_SCAN
  std::vector<std::string> filters;
  Span span;
};

struct CheckedReplicationRule {
  std::vector<std::pair<std::string, std::string>> destinations;  // region, account ("" for the registry's own)
  std::vector<std::string> prefixes;
  Span span;
};

// The `registry` block.
struct CheckedRegistry {
  Span span;
  std::optional<std::string> scan_type;  // BASIC, ENHANCED
  Span scan_type_span;
  std::vector<CheckedScanRule> scan_rules;
  std::vector<CheckedReplicationRule> replication;
};

struct CheckedScope {
  bool is_defaults = false;
  std::vector<std::string> patterns, excepts;
  Span span;
  bool has_lifecycle = false;
  Span lifecycle_span;
  std::vector<CheckedRule> rules;   // ascending priority
  std::vector<CheckedProtect> protects;
  std::optional<Span> allow_empty;  // `allow_empty` (its place)
  std::optional<CheckedMutability> mutability;
  bool has_access = false;
  std::vector<CheckedStatement> statements;
  std::vector<CheckedGateRule> gate;  // the rules of its `gate` block, in order
  std::optional<CheckedScan> scan;
  std::optional<CheckedEncryption> encryption;
  std::vector<CheckedProperty> properties;  // its `prove` blocks
};

struct CheckedTest {
  std::string name;
  std::vector<const ast::TestItem*> items;
  Span span;
};

struct CheckedPolicy {
  std::string name;
  std::vector<CheckedScope> scopes;  // in source order
  std::optional<CheckedRegistry> registry;
  std::vector<CheckedTest> tests;
  std::vector<CheckedProperty> properties;  // top-level `prove` blocks
  std::vector<std::unique_ptr<ast::File>> files;  // the main file first, then imports
};

}  // namespace regpol::sema
