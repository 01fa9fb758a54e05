#include "report/plan_report.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <map>
#include <tuple>
#include <unordered_map>
#include <ostream>
#include <sstream>
#include <stdexcept>
#include <string_view>

#include "util/json_writer.h"
#include "report/plan_html.h"
#include "report/plan_summary.h"
#include "report/pricing.h"
#include "util/text.h"
#include "util/parallel.h"

namespace regpol {


std::string removal_text(const Registry& registry, const TagRemoval* removal) {
  if (!removal) return "";
  std::string s = " (removes ";
  for (std::size_t i = 0; i < removal->tags.size(); ++i) s += (i ? ", " : "") + std::string(registry.str(removal->tags[i]));
  return s + (removal->all ? "; then untagged)" : ")");
}

namespace {

using namespace std::string_view_literals;

// The warnings about the snapshot's image graph, as the text and markdown reports both say
// them (each wraps them in its own way): indexes whose children the snapshot does not know,
// and places among count rules' newest N that artifacts took.
std::vector<std::string> graph_warnings(const ReportTotals& t) {
  std::vector<std::string> out;
  if (t.children_unknown > 0)
    out.push_back(plural(t.children_unknown, "index image") +
                  " whose children the snapshot does not know (not read: pulled with --no-index-manifests, archived, or the registry"
                  " would not hand out the manifest): their children look like untagged images here");
  if (t.counted_artifacts > 0)
    out.push_back("count rules gave " + plural(t.counted_artifacts, "place") +
                  " among their newest to artifacts (signatures, SBOMs): each is an image the rule meant to keep that goes instead; add"
                  " `where not is_artifact` to count images only (regpol keeps an artifact while its subject stays)");
  return out;
}

// --changes-only lists the images that expire or transition; otherwise every image.
bool listed(const ImageDecision& d, const ReportOptions& opt) { return !opt.changes_only || d.verdict != Verdict::Keep; }

const char* verdict_name(Verdict v) {
  switch (v) {
    case Verdict::Keep: return "keep";
    case Verdict::Expire: return "expire";
    case Verdict::Transition: return "transition";
    case Verdict::Untag: return "untag";
  }
  return "keep";
}

// The outcome a person reads: `protected` for an image a protect clause saved.
// A `protect in_use` clause kept the image from a rule.
bool kept_by_in_use_clause(const LifecyclePlan* plan, const ImageDecision& d) {
  return plan && d.reason == Reason::Protected && d.protect >= 0 && plan->protects[static_cast<std::size_t>(d.protect)].in_use;
}

// The workloads that use image `idx`, when `protect in_use` is what kept it; else nullptr.
const std::vector<std::string>* in_use_users_of(const ReportOptions& opt, const LifecyclePlan* plan, const ImageDecision& d, std::uint32_t idx) {
  if (!opt.in_use_users || !kept_by_in_use_clause(plan, d)) return nullptr;
  auto it = opt.in_use_users->find(idx);
  return it == opt.in_use_users->end() || it->second.empty() ? nullptr : &it->second;
}

// " (used by A; B; and 3 more)": the first three users, for one line of the text report.
std::string used_by_text(const std::vector<std::string>& users) {
  std::string out = " (used by ";
  const std::size_t shown = std::min<std::size_t>(users.size(), 3);
  for (std::size_t k = 0; k < shown; ++k) out += (k ? "; " : "") + users[k];
  if (users.size() > shown) out += "; and " + std::to_string(users.size() - shown) + " more";
  return out + ")";
}

std::string in_use_sources_json(const ReportOptions& opt) {
  std::string out;
  JsonWriter w(out);
  w.array();
  for (const auto& source : opt.in_use_sources) {
    w.object().member("file", source.file).key("readAt");
    if (source.read_at == kNoTime) w.null();
    else w.string(format_timestamp(source.read_at));
    w.member("references", source.references).member("images", source.images).member("protected", source.protected_images).end();
  }
  w.end();
  return out;
}

const char* outcome_name(const ImageDecision& d) { return d.reason == Reason::Protected ? "protected" : verdict_name(d.verdict); }

// "3 keep (1 protected)", "3 keep (1 protected, 2 lose tags)".
std::string keep_text(std::size_t keep, std::size_t protected_images, std::size_t untag) {
  return std::to_string(keep) + " keep (" + std::to_string(protected_images) + " protected" +
         (untag ? ", " + std::to_string(untag) + " lose tags" : std::string()) + ")";
}

std::string tags_text(const Registry& reg, const Image& img) {
  std::string s;
  for (std::uint32_t t = 0; t < img.tag_count; ++t) {
    if (t) s += ",";
    s += reg.str(reg.tags_of(img)[t]);
  }
  return s.empty() ? "<untagged>" : s;
}

std::string short_digest(std::string_view d) {
  auto colon = d.find(':');
  std::size_t start = colon == std::string_view::npos ? 0 : colon + 1;
  return std::string(d.substr(0, std::min(d.size(), start + 12)));
}

// The "rule" member of an image, rendered once per rule and protect clause of each plan
// (the same few strings repeat for a million images).
class RuleJson {
 public:
  explicit RuleJson(const std::vector<const LifecyclePlan*>& plans) {
    for (const auto* plan : plans) {
      if (!plan || rules_.count(plan)) continue;
      auto& r = rules_[plan];
      for (const auto& rule : plan->rules) {
        std::string out = "{\"priority\": " + std::to_string(rule.priority) + ", \"description\": ";
        append_json_string(out, rule.description);
        out += ", \"source\": ";
        append_json_string(out, rule.source);
        r.push_back(out + "}");
      }
      auto& p = protects_[plan];
      for (const auto& protect : plan->protects) {
        std::string out = "{\"protect\": ";
        append_json_string(out, protect.label);
        out += ", \"source\": ";
        append_json_string(out, protect.source);
        p.push_back(out + "}");
      }
    }
  }
  void append(std::string& out, const LifecyclePlan* plan, const ImageDecision& d) const {
    if (plan && d.reason == Reason::Protected) out += protects_.at(plan)[static_cast<std::size_t>(d.protect)];
    else if (plan && d.verdict != Verdict::Keep && d.rule >= 0) out += rules_.at(plan)[static_cast<std::size_t>(d.rule)];
    else out += "null";
  }

