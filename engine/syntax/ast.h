#pragma once
// The hand-written AST of a policy file. Every node carries a NodeId (unique within a
// file) and a Span (byte offsets). Built by engine/parse; no ANTLR type appears here.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "source/source_file.h"

namespace regpol::ast {

using NodeId = std::uint32_t;

struct Node {
  NodeId id = 0;
  Span span;
};

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

enum class ExprKind { String, Number, Duration, Size, Timestamp, Bool, List, Name, Paren, Member, Call, Unary, Binary };

struct Expr : Node {
  ExprKind kind = ExprKind::Name;
  std::string text;           // literal as written (strings: decoded value), name, member or operator
  double number = 0;          // Number
  std::int64_t micros = 0;    // Duration, Timestamp
  std::int64_t bytes = 0;     // Size
  bool boolean = false;       // Bool
  std::vector<ExprPtr> items;            // List items, Call/Member/Unary/Binary operands, Paren inner
  std::vector<std::string> arg_names;    // Call: "" for positional arguments
};

struct Selection : Node {
  enum class Tags { Tagged, Untagged, Any, Artifacts } tags = Tags::Any;
  std::string list_kind;  // "", "prefix", "pattern"; "type" for `artifacts of type`
  ExprPtr list;
  std::string storage;    // "", "archive", "standard"
  ExprPtr where;
};

struct Action : Node {
  enum class Kind { KeepNewest, AllButNewest, OlderThan, UnpulledFor, ArchivedFor } kind = Kind::KeepNewest;
  std::string verb;       // "keep", "expire", "archive"
  ExprPtr amount;         // count or duration
  std::string order;      // "", "semver", or a name
  ExprPtr per;
};

struct RuleBody {
  Selection selection;
  Action action;
};

struct Rule : Node {
  std::string priority;   // as written
  std::optional<std::string> description;
  RuleBody body;
};

struct Protect : Node {
  bool in_use = false;
  Selection selection;
};

struct Arg {
  std::string name;       // "" when positional
  ExprPtr value;
};

struct Use : Node {
  std::vector<std::string> name;  // ["retention", "untagged"]
  std::vector<Arg> args;
  std::string priority;
};

// `allow_empty`: the lifecycle may delete every image of a repository (apply refuses to
// empty a repository otherwise).
struct AllowEmpty : Node {};

using LifecycleItem = std::variant<Rule, Protect, Use, AllowEmpty>;

struct Lifecycle : Node {
  std::vector<LifecycleItem> items;
};

struct Mutability : Node {
  bool immutable = false;
  std::vector<ExprPtr> except;
};

struct Principal : Node {
  std::string kind;       // "*", "account", "arn", "service", "org"
  ExprPtr value;
};

struct Condition : Node {
  std::string qualifier;  // "", "any", "all"
  std::string key;
  std::string op;         // "==", "not like", "IpAddress", ...
  Span op_span;
  ExprPtr value;
};

struct CondClause : Node {
  bool unless = false;
  std::vector<Condition> conditions;
};

struct ActionItem : Node {
  std::string text;
  bool quoted = false;
};

struct AccessStmt : Node {
  std::optional<std::string> sid;
  bool allow = true;
  bool not_action = false;
  std::vector<ActionItem> actions;
  std::vector<ExprPtr> on_tags;
  bool not_principal = false;
  std::vector<Principal> principals;
  std::vector<CondClause> clauses;
};

struct Access : Node {
  std::vector<AccessStmt> statements;
  std::vector<Use> uses;  // `use ALIAS.TEMPLATE(ARGS)` of access templates (no priority)
};

// `deny "NAME" where EXPR` of a gate block: the expression is held as a selection of any
// image refined by `where`, so it is checked and lowered exactly as a rule's `where` is.
struct GateRule : Node {
  std::string name;
  Selection selection;  // tags Any, where = the expression
};

struct Gate : Node {
  std::vector<GateRule> rules;
};

// `scan on push` / `scan manual` in a repository block; `scan on push for "dev/*"` and
// `scan continuously for "prod/*"` in the registry block. The words are kept as written
// and checked by sema, which knows where each form is allowed.
struct Scan : Node {
  bool on = false;                // `on` was written
  std::string mode;               // push, manual, continuously, ...
  Span mode_span;
  bool has_for = false;
  std::vector<ExprPtr> filters;   // `for …`: repository patterns
};

// `require encryption KIND [key "PATTERN"]`: a setting regpol checks and never writes.
struct Require : Node {
  std::string what, kind, key_word;  // "encryption", "kms", "key" as written
  Span what_span, kind_span, key_word_span;
  ExprPtr key;                        // the key ARN pattern, or null
};

// `prove "NAME" [for GLOBS [except GLOBS]] { BODY }`: an access property `regpol prove`
// checks for every request. The body is `never allow STATEMENT`, `always allow STATEMENT`
// (the statement as in an access block, naming the requests the property is about) or `no
// new access than "FILE"`.
struct Prove : Node {
  std::string name;
  std::string quantifier;               // "never", "always", or "" for no new access
  AccessStmt statement;                 // never / always: the requests it is about
  std::string than;                     // no new access: the file compared with, as written
  Span than_span;
  bool has_for = false;
  std::vector<ExprPtr> repositories;    // `for`: repository globs (top level only)
  std::vector<ExprPtr> excepts;
};

using BlockItem = std::variant<Mutability, Lifecycle, Access, Gate, Scan, Require, Prove>;

struct RepositoryBlock : Node {
  bool is_defaults = false;
  std::vector<ExprPtr> patterns;
  std::vector<ExprPtr> excepts;
  std::vector<BlockItem> items;
};

// `scanning basic|enhanced` of the registry block.
struct Scanning : Node {
  std::string mode;
  Span mode_span;
};

// `region "R" [account "A"]` of a replicate rule.
struct Destination : Node {
  std::string kind;  // "region" as written
  Span kind_span;
  ExprPtr region, account;
};

// `replicate to DESTINATION, … [for prefix "P", …]`: one replication rule.
struct Replicate : Node {
  std::vector<Destination> destinations;
  std::vector<ExprPtr> prefixes;
};

using RegistryItem = std::variant<Scanning, Scan, Replicate>;

// `registry { … }`: settings of the registry rather than of its repositories.
struct RegistryBlock : Node {
  std::vector<RegistryItem> items;
};

struct Import : Node {
  std::string path;
  std::string alias;
};

struct Let : Node {
  std::string name;
  ExprPtr value;
};

struct Param {
  std::string name;
  ExprPtr default_value;
};

struct Template : Node {
  std::string name;
  std::vector<Param> params;
  std::optional<std::string> description;
  RuleBody body;                       // a lifecycle template
  bool access = false;                 // an access template: `statements` instead of `body`
  std::vector<AccessStmt> statements;
};

struct TestItem : Node {
  bool snapshot = false;
  bool in_use = false;       // `in_use "FILE"`: the deployed images for `protect in_use`
  std::string text;          // snapshot or in-use path, or the image reference of an expectation
  std::string at;            // snapshot instant as written
  std::string outcome;       // kept, expired, archived, protected, ...
  std::string rule;          // "by rule N", as written
  // `expect allow|deny FIELD "VALUE" … [by "SID"]`: an access expectation.
  bool access = false;
  std::string decision;      // allow or deny
  struct RequestField {
    Span span;
    std::string name;
    std::vector<std::string> values;  // one, or two for `context "KEY" "VALUE"`
  };
  std::vector<RequestField> fields;
  std::string by;            // the deciding statement's sid or source, or a reason (tag-immutable)
};

struct TestBlock : Node {
  std::string name;
  std::vector<TestItem> items;
};

using Item = std::variant<Import, Let, RepositoryBlock, Template, TestBlock, RegistryBlock, Prove>;

struct Comment {
  Span span;
  std::string text;  // "# ..." as written
};

struct File {
  FileId file = 0;
  std::optional<std::string> policy_name;
  Span header_span;
  std::vector<Item> items;
  std::vector<Comment> comments;  // in source order
};

// Quotes a string for regpol source (escapes \ " and control characters).
std::string quote(const std::string& s);

// A stable S-expression of the tree. With `spans`, each node shows [begin,end); without,
// two trees that differ only in layout dump identically (fmt's round-trip check).
std::string dump(const File& file, bool spans);

}  // namespace regpol::ast
