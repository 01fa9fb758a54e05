#pragma once
// `regpol diff`'s three outputs of one comparison: text (for a terminal), JSON (schema
// regpol.diff/v1, docs/diff.schema.json) and markdown (a pull-request comment, kept under
// the comment size limit).
#include <string>

#include "diff/compare.h"
#include "snapshot/model.h"

namespace regpol {

std::string render_diff_text(const Registry& registry, const PolicyDiff& diff);
std::string render_diff_json(const Registry& registry, const PolicyDiff& diff);
std::string render_diff_markdown(const Registry& registry, const PolicyDiff& diff);

}  // namespace regpol
