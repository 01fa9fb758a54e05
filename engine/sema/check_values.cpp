// Constant expressions: evaluated at check time, each value's type checked.

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <type_traits>

#include "diag/suggest.h"
#include "sema/checker.h"
#include "util/time.h"

namespace regpol::sema {

// Evaluates a constant expression.
std::optional<Value> Checker::eval(const ast::Expr& e, const Env& env, const Module& m) {
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

std::optional<Value> Checker::type_error(const ast::Expr& e, const std::string& message) {
  sink_.error("E0301", e.span, message);
  return std::nullopt;
}

// A string or a list of strings, as a list.
std::optional<std::vector<std::string>> Checker::strings(const ast::Expr& e, const Env& env, const Module& m, const char* what) {
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

}  // namespace regpol::sema
