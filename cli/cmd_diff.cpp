// `regpol diff OLD NEW --snapshot SNAP…`: what changing a policy changes. Both versions are
// evaluated on the same snapshot (loaded once) with the same `now`; every image whose
// verdict differs is listed, grouped by repository, with counts, bytes and dollars; with
// --requests, every request whose access decision differs.
#include <cmath>
#include <cstdio>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "access/request.h"
#include "cli/access_decider.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "cli/policy_run.h"
#include "diag/render.h"
#include "driver/compile.h"
#include "driver/run_lifecycle.h"
#include "driver/snapshots.h"
#include "report/plan_report.h"
#include "report/plan_summary.h"
#include "cli/price_options.h"
#include "report/pricing.h"
#include "util/text.h"

namespace regpol::cli {

static const char* kDiffHelp =
    "usage: regpol diff OLD.regpol NEW.regpol --snapshot SNAP... [--requests LOG] [options]\n"
    "\n"
    "What changing a policy changes, for a pull-request review: both versions are evaluated\n"
    "on the same snapshot at the same instant, and every image whose verdict differs is\n"
    "listed (kept -> expire, expire -> kept, -> transition, ...), grouped by repository, with\n"
    "counts, bytes and the change in the monthly saving (what `plan` reports for NEW minus\n"
    "what it reports for OLD, each at its own archive tier). With --requests, every request\n"
    "whose access decision differs too. OLD may be `-` or /dev/stdin, so a git revision works:\n"
    "  git show HEAD~1:policy.regpol | regpol diff - policy.regpol --snapshot snap.json\n"
    "(imports of a policy read from a pipe resolve in the current folder).\n"
    "\n"
    "  --snapshot FILE     as for `plan`; repeat for several files\n"
    "  --requests LOG      JSON Lines requests or a CloudTrail log, as for `authorize`\n"
    "  --now T             evaluate at this RFC 3339 instant (default: the current time)\n"
    "  --repository NAME   only this repository\n"
    "  --format F          text (default), json (schema regpol.diff/v1, docs/diff.schema.json)\n"
    "                      or markdown (for a pull-request comment)\n"
    "  --pricing FILE      storage prices for the dollars, as for `plan`\n"
    "  --price-per-gb USD  override: a flat standard price per GB-month, as for `plan`\n"
    "  --archive-price-per-gb USD  override: a flat archive price per GB-month, as for `plan`\n"
    "  --fail-on-change    exit 1 when anything changes (a CI gate)\n";

namespace {

struct ImageChange {
  std::uint32_t image;
  Verdict old_verdict, new_verdict;
};

struct RequestChange {
  std::size_t index;  // 1-based position in the log
  AccessRequest request;
  Decided old_decision, new_decision;
};

const char* verdict_word(Verdict v) { return v == Verdict::Expire ? "expire" : v == Verdict::Transition ? "transition" : "keep"; }

std::string signed_bytes(long double delta) {
  return (delta < 0 ? "-" : "+") + human_bytes(static_cast<ByteTotal>(delta < 0 ? -delta : delta));
}

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

bool compile_side(const std::string& path, const Args& args, SourceMap& sources, CompiledPolicy& out, int& code) {
  DiagnosticSink sink;
  out = compile_policy_file(path, sources, sink, compile_options(args));
  if (out.ok) return true;
  std::cerr << render_human(sources, sink.sorted(), {false});
  code = fail(out.malformed ? kBadInput : kFindings, path + ": the policy has errors; nothing was compared");
  return false;
}

}  // namespace

int cmd_diff(const Argv& argv) {
  Args args(argv, {"--import-root", "--snapshot", "--requests", "--now", "--repository", "--format", "--pricing", "--price-per-gb", "--archive-price-per-gb"}, {"--help", "--fail-on-change"});
  if (args.has("--help")) {
    std::cout << kDiffHelp << kImportRootHelp << "\n" << kExitCodesHelp;
    return kOk;
  }
  if (args.positionals().size() != 2) throw UsageError{"`diff` needs two policy files: OLD.regpol NEW.regpol (see `regpol diff --help`)"};
  std::string old_path = args.positionals()[0], new_path = args.positionals()[1];
  if (old_path == "-") old_path = "/dev/stdin";
  if (new_path == "-") new_path = "/dev/stdin";
  if (old_path == "/dev/stdin" && new_path == "/dev/stdin") throw UsageError{"only one of OLD and NEW can come from stdin"};
  auto snapshots = args.all("--snapshot");
  if (snapshots.empty()) throw UsageError{"`diff` needs at least one --snapshot FILE"};
  std::string format = args.get("--format").value_or("text");
  if (format != "text" && format != "json" && format != "markdown") throw UsageError{"--format takes text, json or markdown"};
  LifecycleOptions lopt;
  lopt.now = now_option(args);
  PriceOptions prices;
  std::string err;
  if (!read_price_options(args, prices, err)) return fail(kBadInput, err);

  SourceMap old_sources, new_sources;
  CompiledPolicy old_policy, new_policy;
  int code = kOk;
  if (!compile_side(old_path, args, old_sources, old_policy, code)) return code;
  if (!compile_side(new_path, args, new_sources, new_policy, code)) return code;
  Registry registry;
  LoadError lerr;
  if (!load_snapshots(snapshots, registry, lerr, lopt.threads)) return fail(kBadInput, "[E0501] " + lerr.to_string());
  const std::string only = args.get("--repository").value_or("");
  PolicyRun old_run, new_run;
  if (!run_policy_lifecycle(old_policy.plan, registry, lopt, only, old_run, err)) return fail(kBadInput, old_path + ": " + err);
  if (!run_policy_lifecycle(new_policy.plan, registry, lopt, only, new_run, err)) return fail(kBadInput, new_path + ": " + err);
  if (report_evaluation_errors(registry, old_run.result, old_run.plan_of_repo) ||
      report_evaluation_errors(registry, new_run.result, new_run.plan_of_repo))
    return fail(kBadInput, "[E0601] some `where` or `per` expressions could not be evaluated; nothing was compared");

  // Each policy's dollars at the rates its own plan gets (the archive tier follows the volumes
  // it archives and expires), so the change in the saving is NEW's plan minus OLD's.
  ReportOptions old_prices, new_prices;
  apply_pricing(registry, old_run.result, prices, old_prices);
  apply_pricing(registry, new_run.result, prices, new_prices);

  // Repositories either run evaluated, in name order (the registry keeps them sorted).
  // An image whose verdict stays can still change the saving when the archive rates differ
  // between the two plans; that goes into its repository's and the total's dollars.
  std::vector<ImageChange> changes;
  std::map<std::uint32_t, double> saving_delta_of_repo;
  double saving_delta = 0;
  std::size_t images_compared = 0;
  for (std::uint32_t r = 0; r < registry.repositories.size(); ++r) {
    if (!only.empty() && registry.str(registry.repositories[r].name) != only) continue;
    for (auto idx : registry.repositories[r].images) {
      ++images_compared;
      Verdict a = old_run.result.decisions[idx].verdict, b = new_run.result.decisions[idx].verdict;
      if (a != b) changes.push_back({idx, a, b});
      double delta = image_saving_usd(registry.images[idx], b, new_prices) - image_saving_usd(registry.images[idx], a, old_prices);
      if (delta != 0) saving_delta_of_repo[r] += delta, saving_delta += delta;
    }
  }

  // Access: every request through both policies, in log order.
  std::vector<RequestChange> request_changes;
  std::size_t requests = 0;
  if (auto log = args.get("--requests")) {
    AccessDecider old_decider(&old_policy.plan, nullptr, ""), new_decider(&new_policy.plan, nullptr, "");
    old_decider.load_snapshot_state(registry);
    new_decider.load_snapshot_state(registry);
    bool ok = for_each_request(*log, [&](AccessRequest& r) {
      derive_context(r, lopt.now);
      ++requests;
      Decided a = old_decider.decide(r), b = new_decider.decide(r);
      if (a.decision != b.decision) request_changes.push_back({requests, r, a, b});
    }, err);
    if (!ok) return fail(kBadInput, err);
  }

  // Totals and per repository.
  struct Counts {
    std::size_t changed = 0, to_expire = 0, to_keep = 0, to_transition = 0;
    long double bytes_reclaimed_delta = 0;
  };
  Counts total;
  std::map<std::uint32_t, Counts> per_repo;
  for (const auto& c : changes) {
    const Image& img = registry.images[c.image];
    const long double size = static_cast<long double>(std::max<std::int64_t>(0, img.size_bytes));
    for (Counts* k : {&total, &per_repo[img.repo]}) {
      ++k->changed;
      k->to_expire += c.new_verdict == Verdict::Expire;
      k->to_keep += c.new_verdict == Verdict::Keep;
      k->to_transition += c.new_verdict == Verdict::Transition;
      k->bytes_reclaimed_delta += (c.new_verdict == Verdict::Expire ? size : 0) - (c.old_verdict == Verdict::Expire ? size : 0);
    }
  }
  auto round2 = [](double v) { return std::round(v * 100) / 100; };
  const bool changed = !changes.empty() || !request_changes.empty();
  std::string out;

  if (format == "json") {
    nlohmann::json doc;
    doc["schema"] = "regpol.diff/v1";
    doc["now"] = format_timestamp(lopt.now);
    doc["old"] = args.positionals()[0];
    doc["new"] = args.positionals()[1];
    doc["summary"] = {{"images", images_compared}, {"changed", total.changed}, {"repositories", per_repo.size()},
                      {"toExpire", total.to_expire}, {"toKeep", total.to_keep}, {"toTransition", total.to_transition},
                      {"bytesReclaimedDelta", static_cast<long long>(total.bytes_reclaimed_delta)},
                      {"monthlySavingsUsdDelta", round2(saving_delta)}};
    nlohmann::json repos = nlohmann::json::array();
    for (const auto& [r, k] : per_repo) {
      repos.push_back({{"repository", registry.str(registry.repositories[r].name)}, {"changed", k.changed}, {"toExpire", k.to_expire},
                       {"toKeep", k.to_keep}, {"toTransition", k.to_transition},
                       {"bytesReclaimedDelta", static_cast<long long>(k.bytes_reclaimed_delta)},
                       {"monthlySavingsUsdDelta", round2(saving_delta_of_repo[r])}});
    }
    doc["repositories"] = repos;
    nlohmann::json imgs = nlohmann::json::array();
    for (const auto& c : changes) {
      const Image& img = registry.images[c.image];
      nlohmann::json tags = nlohmann::json::array();
      for (std::uint32_t t = 0; t < img.tag_count; ++t) tags.push_back(registry.str(registry.tags_of(img)[t]));
      const ImageDecision& od = old_run.result.decisions[c.image];
      const ImageDecision& nd = new_run.result.decisions[c.image];
      const LifecyclePlan* op = old_run.plan_of_repo[img.repo];
      const LifecyclePlan* np = new_run.plan_of_repo[img.repo];
      imgs.push_back({{"repository", registry.repo_name(img)}, {"digest", registry.str(img.digest)}, {"tags", tags},
                      {"sizeBytes", img.size_bytes >= 0 ? nlohmann::json(img.size_bytes) : nlohmann::json(nullptr)},
                      {"old", {{"action", verdict_word(c.old_verdict)}, {"rule", rule_json(op, od)},
                               {"reason", op ? describe_decision(registry, *op, od, lopt.now) : "no lifecycle policy applies"}}},
                      {"new", {{"action", verdict_word(c.new_verdict)}, {"rule", rule_json(np, nd)},
                               {"reason", np ? describe_decision(registry, *np, nd, lopt.now) : "no lifecycle policy applies"}}}});
    }
    doc["images"] = imgs;
    if (args.has("--requests")) {
      nlohmann::json list = nlohmann::json::array();
      auto side = [](const Decided& d) {
        return nlohmann::json{{"decision", d.decision == AccessDecision::Allow ? "allow" : "deny"}, {"reason", access_reason_name(d.reason)},
                              {"statement", d.statement.empty() ? nlohmann::json(nullptr) : nlohmann::json(d.statement)}};
      };
      for (const auto& c : request_changes) {
        list.push_back({{"index", c.index}, {"principal", c.request.principal}, {"action", c.request.action},
                        {"repository", c.request.repository}, {"tag", c.request.tag}, {"old", side(c.old_decision)}, {"new", side(c.new_decision)}});
      }
      doc["access"] = {{"requests", requests}, {"changed", request_changes.size()}, {"changes", list}};
    }
    out = doc.dump(2) + "\n";
  } else {
    const bool md = format == "markdown";
    const std::string headline = std::to_string(total.changed) + " of " + plural(images_compared, "image") + " change verdict" +
                                 (total.changed ? " in " + plural(per_repo.size(), "repository", "repositories") : std::string()) + ": " +
                                 std::to_string(total.to_expire) + " now expire, " + std::to_string(total.to_keep) + " now kept, " +
                                 std::to_string(total.to_transition) + " now transition; reclaimed " + signed_bytes(total.bytes_reclaimed_delta) +
                                 ", saving " + format_usd(round2(saving_delta), true) + " USD a month";
    if (md) {
      out += "### regpol diff: `" + args.positionals()[0] + "` → `" + args.positionals()[1] + "`\n\n" + headline + "\n";
      if (!per_repo.empty()) {
        out += "\n| repository | changed | now expire | now kept | now transition | reclaimed | saving / month |\n|---|---:|---:|---:|---:|---:|---:|\n";
        for (const auto& [r, k] : per_repo) {
          out += "| " + std::string(registry.str(registry.repositories[r].name)) + " | " + std::to_string(k.changed) + " | " +
                 std::to_string(k.to_expire) + " | " + std::to_string(k.to_keep) + " | " + std::to_string(k.to_transition) + " | " +
                 signed_bytes(k.bytes_reclaimed_delta) + " | " + format_usd(round2(saving_delta_of_repo[r]), true) + " |\n";
        }
        out += "\n| repository | image | tags | old | new |\n|---|---|---|---|---|\n";
        std::size_t shown = 0;
        for (const auto& c : changes) {
          if (out.size() > 60000) break;
          const Image& img = registry.images[c.image];
          std::string tags;
          for (std::uint32_t t = 0; t < img.tag_count; ++t) tags += (t ? ", " : "") + std::string(registry.str(registry.tags_of(img)[t]));
          out += "| " + std::string(registry.repo_name(img)) + " | `" + std::string(registry.str(img.digest)).substr(0, 19) + "` | " +
                 (tags.empty() ? "(untagged)" : tags) + " | " + verdict_word(c.old_verdict) + " | **" + verdict_word(c.new_verdict) + "** |\n";
          ++shown;
        }
        if (shown < changes.size()) out += "\n… and " + std::to_string(changes.size() - shown) + " more (`regpol diff --format json` lists all)\n";
      }
    } else {
      out += "regpol diff at " + format_timestamp(lopt.now) + ": " + args.positionals()[0] + " -> " + args.positionals()[1] + "\n" + headline + "\n";
      std::uint32_t last_repo = UINT32_MAX;
      for (const auto& c : changes) {
        const Image& img = registry.images[c.image];
        if (img.repo != last_repo) {
          const Counts& k = per_repo[img.repo];
          out += "\n" + std::string(registry.repo_name(img)) + ": " + plural(k.changed, "change") + " (reclaimed " +
                 signed_bytes(k.bytes_reclaimed_delta) + ", saving " + format_usd(round2(saving_delta_of_repo[img.repo]), true) + " USD a month)\n";
          last_repo = img.repo;
        }
        std::string tags;
        for (std::uint32_t t = 0; t < img.tag_count; ++t) tags += (t ? "," : "") + std::string(registry.str(registry.tags_of(img)[t]));
        const LifecyclePlan* np = new_run.plan_of_repo[img.repo];
        const ImageDecision& nd = new_run.result.decisions[c.image];
        out += "  " + std::string(verdict_word(c.old_verdict)) + " -> " + verdict_word(c.new_verdict) + "  " +
               std::string(registry.str(img.digest)).substr(0, 19) + "  " + (tags.empty() ? "<untagged>" : tags) + "  (now: " +
               (np ? describe_decision(registry, *np, nd, lopt.now) : std::string("no lifecycle policy applies")) + ")\n";
      }
    }
    // Which prices the dollars are at (both plans' notes name the same ones).
    if (total.changed || saving_delta != 0) out += "\n" + new_prices.pricing_notes.front() + "\n";
    if (args.has("--requests")) {
      const std::string access_line = std::to_string(request_changes.size()) + " of " + plural(requests, "request") + " change decision";
      out += md ? "\n#### Access\n\n" + access_line + "\n" : "\naccess: " + access_line + "\n";
      if (md && !request_changes.empty()) out += "\n| # | principal | action | repository | old | new |\n|---:|---|---|---|---|---|\n";
      for (const auto& c : request_changes) {
        if (md && out.size() > 62000) break;
        auto word = [](const Decided& d) {
          return std::string(d.decision == AccessDecision::Allow ? "allow" : "deny") + (d.statement.empty() ? "" : " (" + d.statement + ")");
        };
        std::string where = c.request.repository + (c.request.tag.empty() ? "" : ":" + c.request.tag);
        if (md)
          out += "| " + std::to_string(c.index) + " | `" + c.request.principal + "` | " + c.request.action + " | " + where + " | " +
                 word(c.old_decision) + " | **" + word(c.new_decision) + "** |\n";
        else
          out += "  #" + std::to_string(c.index) + "  " + word(c.old_decision) + " -> " + word(c.new_decision) + "  " + c.request.principal + "  " +
                 c.request.action + "  " + where + "\n";
      }
    }
  }
  std::cout << out;
  std::cout.flush();
  if (!std::cout) return fail(kInternal, "cannot write the diff");
  return changed && args.has("--fail-on-change") ? kFindings : kOk;
}

}  // namespace regpol::cli
