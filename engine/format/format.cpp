#include "format/format.h"

#include <algorithm>
#include <type_traits>

namespace regpol {

namespace {

using namespace ast;

std::string join_exprs(const std::vector<ExprPtr>& v) {
  std::string s;
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + format_expr(*v[i]);
  return s;
}

class Printer {
 public:
  Printer(const File& f, const SourceFile& src) : file_(f), src_(src) {}

  std::string run() {
    bool first = true;
    if (file_.policy_name) {
      flush_before(file_.header_span.begin, 0);
      line(0, "policy " + quote(*file_.policy_name));
      trailing(file_.header_span.end);
      first = false;
    }
    std::size_t prev_kind = SIZE_MAX;
    bool prev_one_line = false;
    for (const auto& it : file_.items) {
      // Consecutive imports, consecutive lets, or consecutive one-line properties stay
      // together; anything else is set apart.
      const auto* prove = std::get_if<Prove>(&it);
      const bool one_line = prove && one_line_prove(*prove);
      bool grouped = it.index() == prev_kind && (it.index() == 0 || it.index() == 1 || (one_line && prev_one_line));
      prev_kind = it.index();
      prev_one_line = one_line;
      std::visit([&](const auto& x) {
        if (!first && !grouped) out_ += "\n";
        first = false;
        flush_before(x.span.begin, 0);
        item(x);
      }, it);
    }
    flush_before(UINT32_MAX, 0);
    return out_;
  }

 private:
  void line(int indent, const std::string& text) {
    out_.append(static_cast<std::size_t>(indent) * 2, ' ');
    out_ += text;
    out_ += "\n";
  }

  // Comments that start before `offset`, each on its own line.
  void flush_before(std::uint32_t offset, int indent) {
    while (next_ < file_.comments.size() && file_.comments[next_].span.begin < offset) {
      const Comment& c = file_.comments[next_];
      line(indent, c.text);
      ++next_;
      // A blank line after a comment (a paragraph break, or a file header) is kept.
      std::uint32_t following = next_ < file_.comments.size() && file_.comments[next_].span.begin < offset
                                    ? file_.comments[next_].span.begin
                                    : std::min<std::uint32_t>(offset, static_cast<std::uint32_t>(src_.text().size()));
      std::string_view gap = std::string_view(src_.text()).substr(c.span.end, following > c.span.end ? following - c.span.end : 0);
      if (std::count(gap.begin(), gap.end(), '\n') >= 2 && following < src_.text().size()) out_ += "\n";
    }
  }

  // A comment that starts on the line where a node ends goes at the end of the line just printed.
  void trailing(std::uint32_t node_end) {
    if (next_ >= file_.comments.size() || node_end == 0) return;
    const Comment& c = file_.comments[next_];
    if (c.span.begin < node_end) return;
    if (src_.line_col(c.span.begin).line != src_.line_col(node_end - 1).line) return;
    if (!out_.empty() && out_.back() == '\n') out_.pop_back();
    out_ += "  " + c.text + "\n";
    ++next_;
  }

