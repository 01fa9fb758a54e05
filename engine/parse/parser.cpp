#include "parse/parser.h"

#include <antlr4-runtime.h>

#include <cmath>

#include "RegpolLexer.h"
#include "RegpolParser.h"
#include "diag/suggest.h"
#include "util/deep_stack.h"
#include "util/time.h"

namespace regpol {

namespace {

using gen::RegpolLexer;
using gen::RegpolParser;

// Code-point index (what ANTLR counts) -> byte offset (what Span holds).
class OffsetMap {
 public:
  // Code points start at `first` (after a byte-order mark, which ANTLR never sees).
  OffsetMap(const std::string& text, std::uint32_t first) {
    for (std::uint32_t i = first; i < text.size();) {
      starts_.push_back(i);
      i += static_cast<std::uint32_t>(utf8_sequence_length(static_cast<unsigned char>(text[i])));
    }
    end_ = static_cast<std::uint32_t>(text.size());
  }
  std::uint32_t byte(std::size_t cp) const { return cp < starts_.size() ? starts_[cp] : end_; }

 private:
  std::vector<std::uint32_t> starts_;
  std::uint32_t end_ = 0;
};

// Validates UTF-8 and rejects NUL bytes; reports the first problem of each kind.
bool check_bytes(const std::string& text, FileId file, DiagnosticSink& sink) {
  bool ok = true;
  bool nul_seen = false, utf8_seen = false;
  for (std::size_t i = 0; i < text.size();) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c == 0 && !nul_seen) {
      nul_seen = true;
      ok = false;
      sink.error("E0107", {file, static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(i + 1)}, "NUL byte in policy source")
          .help = "policy files are UTF-8 text; is this a binary file?";
    }
    std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    bool valid = len > 0 && i + len <= text.size();
    for (std::size_t k = 1; valid && k < len; ++k) valid = (static_cast<unsigned char>(text[i + k]) & 0xC0) == 0x80;
    if (valid && len == 2 && c < 0xC2) valid = false;  // overlong
    if (valid && len == 3) {
      auto c1 = static_cast<unsigned char>(text[i + 1]);
      if ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 >= 0xA0)) valid = false;  // overlong, surrogate
    }
    if (valid && len == 4) {
      auto c1 = static_cast<unsigned char>(text[i + 1]);
      if ((c == 0xF0 && c1 < 0x90) || c > 0xF4 || (c == 0xF4 && c1 >= 0x90)) valid = false;
    }
    if (!valid) {
      if (!utf8_seen) {
        utf8_seen = true;
        ok = false;
        sink.error("E0106", {file, static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(i + 1)}, "invalid UTF-8 byte sequence");
      }
      i += 1;
    } else {
      i += len;
    }
  }
  return ok;
}

std::string display_token(const antlr4::dfa::Vocabulary& vocab, std::size_t type) {
  if (type == antlr4::Token::EOF) return "end of file";
  std::string lit = vocab.getLiteralName(type);
  if (!lit.empty()) return "`" + lit.substr(1, lit.size() - 2) + "`";
  std::string sym = vocab.getSymbolicName(type);
  for (auto& c : sym) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (sym == "ident") return "a name";
  if (sym == "condkey") return "a condition key";
  return "a " + sym;
}

bool is_error_token(std::size_t type) {
  return type == RegpolLexer::ERROR_CHAR || type == RegpolLexer::UNTERMINATED_STRING || type == RegpolLexer::BAD_LITERAL;
}

class SyntaxErrorListener : public antlr4::BaseErrorListener {
 public:
  SyntaxErrorListener(FileId file, const OffsetMap& map, DiagnosticSink& sink, const std::string& text)
      : file_(file), map_(map), sink_(sink), text_(text) {}

