// `regpol authorize`: access decisions for requests, as IAM would make them.
#include <chrono>
#include <fstream>
#include <iostream>

#include "access/evaluate.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "plan/iam_json.h"
#include "report/json_writer.h"

namespace regpol::cli {

static const char* kAuthorizeHelp =
    "usage: regpol authorize --iam-policy POLICY.json --repository NAME (--request REQ.json | --requests LOG.jsonl)\n"
    "\n"
    "Decides each request as IAM would for an ECR repository policy: an explicit deny that\n"
    "matches wins, else an allow that matches, else the implicit deny. Prints one JSON line per\n"
    "request: {\"decision\": \"allow|deny\", \"reason\": \"explicit-deny|allowed|implicit-deny\",\n"
    "\"statement\": \"<Sid or document location>\"}.\n"
    "\n"
    "  --iam-policy FILE    an IAM repository policy document (JSON)\n"
    "  --repository NAME    the repository the policy is attached to; a request for another\n"
    "                       repository is not covered by it (implicit deny)\n"
    "  --request FILE       one request (docs/interfaces.md)\n"
    "  --requests FILE      one request per line (JSON Lines), decided in order\n"
    "  --now T              the instant for aws:CurrentTime (RFC 3339; default: now)\n"
    "  --fail-on-deny       exit 1 when any request is denied\n"
    "  --help               this text\n";

namespace {

std::string decision_line(const AccessResult& r) {
  std::string out = "{\"decision\": \"";
  out += r.decision == AccessDecision::Allow ? "allow" : "deny";
  out += "\", \"reason\": \"";
  out += access_reason_name(r.reason);
  out += "\", \"statement\": ";
  if (r.statement) append_json_string(out, r.statement->label());
  else out += "null";
  out += "}\n";
  return out;
}

}  // namespace

int cmd_authorize(const Argv& argv) {
  Args args(argv, {"--iam-policy", "--repository", "--request", "--requests", "--now"}, {"--help", "--fail-on-deny"});
  if (args.has("--help")) {
    std::cout << kAuthorizeHelp << "\n" << kExitCodesHelp;
    return kOk;
  }
  auto policy_path = args.get("--iam-policy");
  if (!policy_path) throw UsageError{"`authorize` needs --iam-policy FILE (see `regpol authorize --help`)"};
  auto repository = args.get("--repository");
  if (!repository) throw UsageError{"--iam-policy needs --repository NAME"};
  auto one = args.get("--request");
  auto many = args.get("--requests");
  if (!one == !many) throw UsageError{"give exactly one of --request FILE and --requests FILE"};
  if (!args.positionals().empty()) throw UsageError{"unexpected argument `" + args.positionals()[0] + "`"};
  Micros now;
  if (auto n = args.get("--now")) {
    auto t = parse_timestamp(*n);
    if (!t) throw UsageError{"--now needs an RFC 3339 instant with a zone, such as 2026-11-27T00:00:00Z"};
    now = *t;
  } else {
    now = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  }

  std::string text, err;
  if (!read_file(*policy_path, text, err)) return fail(kBadInput, err);
  AccessPlan plan;
  std::vector<DocumentProblem> problems;
  if (!access_plan_from_iam_json(*policy_path, text, plan, problems)) {
    for (const auto& p : problems) std::cerr << *policy_path << "#" << p.pointer << ": error[E0405]: " << p.message << "\n";
    return fail(kBadInput, "invalid IAM policy document");
  }

  // Every request is read and checked before any decision is printed: a malformed
  // request never leaves a partial set of decisions behind.
  std::vector<AccessRequest> requests;
  if (one) {
    if (!read_file(*one, text, err)) return fail(kBadInput, err);
    AccessRequest r;
    if (!parse_request_json(text, r, err)) return fail(kBadInput, *one + ": " + err);
    requests.push_back(std::move(r));
  } else {
    std::ifstream in(*many, std::ios::binary);
    if (!in) return fail(kBadInput, *many + ": cannot open");
    std::string line;
    for (std::size_t n = 1; std::getline(in, line); ++n) {
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      AccessRequest r;
      if (!parse_request_json(line, r, err)) return fail(kBadInput, *many + ":" + std::to_string(n) + ": " + err);
      requests.push_back(std::move(r));
    }
  }
  std::string out;
  bool denied = false;
  for (auto& r : requests) {
    derive_context(r, now);
    AccessResult res;
    if (r.repository == *repository) res = evaluate_access(plan, r);
    denied = denied || res.decision == AccessDecision::Deny;
    out += decision_line(res);
  }
  std::cout << out;
  return denied && args.has("--fail-on-deny") ? kFindings : kOk;
}

}  // namespace regpol::cli