 private:
  std::map<const LifecyclePlan*, std::vector<std::string>> rules_, protects_;
};

// Consecutive repositories grouped into pieces of about kPieceImages images: the report is
// rendered piece by piece on every core (ordered_parallel) and written in order, so it is
// never held in memory whole and never depends on the thread count. Pieces are small and
// their buffers reserved for the piece's images (about 500 bytes an image): a growing string
// that doubles past a few MB is copied and faulted in page by page again and again, and on
// virtual machines those page faults cost more than rendering the text.
constexpr std::size_t kPieceImages = 1024;
constexpr std::size_t kReserveBytesPerImage = 512;

struct Piece {
  std::size_t begin = 0, end = 0;  // [begin, end) into res.repositories
  std::size_t images = 0;          // the images of those repositories
};

std::vector<Piece> pieces(const Registry& reg, const LifecycleResult& res) {
  std::vector<Piece> out;
  Piece piece;
  for (std::size_t i = 0; i < res.repositories.size(); ++i) {
    piece.images += reg.repositories[res.repositories[i]].images.size();
    piece.end = i + 1;
    if (piece.images >= kPieceImages) {
      out.push_back(piece);
      piece = Piece{i + 1, i + 1, 0};
    }
  }
  if (piece.begin < piece.end) out.push_back(piece);
  return out;
}

// `PieceState` is per piece (one thread's scratch space, e.g. a cache); render_repo(text, r,
// state) appends repository r.
struct NoState {};

template <typename PieceState = NoState, typename RenderRepo>
void render_pieces(const Registry& reg, const LifecycleResult& res, const ReportOptions& opt, std::string& out, std::ostream& sink,
                   RenderRepo&& render_repo) {
  auto parts = pieces(reg, res);
  sink << out;
  out.clear();
  ordered_parallel<std::string>(
      parts.size(), opt.threads, 2 * resolve_threads(opt.threads),
      [&](std::size_t p, std::string& text) {
        text.clear();
        text.reserve(parts[p].images * kReserveBytesPerImage);
        PieceState state;
        for (std::size_t i = parts[p].begin; i < parts[p].end; ++i) render_repo(text, res.repositories[i], state);
      },
      [&](std::size_t, std::string& text) { sink << text; });
}

// The "reason" member, escaped: most reasons name only the rule (or protect clause) and
// repeat for thousands of images, so they are rendered once per piece; the ones that carry
// an image's own times or parent are rendered each time.
class ReasonJson {
 public:
  void append(std::string& out, const Registry& reg, const LifecyclePlan* plan, const ImageDecision& d, Micros now) {
    if (!plan) {
      out += "\"no lifecycle policy applies\"";
      return;
    }
    if (d.reason == Reason::OlderThan || d.reason == Reason::NotOldEnough) {
      // The rule's halves, escaped once; the age between them needs no escaping (age_text).
      Key key{plan, d.reason, d.rule, -1};
      auto it = age_cache_.find(key);
      if (it == age_cache_.end()) {
        AgeReasonParts parts;
        age_reason_parts(*plan, d, parts);
        std::string prefix, suffix;
        append_json_string(prefix, parts.prefix);
        prefix.pop_back();  // the closing quote: the age and the suffix follow
        append_json_string(suffix, parts.suffix);
        suffix.erase(0, 1);  // the opening quote
        it = age_cache_.emplace(key, std::make_pair(std::move(prefix), std::move(suffix))).first;
      }
      out += it->second.first;
      append_age_text(out, now, d.reference_time);
      out += it->second.second;
      return;
    }
    if (reason_names_another_image(d.reason)) {
      append_json_string(out, describe_decision(reg, *plan, d, now));
      return;
    }
    Key key{plan, d.reason, d.rule, d.protect};
    auto it = cache_.find(key);
    if (it == cache_.end()) {
      std::string text;
      append_json_string(text, describe_decision(reg, *plan, d, now));
      it = cache_.emplace(key, std::move(text)).first;
    }
    out += it->second;
  }

