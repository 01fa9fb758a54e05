#pragma once
// `regpol runs --format html` and `regpol runs show ID --format html`: the journal of a state
// database as self-contained pages (report/html_page.h). The list charts what each run
// deleted over time (bytes and images) above a table of the runs; one run charts its
// repositories and lists its actions and audit log in tables. The numbers are those of
// `--format json` (schema regpol.runs/v1).
#include <string>
#include <vector>

#include "report/runs_report.h"

namespace regpol {

// `state` names the state file in the heading. False with `error` when the page cannot be built.
bool render_runs_html(const std::vector<RunRecord>& runs, const std::string& state, std::string& out, std::string& error);
bool render_run_show_html(const RunShow& show, const std::string& state, std::string& out, std::string& error);

}  // namespace regpol
