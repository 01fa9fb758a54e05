#pragma once
// Source text -> AST with coded syntax diagnostics. The only layer that sees ANTLR.
// Never throws; reports every syntax error it can find (several per file), each with what
// was expected; refuses hostile input (NUL bytes, invalid UTF-8, nesting deeper than
// kMaxNesting) with a diagnostic instead of crashing.
#include "diag/diagnostic.h"
#include "syntax/ast.h"

namespace regpol {

constexpr int kMaxNesting = 128;

// Returns the AST; it is complete only when no error was added to `sink`.
ast::File parse_policy(const SourceMap& sources, FileId file, DiagnosticSink& sink);

}  // namespace regpol
