// `regpol authorize`: access and tag-mutability decisions for requests, as IAM and ECR
// would make them; one request, a stream (JSON Lines) or CloudTrail logs; `--summary`
// answers "what would this policy have denied?".
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "util/text.h"
#include "access/cloudtrail.h"
#include "access/index.h"
#include "access/mutability.h"
#include "access/decider.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "util/read_file.h"
#include "diag/render.h"
#include "driver/compile.h"
#include "driver/snapshots.h"
#include "interop/iam_json.h"
#include "util/json_writer.h"

namespace regpol::cli {

static const char* kAuthorizeHelp =
    "usage: regpol authorize --policy FILE.regpol (--request REQ.json | --requests LOG) [options]\n"
    "       regpol authorize --iam-policy POLICY.json --repository NAME (--request REQ.json | --requests LOG)\n"
    "\n"
    "Decides each request as IAM would (an explicit deny that matches wins, else an allow that\n"
    "matches, else the implicit deny), then, for an allowed ecr:PutImage of a tag, as ECR's tag\n"
    "immutability would. Prints one JSON line per request, in order:\n"
    "  {\"decision\": \"allow|deny\", \"reason\": \"explicit-deny|allowed|implicit-deny|tag-immutable\",\n"
    "   \"statement\": \"<Sid or source location>\"}\n"
    "\n"
    "  --policy FILE         a regpol policy: the access statements of every block matching the\n"
    "                        request's repository, and that repository's mutability setting\n"
    "  --iam-policy FILE     an IAM repository policy document (JSON), with --repository NAME\n"
    "  --request FILE        one request (docs/access.md)\n"
    "  --requests FILE       JSON Lines (one request per line, streamed) or a CloudTrail log\n"
    "                        ({\"Records\": [...]}, ECR events only); decided in order, printed\n"
    "                        only once the whole file has been read (no partial output)\n"
    "  --snapshot SNAP       tag -> digest state to start from (each allowed push updates it),\n"
    "                        and repository mutability where the policy sets none\n"
    "  --now T               the instant for aws:CurrentTime (RFC 3339; default: now)\n"
    "  --summary             instead of one line per request: denies grouped by statement and\n"
    "                        principal (\"what would this policy have denied?\")\n"
    "  --format F            for --summary: text (default), json or markdown\n"
    "  --fail-on-deny        exit 1 when any request is denied (for CI)\n"
    "  --help                this text\n";

namespace {

// Holds the decision lines until every request has been read and decided, so that a
// malformed request anywhere leaves no partial set of decisions on stdout. The lines go to
// an anonymous temporary file, not to memory, so a log of any length runs in bounded memory.
class DecisionSpool {
 public:
  DecisionSpool() : file_(std::tmpfile()) {}
  ~DecisionSpool() {
    if (file_) std::fclose(file_);
  }
  DecisionSpool(const DecisionSpool&) = delete;
  DecisionSpool& operator=(const DecisionSpool&) = delete;

  void add(const std::string& line) {
    if (file_ && std::fwrite(line.data(), 1, line.size(), file_) == line.size()) return;
    if (file_) failed_ = true;
    else memory_ += line;  // no temporary directory: keep the lines in memory instead
  }
  // Copies everything to stdout; false when the temporary file could not be written or read.
  bool release() {
    if (failed_) return false;
    std::cout << memory_;
    if (!file_) return true;
    std::rewind(file_);
    std::vector<char> buf(1 << 16);
    std::size_t n;
    while ((n = std::fread(buf.data(), 1, buf.size(), file_)) > 0) std::cout.write(buf.data(), static_cast<std::streamsize>(n));
    return !std::ferror(file_);
  }

