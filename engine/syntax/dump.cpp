#include <algorithm>
#include <cstdio>
#include <type_traits>

#include "syntax/ast.h"

namespace regpol::ast {

std::string quote(const std::string& s) {
  std::string out = "\"";
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (c == '"') out += "\\\"";
    else if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else if (c == '\t') out += "\\t";
    else if (c == '\r') out += "\\r";
    else if (c < 0x20) {
      char buf[12];
      std::snprintf(buf, sizeof buf, "\\u{%x}", c);
      out += buf;
    } else out += ch;
  }
  return out + "\"";
}

namespace {

class Dumper {
 public:
  explicit Dumper(bool spans) : spans_(spans) {}
  std::string out;

  void open(const char* tag, const Node& n) {
    indent();
    out += "(";
    out += tag;
    if (spans_) out += " [" + std::to_string(n.span.begin) + "," + std::to_string(n.span.end) + ")";
  }
  void open(const char* tag) {
    indent();
    out += "(";
    out += tag;
  }
  void attr(const std::string& k, const std::string& v) { out += " " + k + "=" + quote(v); }
  void close() { out += ")"; }
  // Indentation stops growing at kMaxIndent levels and deeper levels carry their depth as a
  // number instead: a chain of N operators would otherwise dump in O(N^2) bytes.
  static constexpr int kMaxIndent = 32;
  void indent() {
    out += "\n";
    out.append(static_cast<std::size_t>(std::min(depth_, kMaxIndent)) * 2, ' ');
    if (depth_ > kMaxIndent) out += std::to_string(depth_) + ":";
  }
  struct Nest {
    Dumper& d;
    explicit Nest(Dumper& x) : d(x) { ++d.depth_; }
    ~Nest() { --d.depth_; }
  };