  void syntaxError(antlr4::Recognizer* recognizer, antlr4::Token* offending, size_t, size_t, const std::string&,
                   std::exception_ptr) override {
    ++count;
    if (!offending) return;
    // Lexical problems were already reported with a better message.
    if (is_error_token(offending->getType())) return;
    auto* parser = dynamic_cast<antlr4::Parser*>(recognizer);
    Span span;
    std::string found;
    if (offending->getType() == antlr4::Token::EOF) {
      span = {file_, static_cast<std::uint32_t>(text_.size()), static_cast<std::uint32_t>(text_.size())};
      found = "end of file";
    } else {
      span = {file_, map_.byte(offending->getStartIndex()), map_.byte(offending->getStopIndex() + 1)};
      std::string t = offending->getText();
      if (t.size() > 40) t = t.substr(0, 40) + "…";
      found = "`" + t + "`";
    }
    std::string expected;
    std::vector<std::string> keywords;  // the expected keywords, for "did you mean"
    if (parser) {
      auto set = parser->getExpectedTokens();
      std::vector<std::string> names;
      for (auto t : set.toList()) names.push_back(display_token(parser->getVocabulary(), t));
      std::sort(names.begin(), names.end());
      names.erase(std::unique(names.begin(), names.end()), names.end());
      for (std::size_t i = 0; i < names.size() && i < 8; ++i) expected += (i ? ", " : "") + names[i];
      if (names.size() > 8) expected += ", …";
      for (const auto& n : names) {
        if (n.size() > 2 && n.front() == '`' && std::isalpha(static_cast<unsigned char>(n[1]))) keywords.push_back(n.substr(1, n.size() - 2));
      }
    }
    auto& d = sink_.error("E0101", span, "unexpected " + found + (expected.empty() ? "" : "; expected " + expected));
    // A misspelled keyword (`untaged`, `lifecyle`) gets the one it is closest to.
    if (offending->getType() != antlr4::Token::EOF) {
      const std::string word = offending->getText();
      const bool is_word = !word.empty() && std::all_of(word.begin(), word.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
      });
      if (is_word) {
        if (auto near = closest_match(word, keywords); near && *near != word) d.help = "did you mean `" + *near + "`?";
      }
    }
  }
  int count = 0;

 private:
  FileId file_;
  const OffsetMap& map_;
  DiagnosticSink& sink_;
  const std::string& text_;
};

// Builds the AST from a parse tree that had no syntax errors.
class Builder {
 public:
  Builder(FileId file, const OffsetMap& map, DiagnosticSink& sink) : file_(file), map_(map), sink_(sink) {}

  Span span(antlr4::ParserRuleContext* ctx) const {
    auto* stop = ctx->getStop();
    std::uint32_t begin = map_.byte(ctx->getStart()->getStartIndex());
    std::uint32_t end = stop && stop->getType() != antlr4::Token::EOF && stop->getStopIndex() + 1 >= ctx->getStart()->getStartIndex()
                            ? map_.byte(stop->getStopIndex() + 1)
                            : begin;
    return {file_, begin, std::max(begin, end)};
  }
  Span span(antlr4::Token* t) const { return {file_, map_.byte(t->getStartIndex()), map_.byte(t->getStopIndex() + 1)}; }
  Span span(antlr4::tree::TerminalNode* t) const { return span(t->getSymbol()); }

  template <typename T>
  T node(antlr4::ParserRuleContext* ctx) {
    T n;
    n.id = ++next_id_;
    n.span = span(ctx);
    return n;
  }

  ast::File file(RegpolParser::FileContext* ctx) {
    ast::File f;
    f.file = file_;
    if (auto* h = ctx->header()) {
      f.policy_name = string_value(h->STRING());
      f.header_span = span(h);
    }
    for (auto* it : ctx->item()) {
      if (auto* x = it->importDecl()) {
        auto n = node<ast::Import>(x);
        n.path = string_value(x->STRING());
        n.alias = x->name()->getText();
        f.items.emplace_back(std::move(n));
      } else if (auto* x = it->letDecl()) {
        auto n = node<ast::Let>(x);
        n.name = x->name()->getText();
        n.value = expr(x->expr());
        f.items.emplace_back(std::move(n));
      } else if (auto* x = it->repositoryBlock()) {
        auto n = node<ast::RepositoryBlock>(x);
        n.patterns = primaries(x->valueList(0));
        if (x->valueList().size() > 1) n.excepts = primaries(x->valueList(1));
        for (auto* b : x->blockItem()) n.items.push_back(block_item(b));
        f.items.emplace_back(std::move(n));
      } else if (auto* x = it->defaultsBlock()) {
        auto n = node<ast::RepositoryBlock>(x);
        n.is_defaults = true;
        for (auto* b : x->blockItem()) n.items.push_back(block_item(b));
        f.items.emplace_back(std::move(n));
      } else if (auto* x = it->registryBlock()) {
        auto n = node<ast::RegistryBlock>(x);
        for (auto* r : x->registryItem()) n.items.push_back(registry_item(r));
        f.items.emplace_back(std::move(n));
      } else if (auto* x = it->templateDecl()) {
        auto n = node<ast::Template>(x);
        n.name = x->name()->getText();
        for (auto* p : x->param()) {
          ast::Param param;
          param.name = p->name()->getText();
          if (p->expr()) param.default_value = expr(p->expr());
          n.params.push_back(std::move(param));
        }
        if (x->STRING()) n.description = string_value(x->STRING());
        if (x->ruleBody()) {
          n.body = rule_body(x->ruleBody());
        } else {
          n.access = true;
          for (auto* st : x->accessStmt()) n.statements.push_back(statement(st));
        }
        f.items.emplace_back(std::move(n));
      } else if (auto* x = it->proveDecl()) {
        f.items.emplace_back(prove(x));
      } else if (auto* x = it->testBlock()) {
        auto n = node<ast::TestBlock>(x);
        n.name = string_value(x->STRING());
        for (auto* t : x->testItem()) {
          auto item = node<ast::TestItem>(t);
          if (auto* s = dynamic_cast<RegpolParser::TestSnapshotContext*>(t)) {
            item.snapshot = true;
            item.text = string_value(s->STRING());
            if (s->TIMESTAMP()) item.at = s->TIMESTAMP()->getText();
          } else if (auto* u = dynamic_cast<RegpolParser::TestInUseContext*>(t)) {
            item.in_use = true;
            item.text = string_value(u->STRING());
          } else if (auto* e = dynamic_cast<RegpolParser::TestExpectContext*>(t)) {
            item.text = string_value(e->STRING());
            item.outcome = e->outcome->getText();
            if (e->NUMBER()) item.rule = e->NUMBER()->getText();
          } else if (auto* a = dynamic_cast<RegpolParser::TestExpectAccessContext*>(t)) {
            item.access = true;
            item.decision = a->decision->getText();
            for (auto* rf : a->requestField()) {
              ast::TestItem::RequestField field;
              field.span = span(rf);
              field.name = rf->key->getText();
              if (rf->word) field.values.push_back(rf->word->getText());  // action pull|push|delete
              for (auto* v : rf->STRING()) field.values.push_back(string_value(v));
              item.fields.push_back(std::move(field));
            }
            if (a->STRING()) item.by = string_value(a->STRING());
          }
          n.items.push_back(std::move(item));
        }
        f.items.emplace_back(std::move(n));
      }
    }
    return f;
  }

