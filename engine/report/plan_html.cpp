#include "report/plan_html.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <tuple>

#include "report/html_page.h"
#include "report/pricing.h"
#include "report/svg_chart.h"
#include "util/time.h"

namespace regpol {

namespace {

// An image's outcome, as the charts' series and the table's action column name it.
enum Outcome : std::uint8_t { kKept, kProtected, kExpired, kArchived, kUntagged, kOutcomes };
constexpr const char* kOutcomeKeys[kOutcomes] = {"keep", "protected", "expire", "transition", "untag"};
constexpr const char* kOutcomeWords[kOutcomes] = {"kept", "protected", "expired", "moved to archive", "kept, tags removed"};

Outcome outcome_of(const ImageDecision& d) {
  if (d.reason == Reason::Protected) return kProtected;
  switch (d.verdict) {
    case Verdict::Expire: return kExpired;
    case Verdict::Transition: return kArchived;
    case Verdict::Untag: return kUntagged;
    case Verdict::Keep: break;
  }
  return kKept;
}

ByteTotal size_of(const Image& img) { return static_cast<ByteTotal>(std::max<std::int64_t>(0, img.size_bytes)); }

std::vector<ChartSeries> outcome_series() {
  std::vector<ChartSeries> s;
  s.reserve(kOutcomes);
  for (int o = 0; o < kOutcomes; ++o) s.push_back({kOutcomeKeys[o], kOutcomeWords[o]});
  return s;
}

std::string duration_words(Micros d) {
  if (d % kMicrosPerDay == 0) return std::to_string(d / kMicrosPerDay) + "d";
  const Micros hour = 3600 * kMicrosPerSecond;
  if (d % hour == 0) return std::to_string(d / hour) + "h";
  return std::to_string(d / (60 * kMicrosPerSecond)) + "m";
}

// The rules and protect clauses of every distinct plan, numbered in report order: the
// table's and the charts' links point at their anchors.
struct RuleIndex {
  struct Entry {
    const LifecyclePlan* plan = nullptr;
    std::int32_t rule = -1, protect = -1;
    std::string label, source, anchor;
    std::vector<std::string> repositories;  // the first few repositories it governs
    std::size_t repository_count = 0;
  };
  std::vector<Entry> entries;
  std::map<std::tuple<const LifecyclePlan*, std::int32_t, std::int32_t>, std::size_t> by_key;

  RuleIndex(const Registry& reg, const LifecycleResult& res, const std::vector<const LifecyclePlan*>& plans) {
    // Per plan, the repositories it governs (the first few by name) and how many.
    std::map<const LifecyclePlan*, std::pair<std::vector<std::string>, std::size_t>> governed;
    for (auto r : res.repositories) {
      const LifecyclePlan* plan = plans[r];
      if (!plan) continue;
      auto [it, fresh] = governed.try_emplace(plan);
      if (it->second.first.size() < 3) it->second.first.emplace_back(reg.str(reg.repositories[r].name));
      ++it->second.second;
      if (fresh) {
        for (std::size_t i = 0; i < plan->rules.size(); ++i) {
          const auto& rule = plan->rules[i];
          add(plan, static_cast<std::int32_t>(i), -1, "rule " + std::to_string(rule.priority) + (rule.description.empty() ? "" : " \u201c" + rule.description + "\u201d"),
              rule.source, "rule-");
        }
        for (std::size_t i = 0; i < plan->protects.size(); ++i)
          add(plan, -1, static_cast<std::int32_t>(i), plan->protects[i].label, plan->protects[i].source, "protect-");
      }
    }
    for (auto& e : entries) {
      const auto& [names, count] = governed.at(e.plan);
      e.repositories = names;
      e.repository_count = count;
    }
  }
  void add(const LifecyclePlan* plan, std::int32_t rule, std::int32_t protect, std::string label, std::string source, const char* prefix) {
    by_key[{plan, rule, protect}] = entries.size();
    entries.push_back({plan, rule, protect, std::move(label), std::move(source), prefix + std::to_string(entries.size() + 1), {}, 0});
  }
  // The entry that decided `d`, or -1 (no rule acted, or no lifecycle).
  long of(const LifecyclePlan* plan, const ImageDecision& d) const {
    if (!plan) return -1;
    std::tuple<const LifecyclePlan*, std::int32_t, std::int32_t> key{plan, -1, -1};
    if (d.reason == Reason::Protected && d.protect >= 0) std::get<2>(key) = d.protect;
    else if (d.verdict != Verdict::Keep && d.rule >= 0) std::get<1>(key) = d.rule;
    else return -1;
    auto it = by_key.find(key);
    return it == by_key.end() ? -1 : static_cast<long>(it->second);
  }
};

// Reasons interned: an age reason is its rule's two halves with the image's age between them
// (the age travels with the image), any other reason its whole text.
class ReasonTable {
 public:
  std::size_t intern(const Registry& reg, const LifecycleResult& res, const LifecyclePlan* plan, const ImageDecision& d,
                     std::uint32_t idx, Micros now, std::string& age) {
    age.clear();
    if (!plan) return id({"no lifecycle policy applies", ""});
    AgeReasonParts parts;
    if (age_reason_parts(*plan, d, parts)) {
      age = age_text(now, d.reference_time);
      if (d.verdict == Verdict::Untag) parts.suffix += removal_text(reg, removal_of(res, idx));
      return id({std::move(parts.prefix), std::move(parts.suffix)});
    }
    std::string text = rule_text(reg, *plan, d, now);
    if (d.verdict == Verdict::Untag) text += removal_text(reg, removal_of(res, idx));
    return id({std::move(text), ""});
  }
  nlohmann::json json() const {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& r : list_) out.push_back({r.first, r.second});
    return out;
  }

