#pragma once
// The unguarded-read lint (W1011): a `where` that reads a field some images do not have
// (findings of an unscanned image, the pull time of an image never pulled, the version of an
// image without a version tag) stops `plan` with E0601 on the first such image. Lint proves
// statically which reads are guarded: `scanned and findings.critical > 0`,
// `not pulled or last_pulled_at < …`, `has_semver and semver.major >= 2`.
#include "diag/diagnostic.h"
#include "sema/value.h"
#include "syntax/ast.h"

namespace regpol {

// Reports W1011 for each read in `where` that no guard covers.
void check_guarded_reads(const ast::Expr& where, const sema::Env& env, DiagnosticSink& sink);

}  // namespace regpol