 private:
  using Key = std::tuple<const LifecyclePlan*, Reason, std::int32_t, std::int32_t>;
  std::map<Key, std::string> cache_;
  std::map<Key, std::pair<std::string, std::string>> age_cache_;
};

void render_json(const Registry& reg, const LifecycleResult& res, const std::vector<const LifecyclePlan*>& plans,
                 const ReportOptions& opt, std::ostream& sink) {
  ReportTotals t = compute_totals(reg, res, opt);
  std::string out;
  out += "{\n  \"schema\": \"regpol.plan/v1\",\n  \"now\": \"" + format_timestamp(opt.now) + "\",\n";
  out += "  \"summary\": {\"repositories\": " + std::to_string(t.repositories) + ", \"images\": " + std::to_string(t.images) +
         ", \"keep\": " + std::to_string(t.keep) + ", \"expire\": " + std::to_string(t.expire) +
         ", \"transition\": " + std::to_string(t.transition) + ", \"protected\": " + std::to_string(t.protected_images) +
         ", \"bytesReclaimed\": " + to_decimal(t.bytes_reclaimed) +
         ", \"bytesTransitioned\": " + to_decimal(t.bytes_transitioned) +
         ", \"monthlySavingsUsd\": " + dollars_json(opt, t.monthly_savings_usd) +
         (t.blobs_known ? ", \"bytesFreed\": " + to_decimal(t.bytes_freed) : std::string()) +
         (t.undated ? ", \"undatedImages\": " + std::to_string(t.undated) : std::string()) +
         (t.children_unknown ? ", \"indexesWithUnknownChildren\": " + std::to_string(t.children_unknown) : std::string()) +
         (t.counted_artifacts ? ", \"artifactsCounted\": " + std::to_string(t.counted_artifacts) : std::string()) +
         (t.untag ? ", \"untag\": " + std::to_string(t.untag) + ", \"tagsRemoved\": " + std::to_string(t.tags_removed) : std::string()) +
         (opt.in_use_unmatched >= 0 ? ", \"inUseUnmatched\": " + std::to_string(opt.in_use_unmatched) +
                                          ", \"inUseOtherRegistries\": " + std::to_string(opt.in_use_elsewhere) +
                                          ", \"inUseSources\": " + in_use_sources_json(opt)
                                    : std::string()) +
         "},\n" + (opt.changes_only ? "  \"changesOnly\": true,\n" : "") +
         (opt.settings_json.empty() ? std::string() : "  \"settingsDrift\": " + opt.settings_json + ",\n") + "  \"images\": [";
  // Every listed image but the very first is preceded by a comma.
  const std::uint32_t first_image = [&] {
    for (auto r : res.repositories)
      for (auto idx : reg.repositories[r].images)
        if (listed(res.decisions[idx], opt)) return idx;
    return UINT32_MAX;
  }();
  const RuleJson rule_json(plans);
  render_pieces<ReasonJson>(reg, res, opt, out, sink, [&](std::string& text, std::uint32_t r, ReasonJson& reasons) {
    const auto& repo = reg.repositories[r];
    std::string opening = "{\"repository\": ";
    append_json_string(opening, reg.str(repo.name));
    opening += ", \"digest\": ";
    for (auto idx : repo.images) {
      const Image& img = reg.images[idx];
      const ImageDecision& d = res.decisions[idx];
      if (!listed(d, opt)) continue;
      text += idx == first_image ? "\n    "sv : ",\n    "sv;
      text += opening;
      append_json_string(text, reg.str(img.digest));
      text += ", \"tags\": ["sv;
      for (std::uint32_t k = 0; k < img.tag_count; ++k) {
        if (k) text += ", "sv;
        append_json_string(text, reg.str(reg.tags_of(img)[k]));
      }
      if (img.pushed_at == kNoTime) {
        text += "], \"pushedAt\": null, \"sizeBytes\": "sv;
      } else {
        text += "], \"pushedAt\": \""sv;
        append_timestamp(text, img.pushed_at);
        text += "\", \"sizeBytes\": "sv;
      }
      if (img.size_bytes >= 0) append_json_integer(text, img.size_bytes);
      else text += "null"sv;
      if (img.time_source == TimeSource::ConfigCreated) text += ", \"pushedAtSource\": \"config-created\""sv;
      else if (img.time_source == TimeSource::FirstSeen) text += ", \"pushedAtSource\": \"first-seen\""sv;
      else if (img.time_source == TimeSource::Unknown) text += ", \"pushedAtSource\": \"unknown\""sv;
      text += ", \"storageClass\": "sv;
      text += img.storage_class() == StorageClass::Archive ? "\"archive\""sv : "\"standard\""sv;
      text += ", \"action\": \""sv;
      text += verdict_name(d.verdict);
      if (d.verdict == Verdict::Untag) {
        const TagRemoval* removal = removal_of(res, idx);
        text += "\", \"untagTags\": ["sv;
        for (std::size_t k = 0; removal && k < removal->tags.size(); ++k) {
          if (k) text += ", "sv;
          append_json_string(text, reg.str(removal->tags[k]));
        }
        text += removal && removal->all ? "], \"becomesUntagged\": true"sv : "], \"becomesUntagged\": false"sv;
        text += ", \"protected\": false, \"rule\": "sv;
      } else {
        text += d.reason == Reason::Protected ? "\", \"protected\": true, \"rule\": "sv : "\", \"protected\": false, \"rule\": "sv;
      }
      rule_json.append(text, plans[r], d);
      text += ", \"reason\": "sv;
      reasons.append(text, reg, plans[r], d, opt.now);
      if (const auto* users = in_use_users_of(opt, plans[r], d, idx)) {
        text += ", \"inUseBy\": ["sv;
        for (std::size_t k = 0; k < users->size(); ++k) {
          if (k) text += ", "sv;
          append_json_string(text, (*users)[k]);
        }
        text += "]"sv;
      }
      text += "}"sv;
    }
  });
  out += first_image == UINT32_MAX ? "]\n}\n" : "\n  ]\n}\n";
  sink << out;
}

std::string pad(std::string s, std::size_t w) {
  if (s.size() < w) s.append(w - s.size(), ' ');
  return s;
}

void render_text(const Registry& reg, const LifecycleResult& res, const std::vector<const LifecyclePlan*>& plans,
                 const ReportOptions& opt, std::ostream& sink) {
  ReportTotals t = compute_totals(reg, res, opt);
  const std::string totals = "total: " + plural(t.repositories, "repository", "repositories") + ", " + plural(t.images, "image") + ": " +
                             std::to_string(t.expire) + " expire, " + std::to_string(t.transition) + " transition, " +
                             keep_text(t.keep, t.protected_images, t.untag) + "\n";
  // The totals come first too: on a large registry the end of the report is far away.
  std::string out = "regpol plan at " + format_timestamp(opt.now) + "\n" + totals + opt.settings_text;
  render_pieces(reg, res, opt, out, sink, [&](std::string& text, std::uint32_t r, NoState&) {
    const auto& repo = reg.repositories[r];
    std::size_t e = 0, tr = 0, k = 0, p = 0, u = 0;
    for (auto idx : repo.images) {
      const ImageDecision& d = res.decisions[idx];
      (d.verdict == Verdict::Expire ? e : d.verdict == Verdict::Transition ? tr : k)++;
      p += d.reason == Reason::Protected;
      u += d.verdict == Verdict::Untag;
    }
    if (opt.changes_only && e + tr + u == 0) return;
    text += "\n" + std::string(reg.str(repo.name)) + ": " + plural(repo.images.size(), "image") + ", " + std::to_string(e) + " expire, " +
            std::to_string(tr) + " transition, " + keep_text(k, p, u) + "\n";
    for (auto idx : repo.images) {
      const Image& img = reg.images[idx];
      const ImageDecision& d = res.decisions[idx];
      if (!listed(d, opt)) continue;
      std::string why = plans[r] ? describe_decision(reg, *plans[r], d, opt.now) : "no lifecycle policy applies";
      if (d.verdict == Verdict::Untag) why += removal_text(reg, removal_of(res, idx));
      if (const auto* users = in_use_users_of(opt, plans[r], d, idx)) why += used_by_text(*users);
      std::string size = img.size_bytes >= 0 ? human_bytes(static_cast<ByteTotal>(img.size_bytes)) : "?";
      std::string pushed = img.pushed_at == kNoTime ? "undated   " : format_timestamp(img.pushed_at).substr(0, 10);
      const char* storage = img.storage_class() == StorageClass::Archive ? "archive " : "standard";
      const char* col = !opt.color ? "" : d.verdict == Verdict::Expire ? "\x1b[31m" : d.verdict == Verdict::Keep ? "\x1b[32m" : "\x1b[33m";
      text += "  " + std::string(col) + pad(outcome_name(d), 10) + (opt.color ? "\x1b[0m" : "") + " " +
              pad(short_digest(reg.str(img.digest)), 20) + " " + pad(tags_text(reg, img), 24) + " " + pushed + " " + storage + " " +
              pad(size, 10) + " " + why + "\n";
    }
  });
  out += "\n" + totals;
  out += "reclaimed: " + human_bytes(t.bytes_reclaimed) + " expired, " + human_bytes(t.bytes_transitioned) +
         " moved to archive; " + (opt.unpriced ? std::string("no price, so no saving in dollars (see prices below)") : "saving $" + format_usd(t.monthly_savings_usd) + " a month") + "\n";
  if (t.blobs_known)
    out += "freed in storage: " + human_bytes(t.bytes_freed) + " (blobs no kept image references, shared layers counted once; " +
           human_bytes(t.bytes_reclaimed) + " summed image sizes)\n";
  for (const auto& note : opt.pricing_notes) out += "  " + note + "\n";
  if (t.undated > 0)
    out += "warning: " + plural(t.undated, "image") + " without a usable push time (none recorded, or a placeholder before 2000):" +
           " never an age candidate, and newest for count rules\n";
  for (const auto& w : graph_warnings(t)) out += "warning: " + w + "\n";
  if (opt.in_use_unmatched > 0)
    out += "in use: " + plural(static_cast<std::size_t>(opt.in_use_unmatched), "reference") +
           " matched no image of the snapshot (warnings on stderr); nothing they name is protected\n";
  for (const auto& source : opt.in_use_sources) out += "in use: " + in_use_source_text(source, true) + "\n";
  if (opt.in_use_elsewhere > 0)
    out += "in use: " + plural(static_cast<std::size_t>(opt.in_use_elsewhere), "reference") +
           " name other registries than the snapshot's; they protect nothing here\n";
  sink << out;
}

// Markdown: the images `protect in_use` kept from a rule, each with the rule it escaped and
// its users, in a fold, while they fit in the comment's budget.
void render_in_use_kept_markdown(const Registry& reg, const LifecycleResult& res, const std::vector<const LifecyclePlan*>& plans,
                                 const ReportOptions& opt, std::string& out) {
  std::vector<std::uint32_t> kept;
  for (auto r : res.repositories)
    for (auto idx : reg.repositories[r].images)
      if (kept_by_in_use_clause(plans[r], res.decisions[idx])) kept.push_back(idx);
  if (kept.empty()) return;
  out += "\n<details><summary>" + plural(kept.size(), "image") + " kept because in use</summary>\n\n" +
         "| repository | digest | tags | why | used by |\n|---|---|---|---|---|\n";
  std::size_t shown = 0;
  for (auto idx : kept) {
    const Image& img = reg.images[idx];
    std::string users;
    if (const auto* list = in_use_users_of(opt, plans[img.repo], res.decisions[idx], idx))
      for (const auto& u : *list) users += (users.empty() ? "" : "; ") + u;
    std::string row = "| " + std::string(reg.repo_name(img)) + " | `" + short_digest(reg.str(img.digest)) + "` | " + markdown_cell(tags_text(reg, img)) +
                      " | " + markdown_cell(describe_decision(reg, *plans[img.repo], res.decisions[idx], opt.now)) + " | " + markdown_cell(users) +
                      " |\n";
    if (out.size() + row.size() + 300 > opt.markdown_budget) break;
    out += row;
    ++shown;
  }
  if (shown < kept.size())
    out += "\n…and " + plural(kept.size() - shown, "more image") + " (`regpol plan --format json` lists each with `inUseBy`).\n";
  out += "\n</details>\n";
}

// Markdown, for a pull-request comment (at most 65,536 characters): the totals, the
// repositories with changes, then the largest changes while they fit in the budget, then
// how many more there are and how to list them.
void render_markdown(const Registry& reg, const LifecycleResult& res, const std::vector<const LifecyclePlan*>& plans,
                     const ReportOptions& opt, std::ostream& sink) {
  ReportTotals t = compute_totals(reg, res, opt);
  std::string out = "### regpol plan at " + format_timestamp(opt.now) + "\n\n";
  out += "| repositories | images | expire | transition | keep | protected | reclaimed | saving / month |\n";
  out += "|---:|---:|---:|---:|---:|---:|---:|---:|\n";
  out += "| " + std::to_string(t.repositories) + " | " + std::to_string(t.images) + " | " + std::to_string(t.expire) + " | " +
         std::to_string(t.transition) + " | " + std::to_string(t.keep) + " | " + std::to_string(t.protected_images) + " | " +
         human_bytes(t.bytes_reclaimed) + " | " + dollars_text(opt, t.monthly_savings_usd) + " |\n";
  out += opt.settings_markdown;
  if (t.blobs_known)
    out += "\nFreed in storage: **" + human_bytes(t.bytes_freed) + "** (blobs no kept image references, shared layers counted once).\n";
  if (t.undated > 0)
    out += "\n> **Warning:** " + plural(t.undated, "image") + " without a usable push time: never age candidates, newest for count rules.\n";
  for (const auto& w : graph_warnings(t)) out += "\n> **Warning:** " + w + ".\n";
  const std::size_t budget = opt.markdown_budget;
  auto repos = summarize_repositories(reg, res, plans, opt);
  std::stable_sort(repos.begin(), repos.end(), [](const RepositorySummary& a, const RepositorySummary& b) {
    return a.bytes_reclaimed + a.bytes_transitioned > b.bytes_reclaimed + b.bytes_transitioned;
  });
  std::size_t unchanged = 0, repos_left = 0;
  std::string table = "\n#### Repositories with changes\n\n| repository | expire | transition | keep | protected | reclaimed | saving / month |\n"
                      "|---|---:|---:|---:|---:|---:|---:|\n";
  bool any_repo = false;
  for (const auto& r : repos) {
    if (r.expire + r.transition == 0) {
      ++unchanged;
      continue;
    }
    std::string name(reg.str(reg.repositories[r.repository].name));
    std::string row = "| " + name + " | " + std::to_string(r.expire) + " | " + std::to_string(r.transition) + " | " +
                      std::to_string(r.keep) + " | " + std::to_string(r.protected_images) + " | " + human_bytes(r.bytes_reclaimed) +
                      " | " + dollars_text(opt, r.monthly_savings_usd) + " |\n";
    if (out.size() + table.size() + row.size() > budget / 2) {
      ++repos_left;
      continue;
    }
    table += row;
    any_repo = true;
  }
  if (any_repo) out += table;
  if (repos_left) out += "\n…and " + plural(repos_left, "more repository", "more repositories") + " with changes (`regpol plan --summary` lists them all).\n";
  if (unchanged) out += "\n" + plural(unchanged, "repository", "repositories") + " without changes.\n";
  // Every change, largest first (ties: repository, then digest, for a stable order).
  std::vector<std::uint32_t> changes;
  for (auto r : res.repositories)
    for (auto idx : reg.repositories[r].images)
      if (res.decisions[idx].verdict != Verdict::Keep) changes.push_back(idx);
  std::sort(changes.begin(), changes.end(), [&](std::uint32_t a, std::uint32_t b) {
    const Image& x = reg.images[a];
    const Image& y = reg.images[b];
    if (x.size_bytes != y.size_bytes) return x.size_bytes > y.size_bytes;
    if (x.repo != y.repo) return reg.repo_name(x) < reg.repo_name(y);
    return reg.str(x.digest) < reg.str(y.digest);
  });
  if (!changes.empty()) {
    out += "\n#### Largest changes\n\n| action | repository | digest | tags | pushed | storage | size | why |\n|---|---|---|---|---|---|---|---|\n";
  }
  std::size_t shown = 0;
  ByteTotal hidden_bytes = 0;
  bool full = false;  // once a row does not fit, the rest are counted, not shown
  for (auto idx : changes) {
    const Image& img = reg.images[idx];
    const ImageDecision& d = res.decisions[idx];
    std::string tags = markdown_cell(tags_text(reg, img));
    std::string why = plans[img.repo] ? describe_decision(reg, *plans[img.repo], d, opt.now) : "";
    if (d.verdict == Verdict::Untag) why += removal_text(reg, removal_of(res, idx));
    why = markdown_cell(why);
    std::string row = "| " + std::string(outcome_name(d)) + " | " + std::string(reg.repo_name(img)) + " | `" + short_digest(reg.str(img.digest)) +
                      "` | " + tags + " | " + (img.pushed_at == kNoTime ? std::string("undated") : format_timestamp(img.pushed_at).substr(0, 10)) + " | " +
                      (img.storage_class() == StorageClass::Archive ? "archive" : "standard") + " | " +
                      (img.size_bytes >= 0 ? human_bytes(static_cast<ByteTotal>(img.size_bytes)) : "?") + " | " + why + " |\n";
    full = full || out.size() + row.size() + 400 > budget;
    if (!full) {
      out += row;
      ++shown;
    } else {
      hidden_bytes += static_cast<ByteTotal>(std::max<std::int64_t>(0, img.size_bytes));
    }
  }
  if (shown < changes.size()) {
    out += "\n…and " + plural(changes.size() - shown, "more change") + " (" + human_bytes(hidden_bytes) +
           ") not shown; run `regpol plan` with the same options and `--format text --changes-only` to list every change.\n";
  }
  if (!opt.pricing_notes.empty()) {
    out += "\n";
    for (const auto& note : opt.pricing_notes) out += "- " + note + "\n";
  }
  if (opt.in_use_unmatched > 0)
    out += "\n**in use:** " + plural(static_cast<std::size_t>(opt.in_use_unmatched), "reference") + " matched no image of the snapshot; nothing they name is protected.\n";
  if (!opt.in_use_sources.empty()) {
    out += "\n";
    for (const auto& source : opt.in_use_sources) out += "- **in use:** " + in_use_source_text(source, true) + "\n";
  }
  if (opt.in_use_elsewhere > 0)
    out += "- **in use:** " + plural(static_cast<std::size_t>(opt.in_use_elsewhere), "reference") +
           " name other registries than the snapshot's; they protect nothing here\n";
  render_in_use_kept_markdown(reg, res, plans, opt, out);
  sink << out;
}

}  // namespace

// Text for a markdown table cell: a `|` would end the cell, and `<untagged>` would be read
// as an HTML tag and vanish.
std::string markdown_cell(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '|') out += '/';
    else if (c == '<') out += "&lt;";
    else out += c;
  }
  return out;
}