 private:
  std::size_t id(std::pair<std::string, std::string> r) {
    auto [it, fresh] = ids_.emplace(r, list_.size());
    if (fresh) list_.push_back(std::move(r));
    return it->second;
  }
  // describe_decision once per (plan, reason, rule, protect clause), as the JSON report
  // renders it: tens of thousands of images share each text.
  std::string rule_text(const Registry& reg, const LifecyclePlan& plan, const ImageDecision& d, Micros now) {
    if (reason_names_another_image(d.reason)) return describe_decision(reg, plan, d, now);
    const auto key = std::make_tuple(&plan, d.reason, d.rule, d.protect);
    auto it = texts_.find(key);
    if (it == texts_.end()) it = texts_.emplace(key, describe_decision(reg, plan, d, now)).first;
    return it->second;
  }
  std::map<std::pair<std::string, std::string>, std::size_t> ids_;
  std::vector<std::pair<std::string, std::string>> list_;
  std::map<std::tuple<const LifecyclePlan*, Reason, std::int32_t, std::int32_t>, std::string> texts_;
};

struct RepoTotals {
  std::uint32_t repository = 0;
  ByteTotal bytes[kOutcomes] = {};
  ByteTotal images[kOutcomes] = {};
};

constexpr std::size_t kChartRepositories = 20;

// Bytes or images by repository: the largest kChartRepositories, then the rest in one bar, so
// the chart's segments always add up to the report's totals.
Chart repository_chart(const Registry& reg, const std::vector<RepoTotals>& repos, bool bytes) {
  Chart c;
  c.id = bytes ? "chart-repository-bytes" : "chart-repository-images";
  c.title = bytes ? "Bytes by repository (summed image sizes)" : "Images by repository";
  c.unit = bytes ? ChartUnit::Bytes : ChartUnit::Images;
  c.series = outcome_series();
  std::vector<ChartBar> bars;
  bars.reserve(repos.size());
  for (const auto& t : repos) {
    ChartBar b;
    b.label = std::string(reg.str(reg.repositories[t.repository].name));
    for (int o = 0; o < kOutcomes; ++o) b.values.push_back(bytes ? t.bytes[o] : t.images[o]);
    bars.push_back(std::move(b));
  }
  set_repository_bars(c, std::move(bars), kChartRepositories);
  return c;
}

// Ages since push, in ranges whose edges include every age threshold of the policy's rules
// (so a threshold is a line between two bars), and the thresholds as markers.
Chart age_chart(const Registry& reg, const LifecycleResult& res, const std::vector<const LifecyclePlan*>& plans, Micros now) {
  std::map<Micros, std::string> thresholds;  // age -> "rule 2: 30d" (first rule of that age)
  std::set<const LifecyclePlan*> seen;
  for (auto r : res.repositories) {
    if (!plans[r] || !seen.insert(plans[r]).second) continue;
    for (const auto& rule : plans[r]->rules) {
      if (rule.count_type == CountType::SinceImagePushed && rule.duration > 0)
        thresholds.emplace(rule.duration, "rule " + std::to_string(rule.priority) + ": " + duration_words(rule.duration));
    }
  }
  std::set<Micros> edges;
  for (const auto& [age, label] : thresholds) edges.insert(age);
  for (std::int64_t days : {1, 7, 14, 30, 60, 90, 180, 365, 730}) {
    if (edges.size() >= 16) break;
    edges.insert(days * kMicrosPerDay);
  }
  const std::vector<Micros> e(edges.begin(), edges.end());
  Chart c;
  c.id = "chart-age";
  c.title = "Images by age since push, against the rules' age thresholds";
  c.unit = ChartUnit::Images;
  c.series = outcome_series();
  for (std::size_t i = 0; i <= e.size(); ++i) {
    ChartBar b;
    b.label = i == 0 ? "<" + duration_words(e[0]) : i == e.size() ? "\u2265" + duration_words(e.back()) : duration_words(e[i - 1]) + "\u2013" + duration_words(e[i]);
    b.values.assign(kOutcomes, 0);
    c.bars.push_back(std::move(b));
  }
  ChartBar undated;
  undated.label = "undated";
  undated.values.assign(kOutcomes, 0);
  for (auto r : res.repositories) {
    for (auto idx : reg.repositories[r].images) {
      const Image& img = reg.images[idx];
      const Outcome o = outcome_of(res.decisions[idx]);
      if (img.time_source == TimeSource::Unknown || img.pushed_at == kNoTime) {
        ++undated.values[o];
        continue;
      }
      const Micros age = now - img.pushed_at;
      const std::size_t bucket = static_cast<std::size_t>(std::upper_bound(e.begin(), e.end(), age) - e.begin());
      ++c.bars[bucket].values[o];
    }
  }
  if (undated.values != std::vector<ByteTotal>(kOutcomes, 0)) c.bars.push_back(std::move(undated));
  for (const auto& [age, label] : thresholds) {
    c.markers.push_back({static_cast<std::size_t>(std::lower_bound(e.begin(), e.end(), age) - e.begin()) + 1, label});
  }
  return c;
}

// What each rule and protect clause decided: the images it expired, archived or stripped of
// tags, and the images it kept from another rule.
Chart rule_chart(const RuleIndex& rules, const std::vector<std::array<ByteTotal, kOutcomes>>& counts) {
  Chart c;
  c.id = "chart-rules";
  c.title = "Images each rule acted on, and each protect clause kept";
  c.unit = ChartUnit::Images;
  c.series = outcome_series();
  for (std::size_t i = 0; i < rules.entries.size(); ++i) {
    ChartBar b;
    b.label = rules.entries[i].label;
    b.link = "#" + rules.entries[i].anchor;
    b.values.assign(counts[i].begin(), counts[i].end());
    c.bars.push_back(std::move(b));
  }
  return c;
}

std::string thousands(std::size_t n) { return chart_value_text(ChartUnit::Images, n); }

}  // namespace