 private:
  std::vector<ast::ExprPtr> primaries(RegpolParser::ValueListContext* ctx) {
    std::vector<ast::ExprPtr> out;
    for (auto* p : ctx->primary()) out.push_back(primary(p));
    return out;
  }

  ast::Scan scan(RegpolParser::ScanDeclContext* ctx) {
    auto n = node<ast::Scan>(ctx);
    n.on = ctx->ON() != nullptr;
    n.mode = ctx->how->getText();
    n.mode_span = span(ctx->how);
    if (ctx->FOR()) {
      n.has_for = true;
      n.filters = primaries(ctx->valueList());
    }
    return n;
  }

  ast::RegistryItem registry_item(RegpolParser::RegistryItemContext* ctx) {
    if (auto* s = ctx->scanningDecl()) {
      auto n = node<ast::Scanning>(s);
      n.mode = s->how->getText();
      n.mode_span = span(s->how);
      return n;
    }
    if (auto* s = ctx->scanDecl()) return scan(s);
    auto* r = ctx->replicateDecl();
    auto n = node<ast::Replicate>(r);
    for (auto* d : r->destination()) {
      auto dest = node<ast::Destination>(d);
      dest.kind = d->kind->getText();
      dest.kind_span = span(d->kind);
      dest.region = primary(d->region);
      if (d->account) dest.account = primary(d->account);
      n.destinations.push_back(std::move(dest));
    }
    if (r->valueList()) n.prefixes = primaries(r->valueList());
    return n;
  }