  void item(const Import& x) {
    line(0, "import " + quote(x.path) + " as " + x.alias);
    trailing(x.span.end);
  }
  void item(const Let& x) {
    line(0, "let " + x.name + " = " + format_expr(*x.value));
    trailing(x.span.end);
  }
  void item(const RepositoryBlock& x) {
    std::string head = x.is_defaults ? "defaults {" : "repository " + join_exprs(x.patterns) +
                                                          (x.excepts.empty() ? "" : " except " + join_exprs(x.excepts)) + " {";
    line(0, head);  // a comment after the `{` moves to the next line, before the first item
    bool first = true, previous_one_line = false;
    for (const auto& b : x.items) {
      // One-line settings (`mutability`, `scan`, `require`) stay together; blocks are
      // separated by a blank line.
      const auto* prove = std::get_if<Prove>(&b);
      const bool one_line = std::holds_alternative<Mutability>(b) || std::holds_alternative<Scan>(b) || std::holds_alternative<Require>(b) ||
                            (prove && one_line_prove(*prove));
      std::visit([&](const auto& y) {
        if (!first && !(one_line && previous_one_line)) out_ += "\n";
        first = false;
        flush_before(y.span.begin, 1);
        block(y);
      }, b);
      previous_one_line = one_line;
    }
    close(x.span.end, 0);
  }
  void item(const RegistryBlock& x) {
    line(0, "registry {");
    for (const auto& it : x.items) {
      std::visit([&](const auto& y) {
        flush_before(y.span.begin, 1);
        registry_item(y);
        trailing(y.span.end);
      }, it);
    }
    close(x.span.end, 0);
  }
  void registry_item(const Scanning& s) { line(1, "scanning " + s.mode); }
  void registry_item(const Scan& s) { line(1, scan_text(s)); }
  void registry_item(const Replicate& r) {
    std::string text = "replicate to ";
    for (std::size_t i = 0; i < r.destinations.size(); ++i) {
      const Destination& d = r.destinations[i];
      text += (i ? ", " : "") + d.kind + " " + format_expr(*d.region) + (d.account ? " account " + format_expr(*d.account) : "");
    }
    if (!r.prefixes.empty()) text += " for prefix " + join_exprs(r.prefixes);
    line(1, text);
  }
  static std::string scan_text(const Scan& s) {
    return std::string("scan ") + (s.on ? "on " : "") + s.mode + (s.has_for ? " for " + join_exprs(s.filters) : "");
  }
  void block(const Scan& s) {
    line(1, scan_text(s));
    trailing(s.span.end);
  }
  void block(const Require& r) {
    line(1, "require " + r.what + " " + r.kind + (r.key ? " " + r.key_word + " " + format_expr(*r.key) : ""));
    trailing(r.span.end);
  }
  void close(std::uint32_t end, int indent) {
    flush_before(end > 0 ? end - 1 : 0, indent + 1);
    line(indent, "}");
    trailing(end);
  }

  void block(const Mutability& m) {
    line(1, std::string("mutability ") + (m.immutable ? "immutable" : "mutable") +
                (m.except.empty() ? "" : " except " + join_exprs(m.except)));
    trailing(m.span.end);
  }
  void block(const Lifecycle& l) {
    line(1, "lifecycle {");
    for (const auto& it : l.items) {
      std::visit([&](const auto& y) {
        flush_before(y.span.begin, 2);
        lifecycle_item(y);
      }, it);
    }
    close(l.span.end, 1);
  }
  void block(const Access& a) {
    line(1, "access {");
    // Statements and uses, in source order.
    std::size_t si = 0, ui = 0;
    while (si < a.statements.size() || ui < a.uses.size()) {
      bool stmt = ui >= a.uses.size() || (si < a.statements.size() && a.statements[si].span.begin < a.uses[ui].span.begin);
      if (stmt) {
        flush_before(a.statements[si].span.begin, 2);
        statement(a.statements[si++]);
      } else {
        const Use& u = a.uses[ui++];
        flush_before(u.span.begin, 2);
        line(2, "use " + use_call(u));
        trailing(u.span.end);
      }
    }
    close(a.span.end, 1);
  }
  void block(const Gate& g) {
    line(1, "gate {");
    for (const auto& r : g.rules) {
      flush_before(r.span.begin, 2);
      line(2, "deny " + quote(r.name) + " where " + format_expr(*r.selection.where));
      trailing(r.span.end);
    }
    close(g.span.end, 1);
  }
  static std::string use_call(const Use& u) {
    std::string name;
    for (const auto& n : u.name) name += (name.empty() ? "" : ".") + n;
    std::string args;
    for (std::size_t i = 0; i < u.args.size(); ++i) {
      args += (i ? ", " : "") + (u.args[i].name.empty() ? "" : u.args[i].name + ": ") + format_expr(*u.args[i].value);
    }
    return name + "(" + args + ")";
  }