bool write_plan_html(const Registry& reg, const LifecycleResult& res, const std::vector<const LifecyclePlan*>& plans,
                     const ReportOptions& opt, std::ostream& sink, std::string& error) {
  const ReportTotals t = compute_totals(reg, res, opt);
  const RuleIndex rules(reg, res, plans);
  ReasonTable reasons;
  std::vector<RepoTotals> repo_totals;
  std::vector<std::array<ByteTotal, kOutcomes>> rule_counts(rules.entries.size(), std::array<ByteTotal, kOutcomes>{});
  nlohmann::json repo_names = nlohmann::json::array(), col_repo = nlohmann::json::array(), col_digest = nlohmann::json::array(),
                 col_tags = nlohmann::json::array(), col_pushed = nlohmann::json::array(), col_size = nlohmann::json::array(),
                 col_action = nlohmann::json::array(), col_rule = nlohmann::json::array(), col_reason = nlohmann::json::array(),
                 col_age = nlohmann::json::array();
  std::string age;
  for (auto r : res.repositories) {
    const auto& repo = reg.repositories[r];
    RepoTotals rt;
    rt.repository = r;
    const std::size_t repo_no = repo_names.size();
    repo_names.push_back(std::string(reg.str(repo.name)));
    for (auto idx : repo.images) {
      const Image& img = reg.images[idx];
      const ImageDecision& d = res.decisions[idx];
      const Outcome o = outcome_of(d);
      rt.bytes[o] += size_of(img);
      ++rt.images[o];
      const long rule = rules.of(plans[r], d);
      if (rule >= 0) ++rule_counts[static_cast<std::size_t>(rule)][o];
      if (opt.changes_only && (o == kKept || o == kProtected)) continue;
      col_repo.push_back(repo_no);
      col_digest.push_back(std::string(html_digest_value(reg.str(img.digest))));
      std::string tags;
      for (std::uint32_t k = 0; k < img.tag_count; ++k) tags += (k ? " " : "") + std::string(reg.str(reg.tags_of(img)[k]));
      col_tags.push_back(std::move(tags));
      if (img.pushed_at == kNoTime) col_pushed.push_back(nullptr);
      else col_pushed.push_back(img.pushed_at / kMicrosPerSecond);
      if (img.size_bytes >= 0) col_size.push_back(img.size_bytes);
      else col_size.push_back(nullptr);
      col_action.push_back(static_cast<int>(o));
      col_rule.push_back(rule);
      col_reason.push_back(reasons.intern(reg, res, plans[r], d, idx, opt.now, age));
      col_age.push_back(age);
    }
    repo_totals.push_back(rt);
  }

  nlohmann::json rule_links = nlohmann::json::array();
  for (const auto& e : rules.entries) rule_links.push_back({{"label", e.label}, {"source", e.source}, {"anchor", e.anchor}});
  nlohmann::json outcomes = nlohmann::json::array();
  for (const char* k : kOutcomeKeys) outcomes.push_back(k);
  nlohmann::json table = {
      {"id", "image-table"},
      {"noun", "images"},
      {"filterColumn", "action"},
      {"columns",
       {{{"key", "repository"}, {"label", "repository"}, {"kind", "enum"}, {"values", repo_names}},
        {{"key", "tags"}, {"label", "tags"}, {"kind", "text"}, {"empty", "(untagged)"}},
        {{"key", "digest"}, {"label", "digest"}, {"kind", "digest"}},
        {{"key", "pushedAt"}, {"label", "pushed"}, {"kind", "time"}},
        {{"key", "sizeBytes"}, {"label", "size"}, {"kind", "bytes"}},
        {{"key", "action"}, {"label", "outcome"}, {"kind", "outcome"}, {"values", outcomes}},
        {{"key", "rule"}, {"label", "rule"}, {"kind", "link"}, {"links", rule_links}},
        {{"key", "reason"}, {"label", "reason"}, {"kind", "reason"}, {"parts", reasons.json()}, {"age", "age"}},
        {{"key", "age"}, {"label", "age"}, {"kind", "hidden"}}}},
      {"rows",
       {{"repository", col_repo}, {"digest", col_digest}, {"tags", col_tags}, {"pushedAt", col_pushed}, {"sizeBytes", col_size},
        {"action", col_action}, {"rule", col_rule}, {"reason", col_reason}, {"age", col_age}}}};
  const nlohmann::json data = {{"schema", "regpol.plan-html/v1"}, {"now", format_timestamp(opt.now)}, {"tables", nlohmann::json::array({table})}};

  std::string out = html_page_open("regpol plan", "plan");
  out += "<header><h1>regpol plan</h1><p class=\"meta\">evaluated at <time id=\"now\">" + format_timestamp(opt.now) + "</time>";
  if (!reg.source.empty()) out += " on a snapshot of <code id=\"source\">" + html_text(reg.source) + "</code>";
  if (reg.captured_at != kNoTime) out += " captured at <time id=\"captured\">" + format_timestamp(reg.captured_at) + "</time>";
  out += "</p></header>\n<main>\n<section id=\"summary\"><h2>Summary</h2><table class=\"summary\">\n";
  html_fact_row(out, "repositories", std::to_string(t.repositories), "sum-repositories");
  html_fact_row(out, "images", std::to_string(t.images), "sum-images");
  html_fact_row(out, "expire", std::to_string(t.expire), "sum-expire");
  html_fact_row(out, "move to archive", std::to_string(t.transition), "sum-transition");
  html_fact_row(out, "keep", std::to_string(t.keep) + (t.protected_images ? " (" + std::to_string(t.protected_images) + " protected)" : ""),
              "sum-keep");
  if (t.untag) html_fact_row(out, "lose tags", std::to_string(t.untag) + " images, " + std::to_string(t.tags_removed) + " tags", "sum-untag");
  html_fact_row(out, "summed sizes of expired images", human_bytes(t.bytes_reclaimed), "sum-bytes-reclaimed");
  if (t.blobs_known)
    html_fact_row(out, "freed in storage", human_bytes(t.bytes_freed) + " (blobs no kept image references, shared layers counted once)",
                "sum-bytes-freed");
  html_fact_row(out, "moved to archive", human_bytes(t.bytes_transitioned), "sum-bytes-transitioned");
  html_fact_row(out, "saving a month", opt.unpriced ? "no price (give one with --price-per-gb or --pricing)" : dollars_text(opt, t.monthly_savings_usd),
              "sum-saving");
  out += "</table>\n";
  if (!opt.pricing_notes.empty()) {
    out += "<ul class=\"notes\">";
    for (const auto& n : opt.pricing_notes) out += "<li>" + html_text(n) + "</li>";
    out += "</ul>\n";
  }
  if (t.undated)
    out += "<p class=\"warning\">" + thousands(t.undated) +
           " without a usable push time: never an age candidate, and newest for count rules.</p>\n";
  out += "</section>\n";
  if (!opt.settings_text.empty()) out += "<section id=\"settings\"><h2>Settings drift</h2><pre>" + html_text(opt.settings_text) + "</pre></section>\n";

  out += "<section id=\"charts\"><h2>Where the bytes are and what goes</h2>\n";
  out += horizontal_bar_chart(repository_chart(reg, repo_totals, true));
  out += horizontal_bar_chart(repository_chart(reg, repo_totals, false));
  out += vertical_bar_chart(age_chart(reg, res, plans, opt.now));
  if (!rules.entries.empty()) out += horizontal_bar_chart(rule_chart(rules, rule_counts));
  out += "</section>\n";

  out += "<section id=\"rules\"><h2>Rules and protect clauses</h2><ol class=\"rules\">\n";
  for (std::size_t i = 0; i < rules.entries.size(); ++i) {
    const auto& e = rules.entries[i];
    out += "<li id=\"" + e.anchor + "\"><strong>" + html_text(e.label) + "</strong> <code>" + html_text(e.source) + "</code> \u2014 ";
    std::string repos;
    for (const auto& name : e.repositories) repos += (repos.empty() ? "" : ", ") + name;
    if (e.repository_count > e.repositories.size()) repos += " and " + std::to_string(e.repository_count - e.repositories.size()) + " more";
    out += html_text(repos);
    const auto& n = rule_counts[i];
    out += "; " + html_text(e.protect >= 0 ? thousands(static_cast<std::size_t>(n[kProtected])) + " protected"
                                            : thousands(static_cast<std::size_t>(n[kExpired] + n[kArchived] + n[kUntagged])) + " acted on") +
           "</li>\n";
  }
  out += "</ol></section>\n";

  out += "<section id=\"images\"><h2>Images</h2>\n" + html_data_table("image-table", "repository, tag, digest, reason", "images") +
         "</section>\n</main>\n";
  if (!html_page_close(out, data.dump(), error)) return false;
  sink << out;
  return true;
}

}  // namespace regpol
