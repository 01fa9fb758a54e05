#pragma once
// `regpol runs`: the runs of a state database (one line each) and one run in full (inputs,
// in-use sources, counts by repository, actions, audit log), as text or as JSON (schema
// regpol.runs/v1).
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "store/state_store.h"

namespace regpol {

// A run's counts as `regpol runs --format json` and apply's `--notify` both give them.
nlohmann::json run_counts_json(const RunRecord& run);

// The bytes a run deleted, as apply, `runs`, the metrics' text and --notify say them:
// "8.6 MiB", or with blobs in the run's snapshot (an OCI pull)
// "8.6 MiB summed sizes, 1.7 MiB freed in storage".
std::string run_deleted_bytes_text(const RunRecord& run);

void render_runs(const std::vector<RunRecord>& runs, bool json, std::ostream& out);

struct RunShow {
  RunRecord run;
  std::vector<StateStore::RepositoryCounts> by_repository;
  std::vector<ActionRecord> actions;  // those shown
  std::int64_t matching = 0;          // actions that match the filter, shown or not
  std::vector<AuditEntry> audit;      // the run's entries, and the shown actions'
  bool everything = true;             // nothing filtered out
  std::optional<ActionStatus> status_filter;
  std::string repository_glob;
};

void render_run_show(const RunShow& show, bool json, std::ostream& out);

}  // namespace regpol