  ast::BlockItem block_item(RegpolParser::BlockItemContext* ctx) {
    if (auto* s = ctx->scanDecl()) return scan(s);
    if (auto* q = ctx->requireDecl()) {
      auto n = node<ast::Require>(q);
      n.what = q->what->getText();
      n.what_span = span(q->what);
      n.kind = q->kind->getText();
      n.kind_span = span(q->kind);
      if (q->keyWord) {
        n.key_word = q->keyWord->getText();
        n.key_word_span = span(q->keyWord);
        n.key = primary(q->key);
      }
      return n;
    }
    if (auto* m = ctx->mutabilityDecl()) {
      auto n = node<ast::Mutability>(m);
      n.immutable = m->setting->getType() == RegpolLexer::IMMUTABLE;
      if (m->valueList()) n.except = primaries(m->valueList());
      return n;
    }
    if (auto* l = ctx->lifecycleBlock()) {
      auto n = node<ast::Lifecycle>(l);
      for (auto* item : l->lifecycleItem()) {
        if (auto* r = item->ruleDecl()) {
          auto rule = node<ast::Rule>(r);
          rule.priority = r->NUMBER()->getText();
          if (r->STRING()) rule.description = string_value(r->STRING());
          rule.body = rule_body(r->ruleBody());
          n.items.emplace_back(std::move(rule));
        } else if (auto* p = item->protectDecl()) {
          auto protect = node<ast::Protect>(p);
          protect.in_use = p->IN_USE() != nullptr;
          if (p->selection()) protect.selection = selection(p->selection());
          n.items.emplace_back(std::move(protect));
        } else if (auto* e = item->allowEmptyDecl()) {
          n.items.emplace_back(node<ast::AllowEmpty>(e));
        } else if (auto* u = item->useDecl()) {
          auto use = node<ast::Use>(u);
          for (auto* nm : u->qualifiedName()->name()) use.name.push_back(nm->getText());
          if (u->argList()) use.args = args(u->argList());
          use.priority = u->NUMBER()->getText();
          n.items.emplace_back(std::move(use));
        }
      }
      return n;
    }
    if (auto* p = ctx->proveDecl()) return prove(p);
    if (auto* g = ctx->gateBlock()) {
      auto n = node<ast::Gate>(g);
      for (auto* r : g->gateRule()) {
        auto rule = node<ast::GateRule>(r);
        rule.name = string_value(r->STRING());
        // The expression, as a selection of any image refined by it (ast::GateRule).
        rule.selection = node<ast::Selection>(r->expr());
        rule.selection.where = expr(r->expr());
        n.rules.push_back(std::move(rule));
      }
      return n;
    }
    auto* a = ctx->accessBlock();
    auto n = node<ast::Access>(a);
    for (auto* item : a->accessItem()) {
      if (item->accessStmt()) {
        n.statements.push_back(statement(item->accessStmt()));
      } else {
        auto* u = item->accessUse();
        auto use = node<ast::Use>(u);
        for (auto* nm : u->qualifiedName()->name()) use.name.push_back(nm->getText());
        if (u->argList()) use.args = args(u->argList());
        n.uses.push_back(std::move(use));
      }
    }
    return n;
  }

  ast::Prove prove(RegpolParser::ProveDeclContext* ctx) {
    auto n = node<ast::Prove>(ctx);
    n.name = string_value(ctx->STRING());
    if (ctx->FOR()) {
      n.has_for = true;
      n.repositories = primaries(ctx->valueList(0));
      if (ctx->valueList().size() > 1) n.excepts = primaries(ctx->valueList(1));
    }
    if (auto* a = dynamic_cast<RegpolParser::AccessPropertyContext*>(ctx->proveBody())) {
      n.quantifier = a->quantifier->getText();
      n.statement = statement(a->accessStmt());
    } else if (auto* b = dynamic_cast<RegpolParser::NoNewAccessPropertyContext*>(ctx->proveBody())) {
      n.than = string_value(b->STRING());
      n.than_span = span(b->STRING()->getSymbol());
    }
    return n;
  }

  ast::AccessStmt statement(RegpolParser::AccessStmtContext* s) {
    auto n = node<ast::AccessStmt>(s);
    if (s->SID()) n.sid = string_value(s->STRING());
    n.allow = s->effect->getType() == RegpolLexer::ALLOW;
    n.not_action = s->notAction != nullptr;
    n.not_principal = s->notPrincipal != nullptr;
    for (auto* a : s->actionItem()) {
      auto item = node<ast::ActionItem>(a);
      if (a->STRING()) {
        item.quoted = true;
        item.text = string_value(a->STRING());
      } else {
        item.text = a->getText();
      }
      n.actions.push_back(std::move(item));
    }
    // `on tags` before `to` or after the principals; written twice, the second is an error.
    for (auto* list : s->valueList()) {
      if (!n.on_tags.empty()) {
        sink_.error("E0101", span(list), "`on tags` is written twice in this statement");
        continue;
      }
      n.on_tags = primaries(list);
    }
    for (auto* p : s->principal()) {
      auto pr = node<ast::Principal>(p);
      if (p->STAR()) pr.kind = "*";
      else {
        pr.kind = p->kind->getText();
        pr.value = primary(p->primary());
      }
      n.principals.push_back(std::move(pr));
    }
    for (auto* c : s->condClause()) {
      auto clause = node<ast::CondClause>(c);
      clause.unless = c->kw->getType() == RegpolLexer::UNLESS;
      for (auto* cond : c->condition()) {
        auto cn = node<ast::Condition>(cond);
        if (cond->qual) cn.qualifier = cond->qual->getText();
        cn.key = cond->CONDKEY()->getText();
        auto* op = cond->condOp();
        cn.op = op->NOT() ? "not " + op->children.back()->getText() : op->getText();
        cn.op_span = span(op);
        cn.value = primary(cond->primary());
        clause.conditions.push_back(std::move(cn));
      }
      n.clauses.push_back(std::move(clause));
    }
    return n;
  }

  ast::RuleBody rule_body(RegpolParser::RuleBodyContext* ctx) {
    ast::RuleBody b;
    b.selection = selection(ctx->selection());
    b.action = action(ctx->actionClause());
    return b;
  }

