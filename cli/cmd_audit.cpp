// `regpol audit`: repository settings checked against the policy and the baseline.
#include <iostream>

#include "cli/args.h"
#include "cli/commands.h"
#include "driver/audit.h"

namespace regpol::cli {

static const char* kAuditHelp =
    "usage: regpol audit --policy FILE.regpol --snapshot SNAP... [--repository NAME] [--format text|json|sarif|html] [--now T]\n"
    "\n"
    "Checks the settings of every repository in the snapshot (an ECR pull carries them: tag\n"
    "mutability, scan on push, the lifecycle and repository policies) against what the policy\n"
    "asks and against a built-in baseline, and names for each finding the setting to change:\n"
    "\n"
    "  A1001 error    scan on push is off\n"
    "  A1002 error    tag mutability differs from the policy's `mutability`\n"
    "  A1003 warning  tags can be overwritten (MUTABLE, and no policy block says so)\n"
    "  A1004 warning  no lifecycle: neither ECR nor the policy expires anything\n"
    "  A1005 error    the repository policy lets any AWS account pull, push or delete\n"
    "  A1006 error    the repository policy lets another account push or delete\n"
    "  A1007 error    the repository policy is not a valid IAM policy\n"
    "\n"
    "Nothing is called: the audit reads the snapshot only. Settings a snapshot does not carry\n"
    "(a describe-images file has no repository settings) are listed as not checked, never\n"
    "passed. docs/audit.md explains each check.\n"
    "\n"
    "  --policy FILE       the regpol policy (its `mutability` and `lifecycle` per repository)\n"
    "  --snapshot FILE     a snapshot in any format `plan` reads; repeat for several files\n"
    "  --repository NAME   only this repository\n"
    "  --format F          text (default), json (docs/audit.schema.json), sarif (SARIF 2.1.0) or\n"
    "                      html (one self-contained page: findings by check and by repository\n"
    "                      as charts, a filterable table of every finding; docs/reports.md)\n"
    "  --now T             the time requests to the repository policy are made at (aws:CurrentTime;\n"
    "                      default: the current time)\n";

int cmd_audit(const Argv& argv) {
  Args args(argv, {"--import-root", "--policy", "--snapshot", "--repository", "--format", "--now"}, {"--help"});
  if (args.has("--help")) {
    std::cout << kAuditHelp << kImportRootHelp << "\n" << exit_codes_help("a finding that is an error");
    return kOk;
  }
  auto policy = args.get("--policy");
  if (!policy || !args.has("--snapshot")) throw UsageError{"`audit` needs --policy and --snapshot"};
  AuditRequest request;
  request.policy = *policy;
  request.snapshots = args.all("--snapshot");
  request.repository = args.get("--repository").value_or("");
  const std::string format = args.get("--format").value_or("text");
  if (format == "text") request.format = AuditFormat::Text;
  else if (format == "json") request.format = AuditFormat::Json;
  else if (format == "sarif") request.format = AuditFormat::Sarif;
  else if (format == "html") request.format = AuditFormat::Html;
  else throw UsageError{"--format must be text, json, sarif or html, not `" + format + "`"};
  request.now = now_option(args);
  request.compile = compile_options(args);
  return run_audit(request, std::cout);
}

}  // namespace regpol::cli
