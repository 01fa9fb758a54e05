#pragma once
// `regpol diff`'s four outputs of one comparison: text (for a terminal), JSON (schema
// regpol.diff/v1, docs/diff.schema.json), markdown (a pull-request comment, kept under
// the comment size limit) and html (a page to open in a browser).
#include <string>

#include "diff/compare.h"
#include "snapshot/model.h"

namespace regpol {

std::string render_diff_text(const Registry& registry, const PolicyDiff& diff);
std::string render_diff_json(const Registry& registry, const PolicyDiff& diff);
std::string render_diff_markdown(const Registry& registry, const PolicyDiff& diff);
// One self-contained page (report/html_page.h): the summary, old verdicts against new, the
// changes by repository as a chart, settings and access changes, and a table of every
// changed image with both reasons. False with `error` when the page cannot be built.
bool render_diff_html(const Registry& registry, const PolicyDiff& diff, std::string& out, std::string& error);

}  // namespace regpol