  ast::Selection selection(RegpolParser::SelectionContext* ctx) {
    auto s = node<ast::Selection>(ctx);
    auto* t = ctx->tagSelection();
    if (t->TAGGED()) {
      s.tags = ast::Selection::Tags::Tagged;
      if (t->kind) {
        s.list_kind = t->kind->getText();
        s.list = primary(t->primary());
      }
    } else if (t->UNTAGGED()) {
      s.tags = ast::Selection::Tags::Untagged;
    } else if (t->ARTIFACTS()) {
      s.tags = ast::Selection::Tags::Artifacts;
      if (t->TYPE()) {
        s.list_kind = "type";
        s.list = primary(t->primary());
      }
    }
    if (auto* st = ctx->storageClause()) s.storage = st->storage->getText();
    if (ctx->expr()) s.where = expr(ctx->expr());
    return s;
  }

  void order_per(ast::Action& a, RegpolParser::OrderClauseContext* o, RegpolParser::PerClauseContext* p) {
    if (o) a.order = o->SEMVER() ? "semver" : o->name()->getText();
    if (p) a.per = expr(p->expr());
  }

  ast::Action action(RegpolParser::ActionClauseContext* ctx) {
    auto a = node<ast::Action>(ctx);
    if (auto* k = dynamic_cast<RegpolParser::KeepNewestContext*>(ctx)) {
      a.kind = ast::Action::Kind::KeepNewest;
      a.verb = "keep";
      a.amount = expr(k->expr());
      order_per(a, k->orderClause(), k->perClause());
    } else if (auto* k = dynamic_cast<RegpolParser::AllButNewestContext*>(ctx)) {
      a.kind = ast::Action::Kind::AllButNewest;
      a.verb = k->verb->getText();
      a.amount = expr(k->expr());
      order_per(a, k->orderClause(), k->perClause());
    } else if (auto* k = dynamic_cast<RegpolParser::OlderThanContext*>(ctx)) {
      a.kind = ast::Action::Kind::OlderThan;
      a.verb = k->verb->getText();
      a.amount = expr(k->expr());
    } else if (auto* k = dynamic_cast<RegpolParser::UnpulledForContext*>(ctx)) {
      a.kind = ast::Action::Kind::UnpulledFor;
      a.verb = k->verb->getText();
      a.amount = expr(k->expr());
    } else if (auto* k = dynamic_cast<RegpolParser::ArchivedForContext*>(ctx)) {
      a.kind = ast::Action::Kind::ArchivedFor;
      a.verb = k->verb->getText();
      a.amount = expr(k->expr());
    }
    return a;
  }

  std::vector<ast::Arg> args(RegpolParser::ArgListContext* ctx) {
    std::vector<ast::Arg> out;
    for (auto* a : ctx->arg()) {
      ast::Arg arg;
      if (a->name()) arg.name = a->name()->getText();
      arg.value = expr(a->expr());
      out.push_back(std::move(arg));
    }
    return out;
  }

  ast::ExprPtr make(antlr4::ParserRuleContext* ctx, ast::ExprKind kind, std::string text = {}) {
    auto e = std::make_unique<ast::Expr>();
    e->id = ++next_id_;
    e->span = span(ctx);
    e->kind = kind;
    e->text = std::move(text);
    return e;
  }

  ast::ExprPtr binary(antlr4::ParserRuleContext* ctx, std::string op, RegpolParser::ExprContext* l, RegpolParser::ExprContext* r) {
    auto e = make(ctx, ast::ExprKind::Binary, std::move(op));
    e->items.push_back(expr(l));
    e->items.push_back(expr(r));
    return e;
  }