std::string in_use_source_text(const InUseSourceRecord& source, bool of_this_snapshot) {
  return source.file + " (read " + (source.read_at == kNoTime ? std::string("at an unknown time") : format_timestamp(source.read_at)) +
         "): " + plural(static_cast<std::size_t>(source.references), "reference") + ", naming " +
         plural(static_cast<std::size_t>(source.images), "image") + (of_this_snapshot ? " of this snapshot, " : ", ") +
         std::to_string(source.protected_images) + " of them kept from a rule by `protect in_use`";
}

std::string dollars_text(const ReportOptions& options, double usd) { return options.unpriced ? "no price" : "$" + format_usd(usd); }

std::string dollars_json(const ReportOptions& options, double usd) { return options.unpriced ? "null" : format_usd(usd); }

std::string human_bytes(ByteTotal bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"};
  auto v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1024 && u < 8) {
    v /= 1024;
    ++u;
  }
  char buf[32];
  if (u == 0) std::snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(bytes));
  else std::snprintf(buf, sizeof buf, "%.1f %s", v, units[u]);
  return buf;
}

ReportTotals compute_totals(const Registry& reg, const LifecycleResult& res, const ReportOptions& opt) {
  ReportTotals t;
  t.repositories = res.repositories.size();
  for (auto r : res.repositories) {
    for (auto idx : reg.repositories[r].images) {
      const Image& img = reg.images[idx];
      auto size = static_cast<ByteTotal>(std::max<std::int64_t>(0, img.size_bytes));
      ++t.images;
      t.protected_images += res.decisions[idx].reason == Reason::Protected;
      switch (res.decisions[idx].verdict) {
        case Verdict::Keep: ++t.keep; break;
        case Verdict::Untag: ++t.keep; ++t.untag; break;
        case Verdict::Expire: ++t.expire; t.bytes_reclaimed += size; break;
        case Verdict::Transition: ++t.transition; t.bytes_transitioned += size; break;
      }
    }
  }
  // Expired images stop costing standard storage (or archive storage, if they were archived);
  // transitioned ones move from the standard price to the archive price.
  double saving = 0;
  for (auto r : res.repositories) {
    for (auto idx : reg.repositories[r].images) saving += image_saving_usd(reg.images[idx], res.decisions[idx].verdict, opt);
  }
  t.monthly_savings_usd = std::round(saving * 100) / 100;
  t.blobs_known = reg.has_blobs();
  if (t.blobs_known) t.bytes_freed = freed_blob_bytes(reg, res);
  for (auto r : res.repositories) {
    for (auto idx : reg.repositories[r].images) t.undated += reg.images[idx].time_source == TimeSource::Unknown;
  }
  t.counted_artifacts = res.counted_artifacts;
  for (const auto& r : res.removals) t.tags_removed += r.tags.size();
  if (!reg.children_unknown.empty()) {
    std::vector<bool> evaluated(reg.repositories.size(), false);
    for (auto r : res.repositories) evaluated[r] = true;
    for (auto idx : reg.children_unknown) t.children_unknown += evaluated[reg.images[idx].repo] ? 1 : 0;
  }
  return t;
}

