#pragma once
// Dry-run reports of lifecycle decisions: text (per repository, what goes and why),
// json (schema regpol.plan/v1, docs/interfaces.md), markdown (for a pull request) and html
// (report/plan_html.h: charts and a table, one self-contained file).
#include <ostream>
#include <string>
#include <unordered_map>
#include <vector>

#include "util/byte_total.h"
#include "lifecycle/evaluate.h"
#include "store/state_store.h"

namespace regpol {

enum class ReportFormat { Text, Json, Markdown, Html };

struct ReportOptions {
  Micros now = 0;
  double price_per_gb = 0.10;          // USD per GB-month, standard storage
  double archive_price_per_gb = 0.10;  // USD per GB-month a transitioned image will cost in archive
  double archive_expire_price_per_gb = 0.10;  // USD per GB-month an expired archived image stops costing
  // No price is known (a self-hosted registry, without --price-per-gb or --pricing): the
  // reports show no dollars (JSON: monthlySavingsUsd null) rather than ECR's.
  bool unpriced = false;
  // Said under the dollars (text and markdown): what the prices are and what they leave out
  // (archive minimum duration, restore charges, shared layers).
  std::vector<std::string> pricing_notes;
  bool color = false;
  unsigned threads = 0;                // for rendering; 0 = all cores (the output is the same)
  long in_use_unmatched = -1;          // --in-use references that named no image; -1: no --in-use
  long in_use_elsewhere = 0;           // --in-use references to other registries than the snapshot's
  // Each --in-use file: when it was read, how many references it holds, the images of the
  // snapshot they name, and of those how many `protect in_use` kept from a rule
  // (summary.inUseSources), as apply records them with a run.
  std::vector<InUseSourceRecord> in_use_sources;
  // Who uses each image (image index -> workloads), listed with the images `protect in_use`
  // kept (inUseBy); nullptr without --in-use.
  const std::unordered_map<std::uint32_t, std::vector<std::string>>* in_use_users = nullptr;
  bool summary_only = false;           // --summary: per-repository counts, bytes, dollars, top reasons
  bool changes_only = false;           // --changes-only: only images that expire or transition
  // Markdown is for a pull-request comment, which holds at most 65,536 characters: the
  // summary, then the largest changes while they fit, then how many more there are.
  std::size_t markdown_budget = 60000;
  // Settings drift (settings/drift_report.h renders it), shown as given: the text and
  // markdown sections and the JSON value of `settingsDrift`; all "" when the policy asks
  // for no setting.
  std::string settings_text, settings_markdown, settings_json;
};

struct ReportTotals {
  std::size_t repositories = 0, images = 0, keep = 0, expire = 0, transition = 0;
  ByteTotal bytes_reclaimed = 0;     // expired images
  ByteTotal bytes_transitioned = 0;  // images moved to archive
  std::size_t protected_images = 0;  // kept by a protect clause (a rule would have acted)
  double monthly_savings_usd = 0;
  // With blobs in the snapshot (OCI pulls): the bytes deleting the expired images frees
  // for real, each blob counted once and only when no surviving image references it.
  bool blobs_known = false;
  ByteTotal bytes_freed = 0;
  std::size_t undated = 0;  // images without a usable push time (never age candidates)
  // Index images whose children the snapshot does not know (`childrenUnknown`).
  std::size_t children_unknown = 0;
  std::size_t counted_artifacts = 0;  // LifecycleResult::counted_artifacts
  // Images that stay but lose tags to untag rules (counted in `keep` too, as protected
  // ones are), and the tags they lose.
  std::size_t untag = 0, tags_removed = 0;
};

// The bytes the expired images free in the registry's storage: blobs (manifests, configs,
// layers) referenced by an expired image and by no other image of the snapshot, each once.
ByteTotal freed_blob_bytes(const Registry& registry, const LifecycleResult& result);

// How many of `images` a `protect in_use` clause kept from a rule (plan's and diff's
// per-source counts).
std::size_t kept_by_in_use(const Registry& registry, const LifecycleResult& result, const std::vector<const LifecyclePlan*>& plan_of_repo,
                           const std::vector<std::uint32_t>& images);

// "$12.34", or "no price" when `options` know none; JSON: the number, or null.
std::string dollars_text(const ReportOptions& options, double usd);
std::string dollars_json(const ReportOptions& options, double usd);

// "FILE (read …): 12 references, naming 9 images[ of this snapshot], 3 of them kept from a
// rule by `protect in_use`": one --in-use source, as plan and `runs` say it.
std::string in_use_source_text(const InUseSourceRecord& source, bool of_this_snapshot);

// Text for a markdown table cell: `|` (which would end the cell) becomes `/`, `<` (which
// would start an HTML tag: `<untagged>` would vanish) `&lt;`.
std::string markdown_cell(std::string_view text);

ReportTotals compute_totals(const Registry& registry, const LifecycleResult& result, const ReportOptions& options);

// Streams the report to `sink` (memory stays bounded for millions of images).
// `plan_of_repo[r]` is the plan that decided repository r (nullptr if none).
void write_plan_report(const Registry& registry, const LifecycleResult& result, const std::vector<const LifecyclePlan*>& plan_of_repo,
                       ReportFormat format, const ReportOptions& options, std::ostream& sink);
std::string render_plan_report(const Registry& registry, const LifecycleResult& result,
                               const std::vector<const LifecyclePlan*>& plan_of_repo, ReportFormat format,
                               const ReportOptions& options);

std::string human_bytes(ByteTotal bytes);

// " (removes sha-1, sha-2; then untagged)": what an untag decision does, as the text,
// markdown and html reports append it to the reason ("" without a removal).
std::string removal_text(const Registry& registry, const TagRemoval* removal);

}  // namespace regpol