  static std::string selection(const Selection& s) {
    std::string out = s.tags == Selection::Tags::Tagged      ? "tagged"
                      : s.tags == Selection::Tags::Untagged  ? "untagged"
                      : s.tags == Selection::Tags::Artifacts ? "artifacts"
                                                             : "any";
    if (s.list_kind == "type") out += " of type " + format_expr(*s.list);
    else if (!s.list_kind.empty()) out += " " + s.list_kind + " " + format_expr(*s.list);
    if (!s.storage.empty()) out += " in " + s.storage;
    if (s.where) out += " where " + format_expr(*s.where);
    return out;
  }
  static std::string action(const Action& a) {
    std::string amount = format_expr(*a.amount);
    std::string out;
    switch (a.kind) {
      case Action::Kind::KeepNewest: out = "keep newest " + amount; break;
      case Action::Kind::AllButNewest: out = a.verb + " all but newest " + amount; break;
      case Action::Kind::OlderThan: out = a.verb + " older than " + amount; break;
      case Action::Kind::UnpulledFor: out = a.verb + " unpulled for " + amount; break;
      case Action::Kind::ArchivedFor: out = a.verb + " archived for " + amount; break;
    }
    if (!a.order.empty()) out += " by " + a.order;
    if (a.per) out += " per " + format_expr(*a.per);
    return out;
  }
  void body(const RuleBody& b, int indent) {
    line(indent, "select " + selection(b.selection));
    trailing(b.selection.span.end);
    flush_before(b.action.span.begin, indent);
    line(indent, action(b.action));
    trailing(b.action.span.end);
  }

  void lifecycle_item(const Rule& r) {
    line(2, "rule " + r.priority + (r.description ? " " + quote(*r.description) : "") + " {");
    flush_before(r.body.selection.span.begin, 3);
    body(r.body, 3);
    close(r.span.end, 2);
  }
  void lifecycle_item(const Protect& p) {
    line(2, "protect " + (p.in_use ? std::string("in_use") : selection(p.selection)));
    trailing(p.span.end);
  }
  void lifecycle_item(const AllowEmpty& e) {
    line(2, "allow_empty");
    trailing(e.span.end);
  }
  void lifecycle_item(const Use& u) {
    line(2, "use " + use_call(u) + " priority " + u.priority);
    trailing(u.span.end);
  }

  // A property without conditions is printed on one line (and kept beside its neighbours).
  static bool one_line_prove(const Prove& p) { return p.quantifier.empty() || p.statement.clauses.empty(); }

  // `prove "NAME" [for …] { BODY }`: at the top level (indent 0) or in a repository block.
  void prove(const Prove& p, int indent) {
    std::string head = "prove " + quote(p.name);
    if (p.has_for) head += " for " + join_exprs(p.repositories) + (p.excepts.empty() ? "" : " except " + join_exprs(p.excepts));
    if (p.quantifier.empty()) {
      line(indent, head + " { no new access than " + quote(p.than) + " }");
      trailing(p.span.end);
      return;
    }
    if (one_line_prove(p)) {
      std::string body = statement_head(p.statement, p.quantifier + " ");
      line(indent, head + " { " + body + " }");
      trailing(p.span.end);
      return;
    }
    line(indent, head + " {");
    statement(p.statement, indent + 1, p.quantifier + " ");
    close(p.span.end, indent);
  }
  void item(const Prove& p) { prove(p, 0); }
  void block(const Prove& p) { prove(p, 1); }

  // A statement's first line: everything but its `when` / `unless` clauses.
  static std::string statement_head(const AccessStmt& s, const std::string& prefix) {
    std::string out = prefix + (s.sid ? "sid " + quote(*s.sid) + " " : "");
    out += s.allow ? "allow " : "deny ";
    if (s.not_action) out += "not ";
    for (std::size_t i = 0; i < s.actions.size(); ++i) {
      out += (i ? ", " : "") + (s.actions[i].quoted ? quote(s.actions[i].text) : s.actions[i].text);
    }
    if (!s.on_tags.empty()) out += " on tags " + join_exprs(s.on_tags);
    out += " to ";
    if (s.not_principal) out += "not ";
    for (std::size_t i = 0; i < s.principals.size(); ++i) {
      const auto& p = s.principals[i];
      out += (i ? ", " : "") + (p.kind == "*" ? std::string("*") : p.kind + " " + format_expr(*p.value));
    }
    return out;
  }

