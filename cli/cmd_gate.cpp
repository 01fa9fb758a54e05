// `regpol gate IMAGE`: may a pipeline deploy this image under the policy's `gate` rules?
#include <iostream>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/registry_options.h"
#include "driver/gate.h"

namespace regpol::cli {

static const char* kGateHelp =
    "usage: regpol gate IMAGE --policy FILE.regpol --snapshot SNAP... [--now T] [--format text|json]\n"
    "       regpol gate IMAGE --policy FILE.regpol --pull [--region R] [--registry-id ID] [--profile P]\n"
    "                   [--endpoint-url URL] [--now T] [--format text|json]\n"
    "\n"
    "Decides whether a pipeline may deploy IMAGE (REPO:TAG, REPO@DIGEST, or with the registry\n"
    "host, as a deployment names it): the `gate` rules of every block matching its repository\n"
    "are evaluated on the image the snapshot holds,\n"
    "\n"
    "  repository \"prod/*\" {\n"
    "    gate {\n"
    "      deny \"critical findings\" where findings.critical > 0\n"
    "      deny \"not scanned\" where not scanned\n"
    "    }\n"
    "  }\n"
    "\n"
    "and the image is refused when any rule selects it, when a rule cannot be decided for it\n"
    "(findings of an image never scanned), or when the snapshot does not hold it. Allowed, it\n"
    "prints the reference pinned to the digest decided on (deploy that: a tag can move).\n"
    "A SQLite store (`snapshot import`) is read for that one repository only.\n"
    "\n"
    "  IMAGE               the image reference; a host must be the snapshot's registry\n"
    "  --policy FILE       the regpol policy with the `gate` blocks\n"
    "  --snapshot FILE     a snapshot in any format `plan` reads (a pull: findings, scan state)\n"
    "  --pull              read the image's repository from ECR now instead (its images, settings\n"
    "                      and referrers, as `snapshot pull ecr --repository` would; no manifest\n"
    "                      is read, so ECR records no pull)\n"
    "  --region R, --registry-id ID, --profile P, --endpoint-url URL\n"
    "                      with --pull: as for `regpol snapshot pull ecr` (docs/ecr.md)\n"
    "  --now T             decide at this RFC 3339 instant (default: the current time)\n"
    "  --format F          text (default) or json (decision, digest, the refusing rules)\n";

int cmd_gate(const Argv& argv) {
  Args args(argv, {"--import-root", "--policy", "--snapshot", "--now", "--format", "--region", "--registry-id", "--profile", "--endpoint-url"},
            {"--help", "--pull"});
  if (args.has("--help")) {
    std::cout << kGateHelp << kImportRootHelp << "\n"
              << exit_codes_help("the image is refused (a rule selects it, cannot decide it, or the snapshot lacks it)");
    return kOk;
  }
  auto policy = args.get("--policy");
  if (!policy || args.has("--snapshot") == args.has("--pull")) throw UsageError{"`gate` needs an IMAGE, --policy, and one of --snapshot and --pull"};
  if (!args.has("--pull")) {
    for (const char* o : {"--region", "--registry-id", "--profile", "--endpoint-url"}) {
      if (args.has(o)) throw UsageError{std::string(o) + " goes with --pull"};
    }
  }
  if (args.positionals().size() != 1) throw UsageError{"`gate` takes one IMAGE reference"};
  GateRequest request;
  request.image = args.positionals()[0];
  request.policy = *policy;
  request.snapshots = args.all("--snapshot");
  request.pull = args.has("--pull");
  if (request.pull) request.ecr = ecr_connect_options(args);
  request.now = now_option(args);
  const std::string format = args.get("--format").value_or("text");
  if (format != "text" && format != "json") throw UsageError{"--format must be text or json, not `" + format + "`"};
  request.json = format == "json";
  request.compile = compile_options(args);
  return run_gate(request, std::cout);
}

}  // namespace regpol::cli
