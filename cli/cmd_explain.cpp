// `regpol explain`: every rule's verdict on one image, and the final decision, with reasons.
#include <iostream>

#include "cli/args.h"
#include "cli/commands.h"
#include "driver/explain.h"

namespace regpol::cli {

static const char* kExplainHelp =
    "usage: regpol explain --policy FILE.regpol --snapshot SNAP... --image REPO:TAG|REPO@DIGEST [--now T] [--in-use FILE]\n"
    "\n"
    "Shows which block's lifecycle applies to the image's repository, then for every rule in\n"
    "priority order whether the image is in the rule's selection, whether the rule would act on\n"
    "it, whether a higher rule had claimed it, and finally what happens to it and why.\n"
    "\n"
    "  --policy FILE       the regpol policy (the lifecycle of the image's repository block)\n"
    "  --snapshot FILE     a snapshot in any format `plan` reads; repeat for several files\n"
    "  --image REF         the image: REPO:TAG or REPO@DIGEST, as the snapshot names it\n"
    "  --now T             evaluate at this RFC 3339 instant (default: the current time)\n"
    "  --in-use FILE       deployed images for `protect in_use`, as for `plan` (repeatable);\n"
    "                      the workloads that use the image are listed under it\n"
    "  --max-in-use-age D  refuse an in-use file read longer than D before --now (exit 3)\n";

int cmd_explain(const Argv& argv) {
  Args args(argv, {"--import-root", "--policy", "--snapshot", "--image", "--now", "--in-use", "--max-in-use-age"}, {"--help"});
  if (args.has("--help")) {
    std::cout << kExplainHelp << kImportRootHelp << "\n" << exit_codes_help("");
    return kOk;
  }
  auto policy = args.get("--policy");
  auto image = args.get("--image");
  if (!policy || !image || !args.has("--snapshot")) throw UsageError{"`explain` needs --policy, --snapshot and --image"};
  ExplainRequest request;
  request.policy = *policy;
  request.snapshots = args.all("--snapshot");
  request.image = *image;
  request.now = now_option(args);
  request.in_use = args.all("--in-use");
  request.max_in_use_age = duration_option(args, "--max-in-use-age");
  request.compile = compile_options(args);
  return explain_image(request, std::cout);
}

}  // namespace regpol::cli