  ast::ExprPtr expr(RegpolParser::ExprContext* ctx) {
    using P = RegpolParser;
    if (auto* x = dynamic_cast<P::PrimaryExprContext*>(ctx)) return primary(x->primary());
    if (auto* x = dynamic_cast<P::MemberExprContext*>(ctx)) {
      auto e = make(ctx, ast::ExprKind::Member, x->name()->getText());
      e->items.push_back(expr(x->expr()));
      return e;
    }
    if (auto* x = dynamic_cast<P::CallExprContext*>(ctx)) {
      auto e = make(ctx, ast::ExprKind::Call);
      e->items.push_back(expr(x->expr()));
      if (x->argList()) {
        for (auto& a : args(x->argList())) {
          e->arg_names.push_back(a.name);
          e->items.push_back(std::move(a.value));
        }
      }
      return e;
    }
    if (auto* x = dynamic_cast<P::NegExprContext*>(ctx)) {
      auto e = make(ctx, ast::ExprKind::Unary, "-");
      e->items.push_back(expr(x->expr()));
      return e;
    }
    if (auto* x = dynamic_cast<P::NotExprContext*>(ctx)) {
      auto e = make(ctx, ast::ExprKind::Unary, "not");
      e->items.push_back(expr(x->expr()));
      return e;
    }
    if (auto* x = dynamic_cast<P::MulExprContext*>(ctx)) return binary(ctx, x->op->getText(), x->expr(0), x->expr(1));
    if (auto* x = dynamic_cast<P::AddExprContext*>(ctx)) return binary(ctx, x->op->getText(), x->expr(0), x->expr(1));
    if (auto* x = dynamic_cast<P::CmpExprContext*>(ctx)) return binary(ctx, x->op->getText(), x->expr(0), x->expr(1));
    if (auto* x = dynamic_cast<P::InExprContext*>(ctx)) return binary(ctx, x->NOT() ? "not in" : "in", x->expr(0), x->expr(1));
    if (auto* x = dynamic_cast<P::LikeExprContext*>(ctx)) return binary(ctx, x->NOT() ? "not like" : "like", x->expr(0), x->expr(1));
    if (auto* x = dynamic_cast<P::MatchesExprContext*>(ctx)) return binary(ctx, "matches", x->expr(0), x->expr(1));
    if (auto* x = dynamic_cast<P::AndExprContext*>(ctx)) return binary(ctx, "and", x->expr(0), x->expr(1));
    if (auto* x = dynamic_cast<P::OrExprContext*>(ctx)) return binary(ctx, "or", x->expr(0), x->expr(1));
    return make(ctx, ast::ExprKind::Name, ctx->getText());
  }

  ast::ExprPtr primary(RegpolParser::PrimaryContext* ctx) {
    using P = RegpolParser;
    if (auto* x = dynamic_cast<P::StringLitContext*>(ctx)) return make(ctx, ast::ExprKind::String, string_value(x->STRING()));
    if (dynamic_cast<P::NumberLitContext*>(ctx)) {
      auto e = make(ctx, ast::ExprKind::Number, ctx->getText());
      e->number = std::strtod(e->text.c_str(), nullptr);
      if (!std::isfinite(e->number) || e->number > 9.0e15) literal_error(ctx, "number `" + e->text + "` is too large");
      return e;
    }
    if (dynamic_cast<P::DurationLitContext*>(ctx)) return duration(ctx);
    if (dynamic_cast<P::SizeLitContext*>(ctx)) return size(ctx);
    if (dynamic_cast<P::TimestampLitContext*>(ctx)) {
      auto e = make(ctx, ast::ExprKind::Timestamp, ctx->getText());
      auto t = parse_timestamp(e->text);
      if (!t) literal_error(ctx, "`" + e->text + "` is not a valid instant (check the month, day and time)");
      else e->micros = *t;
      return e;
    }
    if (auto* x = dynamic_cast<P::BoolLitContext*>(ctx)) {
      auto e = make(ctx, ast::ExprKind::Bool, x->getText());
      e->boolean = x->TRUE() != nullptr;
      return e;
    }
    if (auto* x = dynamic_cast<P::ListLitContext*>(ctx)) {
      auto e = make(ctx, ast::ExprKind::List);
      for (auto* i : x->expr()) e->items.push_back(expr(i));
      return e;
    }
    if (auto* x = dynamic_cast<P::NameRefContext*>(ctx)) return make(ctx, ast::ExprKind::Name, x->getText());
    if (auto* x = dynamic_cast<P::ParenExprContext*>(ctx)) {
      auto e = make(ctx, ast::ExprKind::Paren);
      e->items.push_back(expr(x->expr()));
      return e;
    }
    return make(ctx, ast::ExprKind::Name, ctx->getText());
  }

  void literal_error(antlr4::ParserRuleContext* ctx, std::string message) { sink_.error("E0104", span(ctx), std::move(message)); }

  ast::ExprPtr duration(antlr4::ParserRuleContext* ctx) {
    auto e = make(ctx, ast::ExprKind::Duration, ctx->getText());
    const std::string& t = e->text;
    char unit = t.back();
    std::string digits = t.substr(0, t.size() - 1);
    std::int64_t per = unit == 'w' ? 7 * kMicrosPerDay : unit == 'd' ? kMicrosPerDay : unit == 'h' ? 3600 * kMicrosPerSecond
                       : unit == 'm' ? 60 * kMicrosPerSecond : kMicrosPerSecond;
    if (digits.size() > 9 || static_cast<double>(std::stoll(digits)) * static_cast<double>(per) > 1e17) {
      literal_error(ctx, "duration `" + t + "` is too long");
      return e;
    }
    e->micros = std::stoll(digits) * per;
    return e;
  }