  void expr(const Expr* e) {
    if (!e) return;
    static const char* names[] = {"string", "number", "duration", "size", "timestamp", "bool", "list", "name",
                                  "paren", "member", "call", "unary", "binary"};
    open(names[static_cast<int>(e->kind)], *e);
    attr("v", e->text);
    if (e->kind == ExprKind::Duration || e->kind == ExprKind::Timestamp) out += " us=" + std::to_string(e->micros);
    if (e->kind == ExprKind::Size) out += " bytes=" + std::to_string(e->bytes);
    for (const auto& n : e->arg_names) attr("arg", n);
    Nest nest(*this);
    for (const auto& i : e->items) expr(i.get());
    close();
  }
  void selection(const Selection& s) {
    open("select", s);
    attr("tags", s.tags == Selection::Tags::Tagged      ? "tagged"
                 : s.tags == Selection::Tags::Untagged  ? "untagged"
                 : s.tags == Selection::Tags::Artifacts ? "artifacts"
                                                        : "any");
    attr("list", s.list_kind);
    attr("storage", s.storage);
    Nest nest(*this);
    expr(s.list.get());
    if (s.where) {
      open("where");
      Nest n2(*this);
      expr(s.where.get());
      close();
    }
    close();
  }
  void body(const RuleBody& b) {
    selection(b.selection);
    const Action& a = b.action;
    open("action", a);
    attr("kind", std::to_string(static_cast<int>(a.kind)));
    attr("verb", a.verb);
    attr("order", a.order);
    Nest nest(*this);
    expr(a.amount.get());
    if (a.per) {
      open("per");
      Nest n2(*this);
      expr(a.per.get());
      close();
    }
    close();
  }
  void exprs(const char* tag, const std::vector<ExprPtr>& v) {
    open(tag);
    Nest nest(*this);
    for (const auto& e : v) expr(e.get());
    close();
  }
  void lifecycle_item(const LifecycleItem& item) {
    std::visit([&](const auto& x) {
      using T = std::decay_t<decltype(x)>;
      if constexpr (std::is_same_v<T, Rule>) {
        open("rule", x);
        attr("priority", x.priority);
        if (x.description) attr("description", *x.description);
        Nest nest(*this);
        body(x.body);
        close();
      } else if constexpr (std::is_same_v<T, Protect>) {
        open("protect", x);
        if (x.in_use) attr("in_use", "true");
        Nest nest(*this);
        if (!x.in_use) selection(x.selection);
        close();
      } else if constexpr (std::is_same_v<T, AllowEmpty>) {
        open("allow_empty", x);
        close();
      } else {
        use(x, true);
      }
    }, item);
  }
  // A `use`: in a lifecycle block with its priority, in an access block without.
  void use(const Use& u, bool with_priority) {
    open("use", u);
    std::string name;
    for (const auto& n : u.name) name += (name.empty() ? "" : ".") + n;
    attr("name", name);
    if (with_priority) attr("priority", u.priority);
    Nest nest(*this);
    for (const auto& a : u.args) {
      open("arg");
      attr("name", a.name);
      Nest n2(*this);
      expr(a.value.get());
      close();
    }
    close();
  }
  void block_item(const BlockItem& item) {
    std::visit([&](const auto& x) {
      using T = std::decay_t<decltype(x)>;
      if constexpr (std::is_same_v<T, Mutability>) {
        open("mutability", x);
        attr("immutable", x.immutable ? "true" : "false");
        Nest nest(*this);
        exprs("except", x.except);
        close();
      } else if constexpr (std::is_same_v<T, Lifecycle>) {
        open("lifecycle", x);
        Nest nest(*this);
        for (const auto& i : x.items) lifecycle_item(i);
        close();
      } else if constexpr (std::is_same_v<T, Scan>) {
        scan(x);
      } else if constexpr (std::is_same_v<T, Require>) {
        open("require", x);
        attr("what", x.what);
        attr("kind", x.kind);
        if (x.key) {
          attr("key_word", x.key_word);
          Nest nest(*this);
          expr(x.key.get());
        }
        close();
      } else if constexpr (std::is_same_v<T, Gate>) {
        open("gate", x);
        Nest nest(*this);
        for (const auto& r : x.rules) {
          open("deny", r);
          attr("name", r.name);
          Nest n2(*this);
          expr(r.selection.where.get());
          close();
        }
        close();
      } else if constexpr (std::is_same_v<T, Prove>) {
        prove(x);
      } else {
        open("access", x);
        Nest nest(*this);
        for (const auto& s : x.statements) statement(s);
        for (const auto& u : x.uses) use(u, false);
        close();
      }
    }, item);
  }
  void prove(const Prove& p) {
    open("prove", p);
    attr("name", p.name);
    if (p.quantifier.empty()) attr("than", p.than);
    else attr("quantifier", p.quantifier);
    Nest nest(*this);
    if (p.has_for) {
      exprs("for", p.repositories);
      exprs("except", p.excepts);
    }
    if (!p.quantifier.empty()) statement(p.statement);
    close();
  }
  void scan(const Scan& s) {
    open("scan", s);
    attr("on", s.on ? "true" : "false");
    attr("mode", s.mode);
    if (s.has_for) {
      Nest nest(*this);
      exprs("for", s.filters);
    }
    close();
  }
  void statement(const AccessStmt& s) {
    open(s.allow ? "allow" : "deny", s);
    if (s.sid) attr("sid", *s.sid);
    if (s.not_action) attr("not_action", "true");
    if (s.not_principal) attr("not_principal", "true");
    Nest nest(*this);
    for (const auto& a : s.actions) {
      open("action", a);
      attr(a.quoted ? "quoted" : "word", a.text);
      close();
    }
    if (!s.on_tags.empty()) exprs("on_tags", s.on_tags);
    for (const auto& p : s.principals) {
      open("principal", p);
      attr("kind", p.kind);
      Nest n2(*this);
      expr(p.value.get());
      close();
    }
    for (const auto& c : s.clauses) {
      open(c.unless ? "unless" : "when", c);
      Nest n2(*this);
      for (const auto& cond : c.conditions) {
        open("condition", cond);
        attr("qualifier", cond.qualifier);
        attr("key", cond.key);
        attr("op", cond.op);
        Nest n3(*this);
        expr(cond.value.get());
        close();
      }
      close();
    }
    close();
  }
  void item(const Item& it) {
    std::visit([&](const auto& x) {
      using T = std::decay_t<decltype(x)>;
      if constexpr (std::is_same_v<T, Import>) {
        open("import", x);
        attr("path", x.path);
        attr("as", x.alias);
        close();
      } else if constexpr (std::is_same_v<T, Let>) {
        open("let", x);
        attr("name", x.name);
        Nest nest(*this);
        expr(x.value.get());
        close();
      } else if constexpr (std::is_same_v<T, RepositoryBlock>) {
        open(x.is_defaults ? "defaults" : "repository", x);
        Nest nest(*this);
        if (!x.is_defaults) {
          exprs("patterns", x.patterns);
          exprs("except", x.excepts);
        }
        for (const auto& b : x.items) block_item(b);
        close();
      } else if constexpr (std::is_same_v<T, RegistryBlock>) {
        open("registry", x);
        Nest nest(*this);
        for (const auto& ri : x.items) {
          std::visit([&](const auto& y) {
            using U = std::decay_t<decltype(y)>;
            if constexpr (std::is_same_v<U, Scanning>) {
              open("scanning", y);
              attr("mode", y.mode);
              close();
            } else if constexpr (std::is_same_v<U, Scan>) {
              scan(y);
            } else {
              open("replicate", y);
              Nest n2(*this);
              for (const auto& d : y.destinations) {
                open("destination", d);
                attr("kind", d.kind);
                Nest n3(*this);
                expr(d.region.get());
                expr(d.account.get());
                close();
              }
              exprs("prefixes", y.prefixes);
              close();
            }
          }, ri);
        }
        close();
      } else if constexpr (std::is_same_v<T, Template>) {
        open("template", x);
        attr("name", x.name);
        if (x.description) attr("description", *x.description);
        Nest nest(*this);
        for (const auto& p : x.params) {
          open("param");
          attr("name", p.name);
          Nest n2(*this);
          expr(p.default_value.get());
          close();
        }
        if (x.access) {
          for (const auto& st : x.statements) statement(st);
        } else {
          body(x.body);
        }
        close();
      } else if constexpr (std::is_same_v<T, Prove>) {
        prove(x);
      } else {
        open("test", x);
        attr("name", x.name);
        Nest nest(*this);
        for (const auto& t : x.items) {
          open(t.snapshot ? "snapshot" : t.in_use ? "in_use" : t.access ? "expect_access" : "expect", t);
          if (t.access) {
            attr("decision", t.decision);
            for (const auto& f : t.fields) {
              std::string v;
              for (const auto& x : f.values) v += (v.empty() ? "" : " ") + x;
              attr(f.name, v);
            }
            attr("by", t.by);
          } else {
            attr("text", t.text);
          }
          if (t.snapshot) attr("at", t.at);
          else if (!t.in_use && !t.access) {
            attr("outcome", t.outcome);
            attr("rule", t.rule);
          }
          close();
        }
        close();
      }
    }, it);
  }

 private:
  bool spans_;
  int depth_ = 0;
};

}  // namespace

std::string dump(const File& file, bool spans) {
  Dumper d(spans);
  d.out = "(file";
  if (file.policy_name) d.attr("policy", *file.policy_name);
  {
    Dumper::Nest nest(d);
    for (const auto& it : file.items) d.item(it);
  }
  d.out += ")\n";
  return d.out;
}

}  // namespace regpol::ast
