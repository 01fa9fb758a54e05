#include "diff/render.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>

#include "report/html_page.h"
#include "report/pricing.h"
#include "report/svg_chart.h"
#include "util/text.h"

namespace regpol {

namespace {

const char* verdict_word(Verdict v) {
  switch (v) {
    case Verdict::Expire: return "expire";
    case Verdict::Transition: return "transition";
    case Verdict::Untag: return "untag";
    case Verdict::Keep: break;
  }
  return "keep";
}

// "untag [sha-1, sha-2]" for an untag verdict, else the verdict's word.
std::string verdict_text(const Registry& registry, const DiffSide& side, std::uint32_t image, Verdict v) {
  std::string out = verdict_word(v);
  if (v != Verdict::Untag) return out;
  out += " [";
  const auto tags = removed_tags(*side.result, image);
  for (std::size_t i = 0; i < tags.size(); ++i) out += (i ? ", " : "") + std::string(registry.str(tags[i]));
  return out + "]";
}

std::string signed_bytes(long double delta) {
  return (delta < 0 ? "-" : "+") + human_bytes(static_cast<ByteTotal>(delta < 0 ? -delta : delta));
}

double round2(double v) { return std::round(v * 100) / 100; }

// A verdict's rule, for the reader: `rule 2 "old previews" (policy.regpol:14:5)`.
nlohmann::json rule_json(const LifecyclePlan* plan, const ImageDecision& d) {
  if (!plan) return nullptr;
  if (d.reason == Reason::Protected && d.protect >= 0) {
    const auto& p = plan->protects[static_cast<std::size_t>(d.protect)];
    return {{"protect", p.label}, {"source", p.source}};  // as in the plan report
  }
  if (d.rule < 0) return nullptr;
  const auto& r = plan->rules[static_cast<std::size_t>(d.rule)];
  return {{"priority", r.priority}, {"description", r.description}, {"source", r.source}};
}

std::string reason_in(const Registry& registry, const LifecyclePlan* plan, const ImageDecision& d, Micros now) {
  return plan ? describe_decision(registry, *plan, d, now) : std::string("no lifecycle policy applies");
}

std::string reason_of(const Registry& registry, const DiffSide& side, std::uint32_t image, Micros now) {
  return reason_in(registry, (*side.plan_of_repo)[registry.images[image].repo], side.result->decisions[image], now);
}

// One side's word on one image for the JSON report: its action, deciding rule and reason,
// from one lookup of the repository's plan.
nlohmann::json side_json(const Registry& registry, const DiffSide& side, std::uint32_t image, Verdict verdict, Micros now) {
  const LifecyclePlan* plan = (*side.plan_of_repo)[registry.images[image].repo];
  const ImageDecision& d = side.result->decisions[image];
  nlohmann::json out = {{"action", verdict_word(verdict)}, {"rule", rule_json(plan, d)}, {"reason", reason_in(registry, plan, d, now)}};
  if (verdict == Verdict::Untag) {
    nlohmann::json tags = nlohmann::json::array();
    for (StrId t : removed_tags(*side.result, image)) tags.push_back(registry.str(t));
    out["untagTags"] = tags;
  }
  return out;
}

std::string tags_text(const Registry& registry, const Image& img, const char* separator) {
  std::string tags;
  for (std::uint32_t t = 0; t < img.tag_count; ++t) tags += (t ? separator : "") + std::string(registry.str(registry.tags_of(img)[t]));
  return tags;
}

// A self-hosted registry without a price given: no dollars (report/plan_report.h).
bool unpriced(const PolicyDiff& diff) { return diff.new_side.prices && diff.new_side.prices->unpriced; }

std::string dollars_change(const PolicyDiff& diff, double usd) { return unpriced(diff) ? "no price" : format_dollars(usd, true); }

nlohmann::json dollars_change_json(const PolicyDiff& diff, double usd) { return unpriced(diff) ? nlohmann::json(nullptr) : nlohmann::json(round2(usd)); }

std::string tags_or_untagged(const Registry& registry, const Image& img) {
  std::string tags = tags_text(registry, img, ", ");
  return tags.empty() ? "<untagged>" : tags;
}

std::string headline(const PolicyDiff& diff) {
  const DiffCounts& total = diff.total;
  return std::to_string(total.changed) + " of " + plural(diff.images_compared, "image") + " change verdict" +
         (total.changed ? " in " + plural(diff.per_repo.size(), "repository", "repositories") : std::string()) + ": " +
         std::to_string(total.to_expire) + " now expire, " + std::to_string(total.to_keep) + " now kept, " +
         std::to_string(total.to_transition) + " now transition" +
         (total.to_untag ? ", " + std::to_string(total.to_untag) + " now lose tags" : std::string()) + "; reclaimed " + signed_bytes(total.bytes_reclaimed_delta) +
         (unpriced(diff) ? std::string(" (no price known)") : ", saving " + format_dollars(diff.saving_delta, true) + " a month");
}

double repo_saving_delta(const PolicyDiff& diff, std::uint32_t repo) {
  auto it = diff.saving_delta_of_repo.find(repo);
  return it == diff.saving_delta_of_repo.end() ? 0 : it->second;
}

// Which prices the dollars are at (both plans' notes name the same ones).
void append_pricing_note(const PolicyDiff& diff, std::string& out) {
  if (diff.total.changed || diff.saving_delta != 0) out += "\n" + diff.new_side.prices->pricing_notes.front() + "\n";
}

std::string decision_words(const Decided& d) {
  return std::string(d.decision == AccessDecision::Allow ? "allow" : "deny") + (d.statement.empty() ? "" : " (" + d.statement + ")");
}

std::string request_where(const AccessRequest& r) { return r.repository + (r.tag.empty() ? "" : ":" + r.tag); }

std::string access_line(const PolicyDiff& diff) {
  return std::to_string(diff.request_changes.size()) + " of " + plural(diff.requests, "request") + " change decision";
}

// One line per --in-use file: what it names here, and what `protect in_use` keeps from a
// rule under each policy.
std::string in_use_lines(const PolicyDiff& diff) {
  std::string out;
  for (const auto& source : diff.in_use_sources)
    out += "in use: " + source.file + " (read " + (source.read_at == kNoTime ? std::string("at an unknown time") : format_timestamp(source.read_at)) +
           "): " + plural(source.images, "image") + " of this snapshot; `protect in_use` keeps " + std::to_string(source.kept_old) +
           " from a rule under " + diff.old_side.name + ", " + std::to_string(source.kept_new) + " under " + diff.new_side.name + "\n";
  return out;
}

}  // namespace

std::string render_diff_json(const Registry& registry, const PolicyDiff& diff) {
  nlohmann::json doc;
  doc["schema"] = "regpol.diff/v1";
  doc["now"] = format_timestamp(diff.now);
  doc["old"] = diff.old_side.name;
  doc["new"] = diff.new_side.name;
  const DiffCounts& total = diff.total;
  doc["summary"] = {{"images", diff.images_compared}, {"changed", total.changed}, {"repositories", diff.per_repo.size()},
                    {"toExpire", total.to_expire}, {"toKeep", total.to_keep}, {"toTransition", total.to_transition}, {"toUntag", total.to_untag},
                    {"bytesReclaimedDelta", static_cast<long long>(total.bytes_reclaimed_delta)},
                    {"monthlySavingsUsdDelta", dollars_change_json(diff, diff.saving_delta)}};
  if (!diff.in_use_sources.empty()) {
    nlohmann::json sources = nlohmann::json::array();
    for (const auto& source : diff.in_use_sources)
      sources.push_back({{"file", source.file},
                         {"readAt", source.read_at == kNoTime ? nlohmann::json() : nlohmann::json(format_timestamp(source.read_at))},
                         {"references", source.references}, {"images", source.images}, {"protectedOld", source.kept_old},
                         {"protectedNew", source.kept_new}});
    doc["inUseSources"] = std::move(sources);
  }
  nlohmann::json repos = nlohmann::json::array();
  for (const auto& [r, k] : diff.per_repo) {
    repos.push_back({{"repository", registry.str(registry.repositories[r].name)}, {"changed", k.changed}, {"toExpire", k.to_expire},
                     {"toKeep", k.to_keep}, {"toTransition", k.to_transition}, {"toUntag", k.to_untag},
                     {"bytesReclaimedDelta", static_cast<long long>(k.bytes_reclaimed_delta)},
                     {"monthlySavingsUsdDelta", dollars_change_json(diff, repo_saving_delta(diff, r))}});
  }
  doc["repositories"] = repos;
  nlohmann::json imgs = nlohmann::json::array();
  for (const auto& c : diff.changes) {
    const Image& img = registry.images[c.image];
    nlohmann::json tags = nlohmann::json::array();
    for (std::uint32_t t = 0; t < img.tag_count; ++t) tags.push_back(registry.str(registry.tags_of(img)[t]));
    imgs.push_back({{"repository", registry.repo_name(img)}, {"digest", registry.str(img.digest)}, {"tags", tags},
                    {"sizeBytes", img.size_bytes >= 0 ? nlohmann::json(img.size_bytes) : nlohmann::json(nullptr)},
                    {"old", side_json(registry, diff.old_side, c.image, c.old_verdict, diff.now)},
                    {"new", side_json(registry, diff.new_side, c.image, c.new_verdict, diff.now)}});
  }
  doc["images"] = imgs;
  if (!diff.setting_changes.empty()) {
    nlohmann::json settings = nlohmann::json::array();
    for (const auto& c : diff.setting_changes)
      settings.push_back({{"repository", c.repository.empty() ? nlohmann::json(nullptr) : nlohmann::json(c.repository)}, {"setting", c.setting},
                          {"old", c.old_value}, {"new", c.new_value}, {"detail", c.detail}});
    doc["settings"] = settings;
  }
  if (diff.compared_requests) {
    nlohmann::json list = nlohmann::json::array();
    auto side = [](const Decided& d) {
      return nlohmann::json{{"decision", d.decision == AccessDecision::Allow ? "allow" : "deny"}, {"reason", access_reason_name(d.reason)},
                            {"statement", d.statement.empty() ? nlohmann::json(nullptr) : nlohmann::json(d.statement)}};
    };
    for (const auto& c : diff.request_changes) {
      list.push_back({{"index", c.index}, {"principal", c.request.principal}, {"action", c.request.action},
                      {"repository", c.request.repository}, {"tag", c.request.tag}, {"old", side(c.old_decision)}, {"new", side(c.new_decision)}});
    }
    doc["access"] = {{"requests", diff.requests}, {"changed", diff.request_changes.size()}, {"changes", list}};
  }
  return doc.dump(2) + "\n";
}

std::string setting_where(const PolicySettingChange& c) { return c.repository.empty() ? "registry" : c.repository; }

std::string setting_line(const PolicySettingChange& c) {
  return c.setting == "access" ? "access " + c.new_value : c.setting + ": " + c.old_value + " -> " + c.new_value;
}

std::string render_diff_text(const Registry& registry, const PolicyDiff& diff) {
  std::string out = "regpol diff at " + format_timestamp(diff.now) + ": " + diff.old_side.name + " -> " + diff.new_side.name + "\n" +
                    headline(diff) + "\n";
  out += in_use_lines(diff);
  std::uint32_t last_repo = UINT32_MAX;
  for (const auto& c : diff.changes) {
    const Image& img = registry.images[c.image];
    if (img.repo != last_repo) {
      const DiffCounts& k = diff.per_repo.at(img.repo);
      out += "\n" + std::string(registry.repo_name(img)) + ": " + plural(k.changed, "change") + " (reclaimed " +
             signed_bytes(k.bytes_reclaimed_delta) +
             (unpriced(diff) ? std::string() : ", saving " + format_dollars(repo_saving_delta(diff, img.repo), true) + " a month") + ")\n";
      last_repo = img.repo;
    }
    std::string tags = tags_text(registry, img, ",");
    out += "  " + verdict_text(registry, diff.old_side, c.image, c.old_verdict) + " -> " + verdict_text(registry, diff.new_side, c.image, c.new_verdict) + "  " +
           std::string(registry.str(img.digest)).substr(0, 19) + "  " + (tags.empty() ? "<untagged>" : tags) + "  (now: " +
           reason_of(registry, diff.new_side, c.image, diff.now) + ")\n";
  }
  append_pricing_note(diff, out);
  if (!diff.setting_changes.empty()) {
    out += "\nsettings: " + plural(diff.setting_changes.size(), "change") + "\n";
    for (const auto& c : diff.setting_changes) {
      out += "  " + setting_where(c) + " " + setting_line(c) + "\n";
      if (!c.detail.empty()) out += "      " + c.detail + "\n";
    }
  }
  if (diff.compared_requests) {
    out += "\naccess: " + access_line(diff) + "\n";
    for (const auto& c : diff.request_changes) {
      out += "  #" + std::to_string(c.index) + "  " + decision_words(c.old_decision) + " -> " + decision_words(c.new_decision) + "  " +
             c.request.principal + "  " + c.request.action + "  " + request_where(c.request) + "\n";
    }
  }
  return out;
}

std::string render_diff_markdown(const Registry& registry, const PolicyDiff& diff) {
  // A pull-request comment holds 65,536 characters: the lists stop before that.
  std::string out = "### regpol diff: `" + diff.old_side.name + "` → `" + diff.new_side.name + "`\n\n";
  // What it was evaluated on: the snapshot, when it was taken and of what, and the instant.
  std::string files;
  for (const auto& f : diff.snapshot_files) files += (files.empty() ? "" : ", ") + ("`" + f + "`");
  out += "on " + (files.empty() ? std::string("the snapshot") : files) +
         (registry.captured_at == kNoTime ? std::string() : " (captured " + format_timestamp(registry.captured_at) + ")") +
         (registry.source.empty() ? std::string() : " of `" + registry.source + "`") + ", evaluated at " + format_timestamp(diff.now) + "\n\n" +
         headline(diff) + "\n";
  if (!diff.in_use_sources.empty()) out += "\n" + in_use_lines(diff);
  if (!diff.per_repo.empty()) {
    out += "\n| repository | changed | now expire | now kept | now transition | reclaimed | saving / month |\n|---|---:|---:|---:|---:|---:|---:|\n";
    for (const auto& [r, k] : diff.per_repo) {
      out += "| " + markdown_cell(registry.str(registry.repositories[r].name)) + " | " + std::to_string(k.changed) + " | " +
             std::to_string(k.to_expire) + " | " + std::to_string(k.to_keep) + " | " + std::to_string(k.to_transition) + " | " +
             signed_bytes(k.bytes_reclaimed_delta) + " | " + dollars_change(diff, repo_saving_delta(diff, r)) + " |\n";
    }
    // Each repository's changes in a fold, with the reason for the new verdict.
    std::size_t shown = 0;
    std::uint32_t open_repo = UINT32_MAX;
    for (const auto& c : diff.changes) {
      const Image& img = registry.images[c.image];
      std::string row = "| `" + std::string(registry.str(img.digest)).substr(0, 19) + "` | " + markdown_cell(tags_or_untagged(registry, img)) + " | " +
                        markdown_cell(verdict_text(registry, diff.old_side, c.image, c.old_verdict)) + " | **" +
                        markdown_cell(verdict_text(registry, diff.new_side, c.image, c.new_verdict)) + "** | " +
                        markdown_cell(reason_of(registry, diff.new_side, c.image, diff.now)) + " |\n";
      std::string opening;
      if (img.repo != open_repo) {
        const DiffCounts& k = diff.per_repo.at(img.repo);
        opening = std::string(open_repo == UINT32_MAX ? "\n" : "\n</details>\n\n") + "<details><summary>" +
                  markdown_cell(registry.repo_name(img)) + ": " + plural(k.changed, "change") + "</summary>\n\n" +
                  "| image | tags | old | new | why (new) |\n|---|---|---|---|---|\n";
      }
      if (out.size() + opening.size() + row.size() + 600 > 60000) break;  // the rest is counted below
      out += opening + row;
      open_repo = img.repo;
      ++shown;
    }
    if (open_repo != UINT32_MAX) out += "\n</details>\n";
    if (shown < diff.changes.size())
      out += "\n…and " + plural(diff.changes.size() - shown, "more change") +
             " not shown; run `regpol diff` with the same options and `--format text` to list every change.\n";
  }
  append_pricing_note(diff, out);
  if (!diff.setting_changes.empty()) {
    out += "\n#### Settings\n\n| where | setting | old | new | why |\n|---|---|---|---|---|\n";
    for (const auto& c : diff.setting_changes) {
      if (out.size() > 62000) break;
      out += "| " + setting_where(c) + " | " + c.setting + " | " + c.old_value + " | **" + c.new_value + "** | " + c.detail + " |\n";
    }
  }
  if (diff.compared_requests) {
    out += "\n#### Access\n\n" + access_line(diff) + "\n";
    if (!diff.request_changes.empty()) out += "\n| # | principal | action | repository | old | new |\n|---:|---|---|---|---|---|\n";
    for (const auto& c : diff.request_changes) {
      if (out.size() > 62000) break;
      out += "| " + std::to_string(c.index) + " | `" + c.request.principal + "` | " + c.request.action + " | " + request_where(c.request) +
             " | " + decision_words(c.old_decision) + " | **" + decision_words(c.new_decision) + "** |\n";
    }
  }
  return out;
}

namespace {

// One side's verdict and the rule behind it as the HTML table shows them.
std::string rule_words(const Registry& registry, const DiffSide& side, std::uint32_t image) {
  const LifecyclePlan* plan = (*side.plan_of_repo)[registry.images[image].repo];
  const ImageDecision& d = side.result->decisions[image];
  if (!plan) return "";
  if (d.reason == Reason::Protected && d.protect >= 0) {
    const auto& p = plan->protects[static_cast<std::size_t>(d.protect)];
    return p.label + " (" + p.source + ")";
  }
  if (d.rule < 0) return "";
  const auto& r = plan->rules[static_cast<std::size_t>(d.rule)];
  return "rule " + std::to_string(r.priority) + (r.description.empty() ? "" : " \u201c" + r.description + "\u201d") + " (" + r.source + ")";
}

constexpr std::size_t kDiffChartRepositories = 20;

// Changed images by repository: the 20 with most changes, then the rest in one bar.
Chart diff_repository_chart(const Registry& registry, const PolicyDiff& diff) {
  Chart c;
  c.id = "chart-diff-repositories";
  c.title = "Images whose verdict changes, by repository and new verdict";
  c.unit = ChartUnit::Images;
  c.series = {{"expire", "now expire"}, {"keep", "now kept"}, {"transition", "now move to archive"}, {"untag", "now lose tags"}};
  std::vector<ChartBar> bars;
  bars.reserve(diff.per_repo.size());
  for (const auto& [r, k] : diff.per_repo)
    bars.push_back({std::string(registry.str(registry.repositories[r].name)), "", {k.to_expire, k.to_keep, k.to_transition, k.to_untag}});
  set_repository_bars(c, std::move(bars), kDiffChartRepositories);
  return c;
}

}  // namespace

bool render_diff_html(const Registry& registry, const PolicyDiff& diff, std::string& out, std::string& error) {
  const DiffCounts& total = diff.total;
  out = html_page_open("regpol diff", "diff");
  out += "<header><h1>regpol diff: <code id=\"old\">" + html_text(diff.old_side.name) + "</code> \u2192 <code id=\"new\">" +
         html_text(diff.new_side.name) + "</code></h1><p class=\"meta\">on ";
  std::string files;
  for (const auto& f : diff.snapshot_files) files += (files.empty() ? "" : ", ") + f;
  out += html_text(files.empty() ? std::string("the snapshot") : files);
  if (registry.captured_at != kNoTime) out += " captured at <time id=\"captured\">" + format_timestamp(registry.captured_at) + "</time>";
  if (!registry.source.empty()) out += " of <code id=\"source\">" + html_text(registry.source) + "</code>";
  out += ", evaluated at <time id=\"now\">" + format_timestamp(diff.now) + "</time></p></header>\n<main>\n";
  out += "<section id=\"summary\"><h2>Summary</h2><p id=\"headline\">" + html_text(headline(diff)) + "</p><table class=\"summary\">\n";
  html_fact_row(out, "images compared", std::to_string(diff.images_compared), "sum-images");
  html_fact_row(out, "verdict changes", std::to_string(total.changed), "sum-changed");
  html_fact_row(out, "now expire", std::to_string(total.to_expire), "sum-to-expire");
  html_fact_row(out, "now kept", std::to_string(total.to_keep), "sum-to-keep");
  html_fact_row(out, "now move to archive", std::to_string(total.to_transition), "sum-to-transition");
  html_fact_row(out, "now lose tags", std::to_string(total.to_untag), "sum-to-untag");
  html_fact_row(out, "reclaimed (summed sizes)", signed_bytes(total.bytes_reclaimed_delta), "sum-bytes");
  html_fact_row(out, "saving a month", dollars_change(diff, diff.saving_delta), "sum-saving");
  out += "</table>\n";
  if (!diff.in_use_sources.empty()) out += "<pre class=\"notes\">" + html_text(in_use_lines(diff)) + "</pre>\n";
  if (diff.total.changed || diff.saving_delta != 0) out += "<p class=\"notes\">" + html_text(diff.new_side.prices->pricing_notes.front()) + "</p>\n";
  out += "</section>\n";

  if (!diff.changes.empty()) {
    // Old verdict against new: where the changes come from and go to.
    constexpr Verdict kVerdicts[] = {Verdict::Keep, Verdict::Expire, Verdict::Transition, Verdict::Untag};
    std::size_t matrix[4][4] = {};
    for (const auto& ch : diff.changes) matrix[static_cast<int>(ch.old_verdict)][static_cast<int>(ch.new_verdict)]++;
    out += "<section id=\"changes\"><h2>What changes</h2>\n<table class=\"summary\" id=\"matrix\"><tr><th>old \u2193 new \u2192</th>";
    for (Verdict v : kVerdicts) out += std::string("<th>") + verdict_word(v) + "</th>";
    out += "</tr>\n";
    for (Verdict from : kVerdicts) {
      out += std::string("<tr><th scope=\"row\">") + verdict_word(from) + "</th>";
      for (Verdict to : kVerdicts) {
        const std::size_t n = matrix[static_cast<int>(from)][static_cast<int>(to)];
        out += "<td data-old=\"" + std::string(verdict_word(from)) + "\" data-new=\"" + verdict_word(to) + "\" data-value=\"" + std::to_string(n) +
               "\">" + (from == to ? "" : std::to_string(n)) + "</td>";
      }
      out += "</tr>\n";
    }
    out += "</table>\n" + horizontal_bar_chart(diff_repository_chart(registry, diff)) + "</section>\n";
  }
  if (!diff.setting_changes.empty()) {
    out += "<section id=\"settings\"><h2>Settings</h2><table class=\"data-table\"><thead><tr><th>where</th><th>setting</th><th>old</th><th>new</th>"
           "<th>why</th></tr></thead><tbody>\n";
    for (const auto& s : diff.setting_changes)
      out += "<tr><td>" + html_text(setting_where(s)) + "</td><td>" + html_text(s.setting) + "</td><td>" + html_text(s.old_value) + "</td><td><strong>" +
             html_text(s.new_value) + "</strong></td><td>" + html_text(s.detail) + "</td></tr>\n";
    out += "</tbody></table></section>\n";
  }
  if (diff.compared_requests) {
    out += "<section id=\"access\"><h2>Access</h2><p>" + html_text(access_line(diff)) + "</p>\n";
    if (!diff.request_changes.empty()) {
      out += "<table class=\"data-table\"><thead><tr><th>#</th><th>principal</th><th>action</th><th>repository</th><th>old</th><th>new</th></tr></thead><tbody>\n";
      for (const auto& r : diff.request_changes)
        out += "<tr><td>" + std::to_string(r.index) + "</td><td><code>" + html_text(r.request.principal) + "</code></td><td>" + html_text(r.request.action) +
               "</td><td>" + html_text(request_where(r.request)) + "</td><td>" + html_text(decision_words(r.old_decision)) + "</td><td><strong>" +
               html_text(decision_words(r.new_decision)) + "</strong></td></tr>\n";
      out += "</tbody></table>\n";
    }
    out += "</section>\n";
  }

  // Every changed image, in the page's table.
  HtmlEnumValues repos;
  nlohmann::json col_repo = nlohmann::json::array(), col_digest = nlohmann::json::array(),
                 col_tags = nlohmann::json::array(), col_size = nlohmann::json::array(), col_old = nlohmann::json::array(),
                 col_new = nlohmann::json::array(), col_rule = nlohmann::json::array(), col_why_new = nlohmann::json::array(),
                 col_why_old = nlohmann::json::array();
  for (const auto& ch : diff.changes) {
    const Image& img = registry.images[ch.image];
    col_repo.push_back(repos.index(std::string(registry.repo_name(img))));
    col_digest.push_back(std::string(html_digest_value(registry.str(img.digest))));
    col_tags.push_back(tags_text(registry, img, " "));
    if (img.size_bytes >= 0) col_size.push_back(img.size_bytes);
    else col_size.push_back(nullptr);
    col_old.push_back(static_cast<int>(ch.old_verdict));
    col_new.push_back(static_cast<int>(ch.new_verdict));
    col_rule.push_back(rule_words(registry, diff.new_side, ch.image));
    col_why_new.push_back(reason_of(registry, diff.new_side, ch.image, diff.now));
    col_why_old.push_back(reason_of(registry, diff.old_side, ch.image, diff.now));
  }
  nlohmann::json verdicts = nlohmann::json::array();
  for (Verdict v : {Verdict::Keep, Verdict::Expire, Verdict::Transition, Verdict::Untag}) verdicts.push_back(verdict_word(v));
  const nlohmann::json table = {
      {"id", "change-table"},
      {"noun", "changed images"},
      {"filterColumn", "new"},
      {"columns",
       {{{"key", "repository"}, {"label", "repository"}, {"kind", "enum"}, {"values", repos.values()}},
        {{"key", "tags"}, {"label", "tags"}, {"kind", "text"}, {"empty", "(untagged)"}},
        {{"key", "digest"}, {"label", "digest"}, {"kind", "digest"}},
        {{"key", "sizeBytes"}, {"label", "size"}, {"kind", "bytes"}},
        {{"key", "old"}, {"label", "old"}, {"kind", "outcome"}, {"values", verdicts}},
        {{"key", "new"}, {"label", "new"}, {"kind", "outcome"}, {"values", verdicts}},
        {{"key", "rule"}, {"label", "decided by (new)"}, {"kind", "text"}},
        {{"key", "whyNew"}, {"label", "why (new)"}, {"kind", "text"}},
        {{"key", "whyOld"}, {"label", "why (old)"}, {"kind", "text"}}}},
      {"rows",
       {{"repository", col_repo}, {"digest", col_digest}, {"tags", col_tags}, {"sizeBytes", col_size}, {"old", col_old}, {"new", col_new},
        {"rule", col_rule}, {"whyNew", col_why_new}, {"whyOld", col_why_old}}}};
  out += "<section id=\"images\"><h2>Changed images</h2>\n" +
         html_data_table("change-table", "repository, tag, digest, rule, reason", "changed images") + "</section>\n</main>\n";
  const nlohmann::json data = {{"schema", "regpol.diff-html/v1"}, {"tables", nlohmann::json::array({table})}};
  return html_page_close(out, data.dump(), error);
}

}  // namespace regpol
