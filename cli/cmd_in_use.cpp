// `regpol in-use pull ecs|lambda`: what runs on AWS into a file `--in-use` takes.
#include <iostream>

#include "cli/args.h"
#include "cli/commands.h"
#include "driver/exit_code.h"
#include "driver/in_use_pull.h"

namespace regpol::cli {

static const char* kInUseHelp =
    "usage: regpol in-use pull ecs|lambda [--region R...] [--profile P] [--endpoint-url URL]\n"
    "                                     [--active-revisions K] [--jobs N] --out FILE [--replace]\n"
    "\n"
    "Reads what runs on AWS into an in-use file (schema regpol.in-use/v1) that `plan`, `apply`,\n"
    "`explain` and `diff` take with --in-use, so that `protect in_use` keeps those images:\n"
    "  ecs     every cluster's services (the task definition of each deployment, the previous\n"
    "          one too while a rollout runs), running and pending tasks (with the digest ECS\n"
    "          resolved), and the newest K ACTIVE revisions of every task-definition family\n"
    "          (what a rollback would run); every container of each\n"
    "  lambda  every function packaged as an image: each published version and $LATEST, with\n"
    "          the digest Lambda resolved and the aliases that point at it\n"
    "The file records when it was read (readAt; --max-in-use-age refuses stale files) and, for\n"
    "each image, who runs it (`explain` lists them). Nothing is written unless every region\n"
    "was read whole. Credentials and region as the AWS SDKs resolve them (docs/ecr.md); the\n"
    "permissions each service needs are in docs/in-use.md. Several accounts: one file each\n"
    "(--profile), all given to --in-use.\n"
    "\n"
    "  --region R          a region to read (repeatable; default: AWS_REGION,\n"
    "                      AWS_DEFAULT_REGION, the profile's)\n"
    "  --profile P         a profile of ~/.aws/config and ~/.aws/credentials\n"
    "  --endpoint-url URL  a VPC endpoint or a test endpoint; http:// only to a loopback address\n"
    "  --active-revisions K  ecs: ACTIVE task-definition revisions kept per family besides those\n"
    "                      in use (default 3; 0: only what services and tasks use)\n"
    "  --jobs N            requests at once (default 8, at most 64)\n"
    "  --out FILE          where the file goes; an existing file needs --replace\n"
    "\n"
    "Exit codes:\n"
    "  0  the file was written\n"
    "  2  usage error\n"
    "  3  the service refused the credentials or permissions, or answered out of bounds\n"
    "     (nothing written; a person must look)\n"
    "  4  the service could not answer now: throttling, network or server errors after the\n"
    "     retries (nothing written; a later run tries again); or the file could not be written\n";

int cmd_in_use(const Argv& argv) {
  Args args(argv, {"--region", "--profile", "--endpoint-url", "--active-revisions", "--jobs", "--out"}, {"--help", "--replace"});
  if (args.has("--help")) {
    std::cout << kInUseHelp;
    return kOk;
  }
  const auto& pos = args.positionals();
  if (pos.size() != 2 || pos[0] != "pull" || (pos[1] != "ecs" && pos[1] != "lambda"))
    throw UsageError{"`in-use` needs `pull ecs` or `pull lambda` (see `regpol in-use --help`)"};
  auto out = args.get("--out");
  if (!out) throw UsageError{"`in-use pull` needs --out FILE"};
  if (pos[1] == "lambda" && args.has("--active-revisions")) throw UsageError{"--active-revisions goes with `in-use pull ecs`"};
  InUsePullRequest request;
  request.service = pos[1];
  request.regions = args.all("--region");
  request.profile = args.get("--profile").value_or("");
  request.endpoint_url = args.get("--endpoint-url").value_or("");
  request.active_revisions = static_cast<std::size_t>(integer_option(args, "--active-revisions", 0, 100).value_or(3));
  request.jobs = static_cast<unsigned>(integer_option(args, "--jobs", 1, 64).value_or(8));
  request.out = *out;
  request.replace = args.has("--replace");
  return pull_in_use(request);
}

}  // namespace regpol::cli
