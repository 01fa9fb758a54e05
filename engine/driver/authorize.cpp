// `regpol authorize` below the command line (driver/authorize.h).
#include "driver/authorize.h"

#include <iostream>

#include "access/decider.h"
#include "access/index.h"
#include "access/request.h"
#include "driver/exit_code.h"
#include "driver/snapshots.h"
#include "interop/iam_json.h"
#include "util/read_file.h"

namespace regpol {

int load_iam_policy_or_fail(const std::string& path, AccessPlan& plan) {
  std::string text, err;
  if (!read_document(path, text, err)) return fail(kBadInput, err);
  std::vector<DocumentProblem> problems;
  if (!access_plan_from_iam_json(path, text, plan, problems)) {
    for (const auto& p : problems) std::cerr << path << "#" << p.pointer << ": error[E0405]: " << p.message << "\n";
    return fail(kBadInput, "invalid IAM policy document");
  }
  return kOk;
}

int authorize_requests(const AuthorizeRequest& request, const std::function<void(const std::string& line)>& on_decision,
                       AccessSummary& summary) {
  // Compile the policy.
  std::string text, err;
  AccessPlan iam;
  SourceMap sources;
  CompiledPolicy compiled;
  if (request.iam_policy) {
    if (int code = load_iam_policy_or_fail(*request.iam_policy, iam); code != kOk) return code;
  } else {
    if (int code = compile_policy_or_fail(*request.policy, sources, request.compile, kBadInput, "decided", compiled); code != kOk) return code;
  }

  std::optional<AccessIndex> iam_index;
  if (request.iam_policy) iam_index.emplace(iam);
  AccessDecider decider(request.policy ? &compiled.plan : nullptr, iam_index ? &*iam_index : nullptr, request.repository);
  if (!request.snapshots.empty()) {
    Registry registry;
    LoadError lerr;
    if (!load_snapshots(request.snapshots, registry, lerr)) return fail(kBadInput, "[E0501] " + lerr.to_string());
    decider.load_snapshot_state(registry);
  }

  auto decide = [&](AccessRequest& r) {
    derive_context(r, request.now);
    Decided d = decider.decide(r);
    ++summary.total;
    if (d.decision == AccessDecision::Deny) {
      ++summary.denied;
      auto& g = summary.groups[{d.statement.empty() ? std::string("(") + access_reason_name(d.reason) + ")" : d.statement, r.principal}];
      if (g.count++ == 0) g.example_action = r.action;
    }
    on_decision(decision_line(d));
  };
  if (request.request) {
    if (!read_document(*request.request, text, err)) return fail(kBadInput, err);
    AccessRequest r;
    if (!parse_request_json(text, r, err)) return fail(kBadInput, *request.request + ": " + err);
    decide(r);
  } else if (request.requests && !for_each_request(*request.requests, decide, err)) {
    return fail(kBadInput, err);
  }
  return kOk;
}

}  // namespace regpol
