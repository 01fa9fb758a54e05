#pragma once
// Inline suppressions: `# regpol: allow W2001 because the bucket is public by design`
// drops a warning with that code reported on the comment's own line (a trailing comment)
// or on the next line that is not blank or a comment. A suppression must give a reason
// (`because …`): without one it suppresses nothing (W2302). One that suppresses nothing is
// reported (W2301), so it cannot silently hide a future finding. Errors are never suppressed.
#include <vector>

#include "diag/diagnostic.h"
#include "source/source_file.h"

namespace regpol {

std::vector<Diagnostic> apply_suppressions(const SourceMap& sources, std::vector<Diagnostic> diagnostics);

}  // namespace regpol
