// `regpol check`: Access Analyzer's custom policy checks, offline, proved for every request
// with a counterexample when one fails (driver/check.h, docs/verify.md).
#include <iostream>
#include <string>

#include "cli/args.h"
#include "cli/commands.h"
#include "driver/check.h"

namespace regpol::cli {

static const char* kCheckHelp =
    "usage: regpol check access-not-granted --action ACTION[,ACTION…] POLICY [options]\n"
    "       regpol check no-public-access POLICY [--account ID]… [options]\n"
    "       regpol check no-new-access --existing OLD NEW [options]\n"
    "\n"
    "Proves an access property for every possible request, not only the ones given: the\n"
    "policy's access statements (IAM's logic, as `regpol authorize` decides) are encoded for\n"
    "the Z3 solver over every class of request the policy can tell apart. The answer is\n"
    "`proved`, `failed` with a counterexample request (which replays unchanged through\n"
    "`regpol authorize --request`; it is replayed through the evaluator before it is\n"
    "printed), or `unknown` (a construct the prover does not encode yet, or the timeout):\n"
    "never reported as proved.\n"
    "\n"
    "  access-not-granted   no request whose action is one of --action is allowed\n"
    "  no-public-access     no caller from an account the policy does not name (nor --account),\n"
    "                       showing no fixed value the policy names of aws:PrincipalOrgID,\n"
    "                       aws:SourceVpc, aws:SourceVpce or aws:SourceAccount, is allowed anything\n"
    "  no-new-access        NEW allows nothing that OLD (--existing) does not\n"
    "\n"
    "POLICY is a regpol policy (its access rules for --repository) or an ECR repository policy\n"
    "document (a file ending in .json).\n"
    "\n"
    "  --repository NAME    the repository whose access rules are checked (regpol policies;\n"
    "                       for a JSON document, the name its Resource patterns are matched\n"
    "                       against; default `repository`)\n"
    "  --action A[,A…]      access-not-granted: the actions (repeatable)\n"
    "  --account ID         no-public-access: an account that is not the public (repeatable)\n"
    "  --existing OLD       no-new-access: the policy NEW is compared with\n"
    "  --timeout MS         the solver's time limit per check (default 2000); past it: unknown\n"
    "  --format F           text (default) or json: {\"check\", \"policy\", \"repository\",\n"
    "                       \"result\": \"proved|failed|unknown\", \"counterexample\": REQUEST|null,\n"
    "                       \"decidedBy\": the statement that allowed it|null, \"why\" (unknown)}\n"
    "  --help               this text\n";

int cmd_check(const Argv& argv) {
  Args args(argv, {"--import-root", "--repository", "--action", "--account", "--existing", "--timeout", "--format"}, {"--help"});
  if (args.has("--help")) {
    std::cout << kCheckHelp << kImportRootHelp << "\n" << exit_codes_help("the property failed, or could not be decided (unknown)", "a counterexample did not replay through the evaluator (an internal error)");
    return kOk;
  }
  const auto& pos = args.positionals();
  if (pos.size() != 2) throw UsageError{"give a check and one policy file (see `regpol check --help`)"};
  CheckRequest request;
  if (pos[0] == "access-not-granted") request.kind = CheckKind::AccessNotGranted;
  else if (pos[0] == "no-public-access") request.kind = CheckKind::NoPublicAccess;
  else if (pos[0] == "no-new-access") request.kind = CheckKind::NoNewAccess;
  else throw UsageError{"unknown check `" + pos[0] + "` (access-not-granted, no-public-access, no-new-access)"};
  request.policy = pos[1];
  request.repository = args.get("--repository").value_or("repository");
  for (const auto& list : args.all("--action")) {
    std::size_t start = 0;
    while (start <= list.size()) {
      const auto comma = list.find(',', start);
      const std::string a = list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      if (a.empty()) throw UsageError{"--action: an empty action in `" + list + "`"};
      request.actions.push_back(a);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  request.accounts = args.all("--account");
  for (const auto& a : request.accounts) {
    if (a.size() != 12 || a.find_first_not_of("0123456789") != std::string::npos) throw UsageError{"--account `" + a + "` is not a 12-digit account id"};
  }
  request.existing = args.get("--existing");
  if (request.kind == CheckKind::AccessNotGranted && request.actions.empty()) throw UsageError{"access-not-granted needs --action"};
  if (request.kind != CheckKind::AccessNotGranted && !request.actions.empty()) throw UsageError{"--action applies to access-not-granted"};
  if (request.kind != CheckKind::NoPublicAccess && !request.accounts.empty()) throw UsageError{"--account applies to no-public-access"};
  if ((request.kind == CheckKind::NoNewAccess) != request.existing.has_value())
    throw UsageError{request.existing ? "--existing applies to no-new-access" : "no-new-access needs --existing OLD"};
  request.timeout_ms = proof_timeout_option(args);
  const std::string format = args.get("--format").value_or("text");
  if (format != "text" && format != "json") throw UsageError{"unknown format `" + format + "` (text, json)"};
  request.json = format == "json";
  request.compile = compile_options(args);
  return run_check(request);
}

}  // namespace regpol::cli
