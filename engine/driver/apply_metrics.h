#pragma once
// `apply --metrics-file`: what the run did, in the Prometheus text exposition format, for
// node_exporter's textfile collector (docs/scheduling.md). Written after every apply,
// whatever its outcome, so that an alert can fire on a refused or a failed night.
#include <cstdint>
#include <optional>
#include <nlohmann/json.hpp>
#include <string>

#include "report/runs_report.h"
#include "store/state_store.h"

namespace regpol {

struct ApplyOutcome {
  std::string target;              // the --target as given
  int exit_code = 0;
  double duration_seconds = 0;
  Micros finished_at = kNoTime;    // when the command ended
  std::optional<RunRecord> run;    // the run this command recorded or resumed, if any
  Micros last_success = kNoTime;   // the newest finished run of the state database
};

// The exposition text (every sample labelled with the target).
std::string apply_metrics_text(const ApplyOutcome& outcome);

// `apply --metrics-push URL`: the same text PUT to a Prometheus Pushgateway, in the group
// job "regpol_apply" and the target (so that each target keeps its own metrics). http:// is
// allowed anywhere (a Pushgateway in a cluster; the metrics hold no secret). "" or why not.
std::string push_apply_metrics(const std::string& gateway_url, const std::string& target, const std::string& text);

// `apply --notify URL`: a JSON summary of the outcome POSTed to URL (https, or http to a
// loopback address), with a one-line `text` that chat webhooks (Slack, Mattermost, Teams
// workflows) show as the message. "" or why not.
std::string apply_notification_json(const ApplyOutcome& outcome);
std::string post_apply_notification(const std::string& url, const std::string& json);

}  // namespace regpol