 private:
  std::FILE* file_;
  bool failed_ = false;
  std::string memory_;
};

}  // namespace

int cmd_authorize(const Argv& argv) {
  Args args(argv, {"--import-root", "--policy", "--iam-policy", "--repository", "--request", "--requests", "--now", "--snapshot", "--format"},
            {"--help", "--fail-on-deny", "--summary"});
  if (args.has("--help")) {
    std::cout << kAuthorizeHelp << kImportRootHelp << "\n" << kExitCodesHelp;
    return kOk;
  }
  auto iam_path = args.get("--iam-policy");
  auto policy_path = args.get("--policy");
  if (!iam_path == !policy_path) throw UsageError{"give one of --policy FILE and --iam-policy FILE (see `regpol authorize --help`)"};
  auto repository = args.get("--repository");
  if (iam_path && !repository) throw UsageError{"--iam-policy needs --repository NAME"};
  auto one = args.get("--request");
  auto many = args.get("--requests");
  if (!one == !many) throw UsageError{"give exactly one of --request FILE and --requests FILE"};
  if (!args.positionals().empty()) throw UsageError{"unexpected argument `" + args.positionals()[0] + "`"};
  std::string format = args.get("--format").value_or("text");
  if (format != "text" && format != "json" && format != "markdown") throw UsageError{"unknown format `" + format + "`"};
  if (args.has("--format") && !args.has("--summary")) throw UsageError{"--format applies to --summary"};
  const Micros now = now_option(args);

  // Compile the policy.
  std::string text, err;
  AccessPlan iam;
  SourceMap sources;
  DiagnosticSink sink;
  CompiledPolicy compiled;
  if (iam_path) {
    if (!read_file(*iam_path, text, err)) return fail(kBadInput, err);
    std::vector<DocumentProblem> problems;
    if (!access_plan_from_iam_json(*iam_path, text, iam, problems)) {
      for (const auto& p : problems) std::cerr << *iam_path << "#" << p.pointer << ": error[E0405]: " << p.message << "\n";
      return fail(kBadInput, "invalid IAM policy document");
    }
  } else {
    compiled = compile_policy_file(*policy_path, sources, sink, compile_options(args));
    if (!compiled.ok) {
      std::cerr << render_human(sources, sink.sorted(), {false});
      return fail(kBadInput, *policy_path + ": the policy has errors; nothing was decided");
    }
  }

  std::optional<AccessIndex> iam_index;
  if (iam_path) iam_index.emplace(iam);
  AccessDecider decider(policy_path ? &compiled.plan : nullptr, iam_index ? &*iam_index : nullptr, repository.value_or(""));
  if (args.has("--snapshot")) {
    Registry registry;
    LoadError lerr;
    if (!load_snapshots(args.all("--snapshot"), registry, lerr)) return fail(kBadInput, "[E0501] " + lerr.to_string());
    decider.load_snapshot_state(registry);
  }

  std::string out;
  bool denied = false;
  struct Group {
    std::size_t count = 0;
    std::string example_action;
  };
  std::map<std::pair<std::string, std::string>, Group> summary;  // (statement or reason, principal)
  std::size_t total = 0, total_denied = 0;
  DecisionSpool spool;
  auto decide = [&](AccessRequest& r) {
    derive_context(r, now);
    Decided d = decider.decide(r);
    ++total;
    if (d.decision == AccessDecision::Deny) {
      denied = true;
      ++total_denied;
      auto& g = summary[{d.statement.empty() ? std::string("(") + access_reason_name(d.reason) + ")" : d.statement, r.principal}];
      if (g.count++ == 0) g.example_action = r.action;
    }
    if (!args.has("--summary")) spool.add(decision_line(d));
  };
  // Decisions are spooled, not printed, until every request has been read: a malformed
  // request anywhere means exit 3 and no decisions at all.
  if (one) {
    if (!read_file(*one, text, err)) return fail(kBadInput, err);
    AccessRequest r;
    if (!parse_request_json(text, r, err)) return fail(kBadInput, *one + ": " + err);
    decide(r);
  } else if (!for_each_request(*many, decide, err)) {
    return fail(kBadInput, err);
  }
  if (args.has("--summary")) {
    if (format == "json") {
      nlohmann::json groups = nlohmann::json::array();
      for (const auto& [key, g] : summary) {
        groups.push_back({{"statement", key.first}, {"principal", key.second}, {"denies", g.count}, {"exampleAction", g.example_action}});
      }
      out = nlohmann::json{{"schema", "regpol.authorize-summary/v1"}, {"requests", total}, {"denied", total_denied}, {"groups", groups}}.dump(2) + "\n";
    } else if (format == "markdown") {
      out = "### regpol authorize: " + std::to_string(total_denied) + " of " + std::to_string(total) + " requests denied\n\n";
      out += "| statement | principal | denies | e.g. |\n|---|---|---:|---|\n";
      for (const auto& [key, g] : summary) {
        out += "| " + key.first + " | `" + key.second + "` | " + std::to_string(g.count) + " | " + g.example_action + " |\n";
      }
    } else {
      out = std::to_string(total_denied) + " of " + std::to_string(total) + " requests denied\n";
      for (const auto& [key, g] : summary) {
        out += "  " + std::to_string(g.count) + "  " + key.first + "  " + key.second + "  (e.g. " + g.example_action + ")\n";
      }
    }
  }
  if (!spool.release()) return fail(kInternal, "cannot write the decisions to a temporary file");
  std::cout << out;
  return denied && args.has("--fail-on-deny") ? kFindings : kOk;
}

}  // namespace regpol::cli
