// `regpol prove`: the properties policy files state (`prove "NAME" { … }`), proved for
// every request with a counterexample when one fails (driver/prove.h, docs/verify.md).
#include <iostream>
#include <string>

#include "cli/args.h"
#include "cli/commands.h"
#include "driver/prove.h"

namespace regpol::cli {

static const char* kProveHelp =
    "usage: regpol prove FILE... [--format text|json] [--timeout MS] [--import-root DIR]\n"
    "\n"
    "Proves every property the policy files state, for every possible request to every\n"
    "repository it covers:\n"
    "\n"
    "  prove \"no delete outside org\" { never allow delete to * unless aws:PrincipalOrgID == \"o-abc123\" }\n"
    "  prove \"org can pull\"          { always allow pull to org \"o-abc123\" }\n"
    "  prove \"refactor is safe\"      { no new access than \"old.regpol\" }\n"
    "\n"
    "In a repository block a property covers the block's repositories; at the top level, the\n"
    "ones its `for \"GLOB\", …` names (every repository without `for`). Each result is\n"
    "`proved`, `failed` with a counterexample request (it replays unchanged through\n"
    "`regpol authorize --request`, and was replayed through the evaluator before it was\n"
    "printed), or `unknown` (a construct the prover does not encode yet, or the timeout):\n"
    "never reported as proved. docs/verify.md says how it works and what it assumes.\n"
    "\n"
    "  --format F     text (default) or json: {\"properties\": [{\"name\", \"repository\" (the\n"
    "                 globs it covers), \"result\": \"proved|failed|unknown\", \"counterexample\":\n"
    "                 REQUEST|null (docs/request.schema.json), \"decidedBy\": the policy statement\n"
    "                 that decided the counterexample|null, \"source\": FILE:LINE:COL,\n"
    "                 \"file\", \"kind\": \"never|always|no-new-access\", \"why\" (unknown)}]}\n"
    "  --timeout MS   the solver's time limit per proof (default 2000); past it: unknown\n"
    "  --help         this text\n";

int cmd_prove(const Argv& argv) {
  Args args(argv, {"--import-root", "--timeout", "--format"}, {"--help"});
  if (args.has("--help")) {
    std::cout << kProveHelp << kImportRootHelp << "\n" << exit_codes_help("a property failed, or could not be decided (unknown)", "a counterexample did not replay through the evaluator (an internal error)");
    return kOk;
  }
  ProveRequest request;
  request.files = args.positionals();
  if (request.files.empty()) throw UsageError{"give one or more policy files (see `regpol prove --help`)"};
  request.timeout_ms = proof_timeout_option(args);
  const std::string format = args.get("--format").value_or("text");
  if (format != "text" && format != "json") throw UsageError{"unknown format `" + format + "` (text, json)"};
  request.json = format == "json";
  request.compile = compile_options(args);
  return run_prove(request);
}

}  // namespace regpol::cli
