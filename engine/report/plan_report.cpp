#include "report/plan_report.h"

#include <cmath>
#include <cstdio>
#include <ostream>
#include <sstream>

#include "report/json_writer.h"

namespace regpol {

namespace {

constexpr double kBytesPerGb = 1024.0 * 1024.0 * 1024.0;  // AWS bills storage "GB" as 2^30 bytes

const char* verdict_name(Verdict v) {
  switch (v) {
    case Verdict::Keep: return "keep";
    case Verdict::Expire: return "expire";
    case Verdict::Transition: return "transition";
  }
  return "keep";
}

std::string money(double usd) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", usd);
  return buf;
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

void rule_json(std::string& out, const LifecyclePlan* plan, const ImageDecision& d) {
  if (!plan) {
    out += "null";
    return;
  }
  if (d.reason == Reason::Protected) {
    const auto& p = plan->protects[static_cast<std::size_t>(d.protect)];
    out += "{\"protect\": ";
    append_json_string(out, p.label);
    out += ", \"source\": ";
    append_json_string(out, p.source);
    out += "}";
    return;
  }
  if (d.verdict == Verdict::Keep || d.rule < 0) {
    out += "null";
    return;
  }
  const auto& r = plan->rules[static_cast<std::size_t>(d.rule)];
  out += "{\"priority\": " + std::to_string(r.priority) + ", \"description\": ";
  append_json_string(out, r.description);
  out += ", \"source\": ";
  append_json_string(out, r.source);
  out += "}";
}

// Writes `out` to `sink` once it passes 1 MB, so a report of millions of images is never
// held in memory whole.
void spill(std::string& out, std::ostream& sink) {
  if (out.size() < (1 << 20)) return;
  sink << out;
  out.clear();
}

void render_json(const Registry& reg, const LifecycleResult& res, const std::vector<const LifecyclePlan*>& plans,
                 const ReportOptions& opt, std::ostream& sink) {
  ReportTotals t = compute_totals(reg, res, opt);
  std::string out;
  out.reserve(2 << 20);
  out += "{\n  \"schema\": \"regpol.plan/v1\",\n  \"now\": \"" + format_timestamp(opt.now) + "\",\n";
  out += "  \"summary\": {\"repositories\": " + std::to_string(t.repositories) + ", \"images\": " + std::to_string(t.images) +
         ", \"keep\": " + std::to_string(t.keep) + ", \"expire\": " + std::to_string(t.expire) +
         ", \"transition\": " + std::to_string(t.transition) + ", \"bytesReclaimed\": " + std::to_string(t.bytes_reclaimed) +
         ", \"bytesTransitioned\": " + std::to_string(t.bytes_transitioned) +
         ", \"monthlySavingsUsd\": " + money(t.monthly_savings_usd) + "},\n  \"images\": [";
  bool first = true;
  for (auto r : res.repositories) {
    const auto& repo = reg.repositories[r];
    for (auto idx : repo.images) {
      const Image& img = reg.images[idx];
      const ImageDecision& d = res.decisions[idx];
      out += first ? "\n    " : ",\n    ";
      first = false;
      out += "{\"repository\": ";
      append_json_string(out, reg.str(repo.name));
      out += ", \"digest\": ";
      append_json_string(out, reg.str(img.digest));
      out += ", \"tags\": [";
      for (std::uint32_t k = 0; k < img.tag_count; ++k) {
        if (k) out += ", ";
        append_json_string(out, reg.str(reg.tags_of(img)[k]));
      }
      out += "], \"pushedAt\": \"" + format_timestamp(img.pushed_at) + "\", \"sizeBytes\": ";
      out += img.size_bytes >= 0 ? std::to_string(img.size_bytes) : "null";
      out += ", \"storageClass\": ";
      out += img.storage_class() == StorageClass::Archive ? "\"archive\"" : "\"standard\"";
      out += ", \"action\": \"";
      out += verdict_name(d.verdict);
      out += "\", \"rule\": ";
      rule_json(out, plans[r], d);
      out += ", \"reason\": ";
      append_json_string(out, plans[r] ? describe_decision(reg, *plans[r], d, opt.now) : "no lifecycle policy applies");
      out += "}";
      spill(out, sink);
    }
  }
  out += first ? "]\n}\n" : "\n  ]\n}\n";
  sink << out;
}

std::string pad(std::string s, std::size_t w) {
  if (s.size() < w) s.append(w - s.size(), ' ');
  return s;
}

void render_text(const Registry& reg, const LifecycleResult& res, const std::vector<const LifecyclePlan*>& plans,
                 const ReportOptions& opt, bool markdown, std::ostream& sink) {
  ReportTotals t = compute_totals(reg, res, opt);
  std::string out;
  if (markdown) {
    out += "### regpol plan at " + format_timestamp(opt.now) + "\n\n";
    out += "| repositories | images | expire | transition | keep | reclaimed | saving / month |\n";
    out += "|---:|---:|---:|---:|---:|---:|---:|\n";
    out += "| " + std::to_string(t.repositories) + " | " + std::to_string(t.images) + " | " + std::to_string(t.expire) + " | " +
           std::to_string(t.transition) + " | " + std::to_string(t.keep) + " | " + human_bytes(t.bytes_reclaimed) + " | $" +
           money(t.monthly_savings_usd) + " |\n";
  } else {
    out += "regpol plan at " + format_timestamp(opt.now) + "\n";
  }
  for (auto r : res.repositories) {
    const auto& repo = reg.repositories[r];
    std::size_t e = 0, tr = 0, k = 0;
    for (auto idx : repo.images) {
      auto v = res.decisions[idx].verdict;
      (v == Verdict::Expire ? e : v == Verdict::Transition ? tr : k)++;
    }
    std::string head = std::string(reg.str(repo.name)) + ": " + std::to_string(repo.images.size()) + " images, " +
                       std::to_string(e) + " expire, " + std::to_string(tr) + " transition, " + std::to_string(k) + " keep";
    if (markdown) {
      if (e + tr == 0) continue;  // a pull-request comment lists only what changes
      out += "\n#### " + head + "\n\n| action | digest | tags | pushed | size | why |\n|---|---|---|---|---|---|\n";
    } else {
      out += "\n" + head + "\n";
    }
    for (auto idx : repo.images) {
      const Image& img = reg.images[idx];
      const ImageDecision& d = res.decisions[idx];
      if (markdown && d.verdict == Verdict::Keep) continue;
      std::string why = plans[r] ? describe_decision(reg, *plans[r], d, opt.now) : "no lifecycle policy applies";
      std::string size = img.size_bytes >= 0 ? human_bytes(img.size_bytes) : "?";
      std::string pushed = format_timestamp(img.pushed_at).substr(0, 10);
      if (markdown) {
        std::string tags = tags_text(reg, img);
        for (auto& c : tags) if (c == '|') c = '/';
        out += "| " + std::string(verdict_name(d.verdict)) + " | `" + short_digest(reg.str(img.digest)) + "` | " + tags + " | " +
               pushed + " | " + size + " | " + why + " |\n";
      } else {
        const char* col = !opt.color ? "" : d.verdict == Verdict::Expire ? "\x1b[31m" : d.verdict == Verdict::Transition ? "\x1b[33m" : "\x1b[32m";
        out += "  " + std::string(col) + pad(verdict_name(d.verdict), 10) + (opt.color ? "\x1b[0m" : "") + " " +
               pad(short_digest(reg.str(img.digest)), 20) + " " + pad(tags_text(reg, img), 24) + " " + pushed + " " +
               pad(size, 10) + " " + why + "\n";
      }
      spill(out, sink);
    }
  }
  if (!markdown) {
    out += "\ntotal: " + std::to_string(t.repositories) + (t.repositories == 1 ? " repository, " : " repositories, ") +
           std::to_string(t.images) + (t.images == 1 ? " image: " : " images: ") +
           std::to_string(t.expire) + " expire, " + std::to_string(t.transition) + " transition, " + std::to_string(t.keep) +
           " keep\n";
    out += "reclaimed: " + human_bytes(t.bytes_reclaimed) + " expired, " + human_bytes(t.bytes_transitioned) +
           " moved to archive; saving $" + money(t.monthly_savings_usd) + " a month at $" + money(opt.price_per_gb) +
           "/GB-month standard, $" + money(opt.archive_price_per_gb) + "/GB-month archive\n";
  }
  sink << out;
}

}  // namespace

std::string human_bytes(std::int64_t bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (std::fabs(v) >= 1024 && u < 5) {
    v /= 1024;
    ++u;
  }
  char buf[32];
  if (u == 0) std::snprintf(buf, sizeof buf, "%lld B", static_cast<long long>(bytes));
  else std::snprintf(buf, sizeof buf, "%.1f %s", v, units[u]);
  return buf;
}

ReportTotals compute_totals(const Registry& reg, const LifecycleResult& res, const ReportOptions& opt) {
  ReportTotals t;
  t.repositories = res.repositories.size();
  for (auto r : res.repositories) {
    for (auto idx : reg.repositories[r].images) {
      const Image& img = reg.images[idx];
      std::int64_t size = std::max<std::int64_t>(0, img.size_bytes);
      ++t.images;
      switch (res.decisions[idx].verdict) {
        case Verdict::Keep: ++t.keep; break;
        case Verdict::Expire: ++t.expire; t.bytes_reclaimed += size; break;
        case Verdict::Transition: ++t.transition; t.bytes_transitioned += size; break;
      }
    }
  }
  // Expired images stop costing standard storage (or archive storage, if they were archived);
  // transitioned ones move from the standard price to the archive price.
  double saving = 0;
  for (auto r : res.repositories) {
    for (auto idx : reg.repositories[r].images) {
      const Image& img = reg.images[idx];
      double gb = static_cast<double>(std::max<std::int64_t>(0, img.size_bytes)) / kBytesPerGb;
      auto v = res.decisions[idx].verdict;
      if (v == Verdict::Expire) saving += gb * (img.storage_class() == StorageClass::Archive ? opt.archive_price_per_gb : opt.price_per_gb);
      if (v == Verdict::Transition) saving += gb * (opt.price_per_gb - opt.archive_price_per_gb);
    }
  }
  t.monthly_savings_usd = std::round(saving * 100) / 100;
  return t;
}

void write_plan_report(const Registry& registry, const LifecycleResult& result, const std::vector<const LifecyclePlan*>& plan_of_repo,
                       ReportFormat format, const ReportOptions& options, std::ostream& sink) {
  switch (format) {
    case ReportFormat::Json: render_json(registry, result, plan_of_repo, options, sink); break;
    case ReportFormat::Markdown: render_text(registry, result, plan_of_repo, options, true, sink); break;
    case ReportFormat::Text: render_text(registry, result, plan_of_repo, options, false, sink); break;
  }
}

std::string render_plan_report(const Registry& registry, const LifecycleResult& result,
                               const std::vector<const LifecyclePlan*>& plan_of_repo, ReportFormat format,
                               const ReportOptions& options) {
  std::ostringstream out;
  write_plan_report(registry, result, plan_of_repo, format, options, out);
  return out.str();
}

}  // namespace regpol
