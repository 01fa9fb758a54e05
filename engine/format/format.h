#pragma once
// The canonical layout of a policy file, printed from the AST and its comments. Every
// comment is kept: a comment on the line of a statement stays at the end of that line;
// the others keep their order before the next statement. format(format(x)) == format(x).
#include <string>

#include "source/source_file.h"
#include "syntax/ast.h"

namespace regpol {

std::string format_policy(const ast::File& file, const SourceFile& source);
std::string format_expr(const ast::Expr& e);

}  // namespace regpol
