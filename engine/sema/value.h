#pragma once
// Compile-time values of the policy language: what `let`, template arguments, rule
// counts, durations and tag lists evaluate to.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "syntax/ast.h"

namespace regpol::sema {

enum class Type { String, Number, Duration, Size, Timestamp, Bool, List };

const char* type_name(Type t);

struct Value {
  Type type = Type::Number;
  std::string str;
  double number = 0;
  std::int64_t micros = 0;   // Duration, Timestamp
  std::int64_t bytes = 0;    // Size
  bool boolean = false;
  std::vector<Value> items;  // List
  Span span;                 // where the value was written
};

// Constant bindings visible to an expression: `let`s of the file, template parameters.
// Immutable once built; inner scopes chain to outer ones.
class Env {
 public:
  explicit Env(std::shared_ptr<const Env> parent = nullptr) : parent_(std::move(parent)) {}
  void bind(const std::string& name, Value v) { names_.push_back(name), values_.push_back(std::move(v)), used_.push_back(false); }
  // Finds a name here or in a parent, and marks it used (for the unused-`let` lint).
  const Value* find(const std::string& name) const;
  std::vector<std::string> all_names() const;
  // Names bound in this Env (not its parents) that no find() has looked up.
  std::vector<std::string> unused_names() const;

 private:
  std::shared_ptr<const Env> parent_;
  std::vector<std::string> names_;
  std::vector<Value> values_;
  mutable std::vector<bool> used_;
};

}  // namespace regpol::sema