  void statement(const AccessStmt& s, int indent = 2, const std::string& prefix = "") {
    line(indent, statement_head(s, prefix));
    if (s.clauses.empty()) {
      trailing(s.span.end);
      return;
    }
    for (const auto& c : s.clauses) {
      std::string cl = c.unless ? "unless " : "when ";
      for (std::size_t i = 0; i < c.conditions.size(); ++i) {
        const auto& k = c.conditions[i];
        cl += (i ? " and " : "") + (k.qualifier.empty() ? "" : k.qualifier + " of ") + k.key + " " + k.op + " " + format_expr(*k.value);
      }
      flush_before(c.span.begin, indent + 1);
      line(indent + 1, cl);
      trailing(c.span.end);
    }
  }

  void item(const Template& t) {
    std::string params;
    for (std::size_t i = 0; i < t.params.size(); ++i) {
      params += (i ? ", " : "") + t.params[i].name + (t.params[i].default_value ? " = " + format_expr(*t.params[i].default_value) : "");
    }
    line(0, "template " + t.name + "(" + params + ")" + (t.description ? " " + quote(*t.description) : "") + " {");
    if (t.access) {
      for (const auto& st : t.statements) {
        flush_before(st.span.begin, 1);
        statement(st, 1);
      }
    } else {
      flush_before(t.body.selection.span.begin, 1);
      body(t.body, 1);
    }
    close(t.span.end, 0);
  }
  void item(const TestBlock& t) {
    line(0, "test " + quote(t.name) + " {");
    for (const auto& i : t.items) {
      flush_before(i.span.begin, 1);
      if (i.snapshot) line(1, "snapshot " + quote(i.text) + (i.at.empty() ? "" : " at " + i.at));
      else if (i.in_use) line(1, "in_use " + quote(i.text));
      else if (i.access) {
        std::string text = "expect " + i.decision;
        for (const auto& f : i.fields) {
          text += " " + f.name;
          for (std::size_t k = 0; k < f.values.size(); ++k) {
            const std::string& v = f.values[k];
            // `action pull|push|delete` stays a word, as written; everything else is a string.
            text += " " + (k == 0 && f.name == "action" && (v == "pull" || v == "push" || v == "delete") ? v : quote(v));
          }
        }
        line(1, text + (i.by.empty() ? "" : " by " + quote(i.by)));
      }
      else line(1, "expect " + quote(i.text) + " " + i.outcome + (i.rule.empty() ? "" : " by rule " + i.rule));
      trailing(i.span.end);
    }
    close(t.span.end, 0);
  }

  const File& file_;
  const SourceFile& src_;
  std::string out_;
  std::size_t next_ = 0;
};

}  // namespace

namespace {

// Appends rather than returns: a chain of N operators is a left-deep tree, and building a
// string per level would copy the text N times (quadratic).
void append_expr(const Expr& e, std::string& out) {
  switch (e.kind) {
    case ExprKind::String: out += quote(e.text); return;
    case ExprKind::Number: case ExprKind::Duration: case ExprKind::Size: case ExprKind::Timestamp:
    case ExprKind::Bool: case ExprKind::Name:
      out += e.text;
      return;
    case ExprKind::List:
      out += '[';
      for (std::size_t i = 0; i < e.items.size(); ++i) {
        if (i) out += ", ";
        append_expr(*e.items[i], out);
      }
      out += ']';
      return;
    case ExprKind::Paren:
      out += '(';
      append_expr(*e.items[0], out);
      out += ')';
      return;
    case ExprKind::Member:
      append_expr(*e.items[0], out);
      out += '.';
      out += e.text;
      return;
    case ExprKind::Call:
      append_expr(*e.items[0], out);
      out += '(';
      for (std::size_t i = 1; i < e.items.size(); ++i) {
        const std::string& name = e.arg_names[i - 1];
        if (i > 1) out += ", ";
        if (!name.empty()) out += name + ": ";
        append_expr(*e.items[i], out);
      }
      out += ')';
      return;
    case ExprKind::Unary:
      out += e.text == "not" ? "not " : "-";
      append_expr(*e.items[0], out);
      return;
    case ExprKind::Binary:
      append_expr(*e.items[0], out);
      out += ' ';
      out += e.text;
      out += ' ';
      append_expr(*e.items[1], out);
      return;
  }
  out += e.text;
}

}  // namespace

std::string format_expr(const Expr& e) {
  std::string out;
  append_expr(e, out);
  return out;
}

std::string format_policy(const File& file, const SourceFile& source) { return Printer(file, source).run(); }

}  // namespace regpol
