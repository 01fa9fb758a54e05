// `regpol authorize`: access and tag-mutability decisions for requests, as IAM and ECR
// would make them; one request, a stream (JSON Lines) or CloudTrail logs; `--summary`
// answers "what would this policy have denied?".
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "cli/args.h"
#include "cli/commands.h"
#include "driver/authorize.h"

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
    std::cout << kAuthorizeHelp << kImportRootHelp << "\n" << exit_codes_help("a request was denied, with --fail-on-deny");
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

  AuthorizeRequest request;
  request.policy = policy_path;
  request.iam_policy = iam_path;
  request.repository = repository.value_or("");
  request.compile = compile_options(args);
  request.snapshots = args.all("--snapshot");
  request.request = one;
  request.requests = many;
  request.now = now;
  // Decisions are spooled, not printed, until every request has been read: a malformed
  // request anywhere means exit 3 and no decisions at all.
  const bool summarize = args.has("--summary");
  DecisionSpool spool;
  AccessSummary summary;
  auto spool_line = [&](const std::string& line) {
    if (!summarize) spool.add(line);
  };
  if (int code = authorize_requests(request, spool_line, summary); code != kOk) return code;
  std::string out = summarize ? render_access_summary(summary, format) : "";
  if (!spool.release()) return fail(kInternal, "cannot write the decisions to a temporary file");
  std::cout << out;
  return summary.denied > 0 && args.has("--fail-on-deny") ? kFindings : kOk;
}

}  // namespace regpol::cli