  ast::ExprPtr size(antlr4::ParserRuleContext* ctx) {
    auto e = make(ctx, ast::ExprKind::Size, ctx->getText());
    const std::string& t = e->text;
    std::size_t u = t.find_first_not_of("0123456789.");
    std::string unit = t.substr(u);
    double v = std::strtod(t.substr(0, u).c_str(), nullptr);
    double mult = unit == "B" ? 1 : unit == "KB" ? 1e3 : unit == "MB" ? 1e6 : unit == "GB" ? 1e9 : unit == "TB" ? 1e12
                  : unit == "KiB" ? 1024.0 : unit == "MiB" ? 1048576.0 : unit == "GiB" ? 1073741824.0 : 1099511627776.0;
    double bytes = v * mult;
    if (bytes > 9.0e18) {
      literal_error(ctx, "size `" + t + "` is too large");
      return e;
    }
    if (std::floor(bytes) != bytes) literal_error(ctx, "size `" + t + "` is not a whole number of bytes");
    e->bytes = static_cast<std::int64_t>(bytes);
    return e;
  }

  // Decodes a string literal's escapes: \" \\ \n \t \r \u{HEX}; anything else is E0109.
  std::string string_value(antlr4::tree::TerminalNode* node) {
    std::string raw = node->getText();
    Span sp = span(node);
    std::string out;
    for (std::size_t i = 1; i + 1 < raw.size(); ++i) {
      if (raw[i] != '\\') {
        out += raw[i];
        continue;
      }
      char c = raw[++i];
      switch (c) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case 'r': out += '\r'; break;
        case 'u': {
          std::size_t close = raw.find('}', i);
          unsigned long cp = 0;
          bool ok = i + 1 < raw.size() && raw[i + 1] == '{' && close != std::string::npos && close > i + 2 && close - i - 2 <= 6;
          if (ok) {
            for (std::size_t k = i + 2; k < close && ok; ++k) ok = std::isxdigit(static_cast<unsigned char>(raw[k])) != 0;
            if (ok) cp = std::stoul(raw.substr(i + 2, close - i - 2), nullptr, 16);
            ok = ok && cp > 0 && cp <= 0x10FFFF && (cp < 0xD800 || cp > 0xDFFF);
          }
          if (!ok) {
            escape_error(sp, i - 1);
            break;
          }
          append_utf8(out, static_cast<std::uint32_t>(cp));
          i = close;
          break;
        }
        default:
          escape_error(sp, i - 1);
      }
    }
    return out;
  }

  void escape_error(Span sp, std::size_t at) {
    auto b = static_cast<std::uint32_t>(sp.begin + at);
    sink_.error("E0109", {file_, b, b + 2}, "invalid escape sequence in string").help =
        "the escapes are \\\" \\\\ \\n \\t \\r and \\u{HEX}";
  }

  static void append_utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) out += static_cast<char>(cp);
    else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  FileId file_;
  const OffsetMap& map_;
  DiagnosticSink& sink_;
  ast::NodeId next_id_ = 0;
};

// The deepest chain of nested expressions, walked with an explicit stack so that the walk
// itself cannot overflow. Reports E0111 at the start of the outermost expression that nests
// past kMaxExpressionDepth.
bool check_expression_depth(antlr4::tree::ParseTree* root, const OffsetMap& map, FileId file, DiagnosticSink& sink) {
  struct Item {
    antlr4::tree::ParseTree* node;
    int depth;
    antlr4::ParserRuleContext* outermost;  // the top-level expression this node is part of
  };
  std::vector<Item> stack{{root, 0, nullptr}};
  while (!stack.empty()) {
    Item it = stack.back();
    stack.pop_back();
    if (auto* e = dynamic_cast<RegpolParser::ExprContext*>(it.node)) {
      if (!it.outermost) it.outermost = e;
      if (++it.depth > kMaxExpressionDepth) {
        antlr4::Token* start = it.outermost->getStart();
        sink.error("E0111", {file, map.byte(start->getStartIndex()), map.byte(start->getStopIndex() + 1)},
                   "expression nested deeper than " + std::to_string(kMaxExpressionDepth) + " levels")
            .help = "each operator of a chain nests one level; split the condition over several rules, or use `in [...]`";
        return false;
      }
    }
    for (auto* child : it.node->children) stack.push_back({child, it.depth, it.outermost});
  }
  return true;
}

