#include "driver/apply_metrics.h"

#include <cstdio>
#include <cstdlib>

#include "registry/http/http_client.h"
#include "report/plan_report.h"
#include "report/runs_report.h"

namespace regpol {

namespace {

// A label value as the exposition format quotes it: backslash, double quote and newline
// escaped.
std::string label_value(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

// The shortest of %.15g and %.17g that reads back as `v` (0.013955, not 0.013954975999999999).
std::string number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.15g", v);
  if (std::strtod(buf, nullptr) != v) std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

class Exposition {
 public:
  explicit Exposition(const std::string& target) : target_("target=\"" + label_value(target) + "\"") {}
  void family(const char* name, const char* help) {
    text_ += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " gauge\n";
  }
  void sample(const char* name, double value, const std::string& labels = "") {
    text_ += std::string(name) + "{" + target_ + (labels.empty() ? "" : "," + labels) + "} " + number(value) + "\n";
  }
  const std::string& text() const { return text_; }

 private:
  std::string target_, text_;
};

double seconds(Micros t) { return static_cast<double>(t) / static_cast<double>(kMicrosPerSecond); }

}  // namespace

std::string apply_metrics_text(const ApplyOutcome& o) {
  Exposition m(o.target);
  m.family("regpol_apply_exit_code", "Exit code of the last regpol apply (0 done, 1 refused, 2 usage, 3 bad input, 4 stopped or failed actions, 5 busy).");
  m.sample("regpol_apply_exit_code", o.exit_code);
  m.family("regpol_apply_end_timestamp_seconds", "When the last regpol apply ended, in seconds since the epoch.");
  m.sample("regpol_apply_end_timestamp_seconds", seconds(o.finished_at));
  m.family("regpol_apply_duration_seconds", "How long the last regpol apply took, pull included.");
  m.sample("regpol_apply_duration_seconds", o.duration_seconds);
  if (o.last_success != kNoTime) {
    m.family("regpol_apply_last_success_timestamp_seconds", "When the newest finished run of the state database ended, in seconds since the epoch.");
    m.sample("regpol_apply_last_success_timestamp_seconds", seconds(o.last_success));
  }
  if (!o.run) return m.text();
  const RunRecord& r = *o.run;
  m.family("regpol_apply_run_id", "The run the last regpol apply recorded or resumed (regpol runs show ID).");
  m.sample("regpol_apply_run_id", static_cast<double>(r.id));
  m.family("regpol_apply_run_status", "1 for the status of that run (finished, refused, running: stopped, to resume).");
  for (const char* s : {"finished", "refused", "running", "failed", "abandoned", "superseded"})
    m.sample("regpol_apply_run_status", r.status == s ? 1 : 0, std::string("status=\"") + s + "\"");
  m.family("regpol_apply_run_actions", "Actions of that run by outcome (planned: all of them).");
  const std::pair<const char*, std::int64_t> outcomes[] = {{"planned", r.planned}, {"done", r.done},         {"already_done", r.already},
                                                           {"skipped", r.skipped}, {"deferred", r.deferred}, {"failed", r.failed},
                                                           {"pending", r.pending}};
  for (const auto& [name, n] : outcomes) m.sample("regpol_apply_run_actions", static_cast<double>(n), std::string("outcome=\"") + name + "\"");
  m.family("regpol_apply_run_deleted_images", "Images that run deleted (not those found already gone).");
  m.sample("regpol_apply_run_deleted_images", static_cast<double>(r.deleted));
  m.family("regpol_apply_run_transitioned_images", "Images that run moved to the archive class.");
  m.sample("regpol_apply_run_transitioned_images", static_cast<double>(r.transitioned));
  m.family("regpol_apply_run_untagged_images", "Images that run removed tags from (untag rules); they stay.");
  m.sample("regpol_apply_run_untagged_images", static_cast<double>(r.untagged));
  m.family("regpol_apply_run_deleted_bytes", "Summed sizes of the images that run deleted (a registry's garbage collection may free less).");
  m.sample("regpol_apply_run_deleted_bytes", static_cast<double>(r.bytes_deleted));
  if (r.bytes_freed >= 0) {  // only a snapshot with blobs (an OCI pull) knows it
    m.family("regpol_apply_run_freed_bytes",
             "Bytes that run's deletions freed in the registry's storage (blobs no remaining image references, each once; "
             "reclaimed by the registry's garbage collection).");
    m.sample("regpol_apply_run_freed_bytes", static_cast<double>(r.bytes_freed));
  }
  m.family("regpol_apply_run_planned_deletions", "Deletions that run planned, carried out or not.");
  m.sample("regpol_apply_run_planned_deletions", static_cast<double>(r.planned_deletions));
  return m.text();
}

namespace {

// Base64url with padding, as the Pushgateway reads a grouping label value given as
// `label@base64/VALUE` (a target holds slashes).
std::string base64url(const std::string& in) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) | static_cast<unsigned char>(in[i + 2]);
    for (int shift : {18, 12, 6, 0}) out += kAlphabet[(v >> shift) & 63];
  }
  if (i + 1 == in.size()) {
    unsigned v = static_cast<unsigned char>(in[i]) << 16;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

}  // namespace

std::string push_apply_metrics(const std::string& gateway_url, const std::string& target, const std::string& text) {
  http::Url url;
  std::string error;
  if (!http::parse_url(gateway_url, url, error)) return error;
  if (!http::check_transport(url, /*allow_insecure=*/true, error)) return error;
  std::string base = gateway_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  http::Request request;
  request.method = "PUT";
  request.url = base + "/metrics/job/regpol_apply/target@base64/" + base64url(target);
  request.headers = {{"Content-Type", "text/plain; version=0.0.4"}};
  request.body = text;
  request.timeout_ms = 10000;
  http::Client client;
  http::Response answer = client.send(request);
  if (answer.status == 0) return gateway_url + ": " + answer.error;
  if (answer.status / 100 != 2) return gateway_url + ": HTTP " + std::to_string(answer.status) + " " + answer.body.substr(0, 200);
  return "";
}

std::string apply_notification_json(const ApplyOutcome& o) {
  static const char* kMeaning[] = {"finished", "refused", "usage error", "bad input", "stopped or some actions failed", "busy (another apply holds the state file)"};
  const std::string meaning = o.exit_code >= 0 && o.exit_code <= 5 ? kMeaning[o.exit_code] : "exit " + std::to_string(o.exit_code);
  std::string text = "regpol apply on " + o.target + ": " + meaning;
  nlohmann::json j = {{"schema", "regpol.notification/v1"}, {"target", o.target}, {"exitCode", o.exit_code}, {"outcome", meaning},
                      {"durationSeconds", o.duration_seconds}, {"endedAt", format_timestamp(o.finished_at)}};
  if (o.run) {
    const RunRecord& r = *o.run;
    text += " (run " + std::to_string(r.id) + ": ";
    if (r.status == "refused") {
      text += "nothing carried out of " + std::to_string(r.planned_deletions) + " planned deletions; " + r.message.substr(0, r.message.find('\n'));
    } else {
      text += std::to_string(r.deleted) + " deleted (" + run_deleted_bytes_text(r) + "), " + std::to_string(r.transitioned) +
              " transitioned";
      if (r.untagged) text += ", " + std::to_string(r.untagged) + " untagged";
      if (r.deferred) text += ", " + std::to_string(r.deferred) + " deferred";
      if (r.skipped) text += ", " + std::to_string(r.skipped) + " skipped";
      if (r.failed) text += ", " + std::to_string(r.failed) + " failed";
      if (r.pending) text += ", " + std::to_string(r.pending) + " left to resume";
    }
    text += ")";
    j["run"] = {{"id", r.id},
                {"status", r.status},
                {"source", r.source},
                {"message", r.message},
                {"counts", run_counts_json(r)}};
  }
  j["text"] = text;
  return j.dump();
}

std::string post_apply_notification(const std::string& url_text, const std::string& json) {
  http::Url url;
  std::string error;
  if (!http::parse_url(url_text, url, error)) return error;
  // A webhook URL carries its secret in the path: https only, except to this machine.
  if (!http::check_transport(url, /*allow_insecure=*/false, error)) return error;
  http::Request request;
  request.method = "POST";
  request.url = url_text;
  request.headers = {{"Content-Type", "application/json"}};
  request.body = json;
  request.timeout_ms = 10000;
  http::Client client;
  http::Response answer = client.send(request);
  // The URL is not repeated: a webhook's path is its credential.
  if (answer.status == 0) return "the notification was not delivered: " + answer.error;
  if (answer.status / 100 != 2) return "the notification was refused: HTTP " + std::to_string(answer.status);
  return "";
}

}  // namespace regpol
