#pragma once
// Compiles `where` and `per` expressions over image fields into typed evaluators. Types are
// checked at compile time (E0301); regular expressions are compiled once with RE2 (E0307).
// A field an image lacks (scan findings of an unscanned image, a pull time never recorded)
// makes the evaluation an error, never a silent false: guard with `scanned` or `pulled`.
#include <memory>

#include "diag/diagnostic.h"
#include "plan/lifecycle_plan.h"
#include "sema/value.h"
#include "syntax/ast.h"

namespace regpol {

// `guard_reads`: warn (W1011) about a field read without its guard, which stops `plan`;
// a gate rule fails closed on such an image instead, so it is not warned about.
std::shared_ptr<const ImagePredicate> compile_where(const ast::Expr& e, const sema::Env& env, DiagnosticSink& sink, bool guard_reads = true);
std::shared_ptr<const ImageKey> compile_key(const ast::Expr& e, const sema::Env& env, DiagnosticSink& sink);

// The names a `where` expression can use, for docs and "did you mean".
const std::vector<std::string>& image_field_names();

}  // namespace regpol