ast::File parse_checked(const SourceFile& src, FileId file, DiagnosticSink& sink) {
  ast::File result;
  result.file = file;
  const std::string& text = src.text();
  const std::uint32_t bom = text.compare(0, 3, "\xEF\xBB\xBF") == 0 ? 3 : 0;
  OffsetMap map(text, bom);
  antlr4::ANTLRInputStream input(text.substr(bom));
  RegpolLexer lexer(&input);
  lexer.removeErrorListeners();
  antlr4::CommonTokenStream tokens(&lexer);
  tokens.fill();

  // Lexical problems, comments and the nesting cap, in one pass over the tokens.
  bool lexical_errors = false, any_code = false;
  int depth = 0, unary_run = 0;
  bool too_deep = false;
  for (auto* t : tokens.getTokens()) {
    auto type = t->getType();
    if (type == antlr4::Token::EOF) break;
    Span sp{file, map.byte(t->getStartIndex()), map.byte(t->getStopIndex() + 1)};
    if (t->getChannel() == antlr4::Token::HIDDEN_CHANNEL) {
      result.comments.push_back({sp, text.substr(sp.begin, sp.end - sp.begin)});
      continue;
    }
    any_code = true;
    switch (type) {
      case RegpolLexer::ERROR_CHAR:
        lexical_errors = true;
        sink.error("E0103", sp, "character `" + t->getText() + "` is not allowed here");
        break;
      case RegpolLexer::UNTERMINATED_STRING:
        lexical_errors = true;
        sink.error("E0102", sp, "unterminated string").help = "close the string with `\"` on the same line";
        break;
      case RegpolLexer::BAD_LITERAL:
        lexical_errors = true;
        sink.error("E0104", sp, "malformed literal `" + t->getText() + "`").help =
            "durations are a number and one of w d h m s (`7d`); sizes use B KB MB GB TB KiB MiB GiB TiB (`500MB`)";
        break;
      case RegpolLexer::LPAREN: case RegpolLexer::LBRACK: case RegpolLexer::LBRACE:
        if (++depth > kMaxNesting && !too_deep) {
          too_deep = true;
          sink.error("E0105", sp, "nesting deeper than " + std::to_string(kMaxNesting) + " levels");
        }
        break;
      case RegpolLexer::RPAREN: case RegpolLexer::RBRACK: case RegpolLexer::RBRACE:
        depth = std::max(0, depth - 1);
        break;
      default: break;
    }
    if (type == RegpolLexer::NOT || type == RegpolLexer::MINUS) {
      if (++unary_run > kMaxNesting && !too_deep) {
        too_deep = true;
        sink.error("E0105", sp, "more than " + std::to_string(kMaxNesting) + " operators in a row");
      }
    } else {
      unary_run = 0;
    }
  }
  if (!any_code) {
    sink.error("E0108", {file, 0, 0}, "empty policy file").help = "a policy needs at least one declaration, such as `repository \"*\" { … }`";
    return result;
  }
  if (too_deep) return result;

  // Two stages, as ANTLR's authors advise: SLL prediction, which needs no full-context
  // lookahead and is much cheaper on a cold start (every regpol process starts cold), with
  // an error strategy that gives up at the first problem and reports nothing; only a file
  // that fails that (a syntax error, or one of the rare inputs SLL cannot decide) is parsed
  // again in full LL mode, which reports errors as before. Both accept the same language.
  RegpolParser parser(&tokens);
  parser.removeErrorListeners();
  parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(antlr4::atn::PredictionMode::SLL);
  parser.setErrorHandler(std::make_shared<antlr4::BailErrorStrategy>());
  SyntaxErrorListener listener(file, map, sink, text);
  RegpolParser::FileContext* tree = nullptr;
  try {
    tree = parser.file();
  } catch (const antlr4::ParseCancellationException&) {
    tokens.seek(0);
    parser.reset();
    parser.setErrorHandler(std::make_shared<antlr4::DefaultErrorStrategy>());
    parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(antlr4::atn::PredictionMode::LL);
    parser.addErrorListener(&listener);
    tree = parser.file();
  }
  if (listener.count > 0 || lexical_errors) return result;
  if (!check_expression_depth(tree, map, file, sink)) return result;
  Builder builder(file, map, sink);
  ast::File built = builder.file(tree);
  built.comments = std::move(result.comments);
  return built;
}

}  // namespace

ast::File parse_policy(const SourceMap& sources, FileId file, DiagnosticSink& sink) {
  const SourceFile& src = sources.file(file);
  if (!check_bytes(src.text(), file, sink)) {
    ast::File f;
    f.file = file;
    return f;
  }
  try {
    return parse_checked(src, file, sink);
  } catch (const std::exception& e) {
    sink.error("E0101", {file, 0, 0}, std::string("the parser failed: ") + e.what());
  } catch (...) {
    sink.error("E0101", {file, 0, 0}, "the parser failed");
  }
  ast::File f;
  f.file = file;
  return f;
}

}  // namespace regpol