ByteTotal freed_blob_bytes(const Registry& reg, const LifecycleResult& res) {
  // Per blob: 1 = an expired image references it, 2 = a surviving one does. Images of
  // repositories no plan evaluated survive (their decisions are the default, keep).
  std::unordered_map<StrId, std::pair<std::uint8_t, std::int64_t>> state;
  for (std::uint32_t i = 0; i < reg.images.size(); ++i) {
    const bool expires = res.decisions[i].verdict == Verdict::Expire;
    auto [b, e] = reg.blobs_of(i);
    for (; b != e; ++b) {
      auto& s = state[b->digest];
      s.first |= expires ? 1 : 2;
      s.second = b->size;
    }
  }
  ByteTotal freed = 0;
  for (const auto& [digest, s] : state) {
    if (s.first == 1) freed += static_cast<ByteTotal>(s.second);
  }
  return freed;
}

void write_plan_report(const Registry& registry, const LifecycleResult& result, const std::vector<const LifecyclePlan*>& plan_of_repo,
                       ReportFormat format, const ReportOptions& options, std::ostream& sink) {
  switch (format) {
    case ReportFormat::Json: render_json(registry, result, plan_of_repo, options, sink); break;
    case ReportFormat::Markdown: render_markdown(registry, result, plan_of_repo, options, sink); break;
    case ReportFormat::Text: render_text(registry, result, plan_of_repo, options, sink); break;
    case ReportFormat::Html: {
      std::string error;
      // Only zlib running out of memory fails here, as an allocation would.
      if (!write_plan_html(registry, result, plan_of_repo, options, sink, error)) throw std::runtime_error(error);
      break;
    }
  }
}

std::string render_plan_report(const Registry& registry, const LifecycleResult& result,
                               const std::vector<const LifecyclePlan*>& plan_of_repo, ReportFormat format,
                               const ReportOptions& options) {
  std::ostringstream out;
  write_plan_report(registry, result, plan_of_repo, format, options, out);
  return out.str();
}

std::size_t kept_by_in_use(const Registry& registry, const LifecycleResult& result, const std::vector<const LifecyclePlan*>& plan_of_repo,
                           const std::vector<std::uint32_t>& images) {
  std::size_t n = 0;
  for (std::uint32_t idx : images) {
    const ImageDecision& d = result.decisions[idx];
    const LifecyclePlan* plan = plan_of_repo[registry.images[idx].repo];
    n += kept_by_in_use_clause(plan, d);
  }
  return n;
}

}  // namespace regpol
