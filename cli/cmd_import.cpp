// `regpol import ecr`: ECR documents -> regpol source.
#include <iostream>

#include "cli/args.h"
#include "cli/commands.h"
#include "driver/import_ecr.h"
#include "util/atomic_file.h"

namespace regpol::cli {

static const char* kImportHelp =
    "usage: regpol import ecr [--lifecycle L.json] [--repository-policy P.json] [--repository R.json] [--out FILE]\n"
    "       regpol import ecr --from DIR|EXPORT.json [--out FILE]\n"
    "       regpol import ecr --snapshot PULLED.json [--out FILE]\n"
    "\n"
    "Writes a regpol policy (to stdout, or FILE) that says what the ECR documents say:\n"
    "  --lifecycle L.json          an ECR lifecycle policy (rejected as ECR would reject it)\n"
    "  --repository-policy P.json  an ECR repository policy (an IAM policy document)\n"
    "  --repository R.json         `aws ecr describe-repositories` output: one block per\n"
    "                              repository, with its tag mutability\n"
    "  --from PATH                 what `regpol export ecr` wrote: the folder of --out-dir\n"
    "                              (lifecycle-policy.json, repository-policy.json,\n"
    "                              image-tag-mutability.json) or the combined JSON object\n"
    "  --snapshot PULLED.json      what `regpol snapshot pull ecr --out PULLED.json` wrote: every\n"
    "                              repository's lifecycle policy, repository policy and tag\n"
    "                              mutability, as one policy (repositories with the same three\n"
    "                              share a block); the migration path from ECR-native settings\n"
    "Without --repository the block is `repository \"*\"`. The output is checked: it parses,\n"
    "is formatted, and compiles before it is written.\n";

int cmd_import(const Argv& argv) {
  Args args(argv, {"--lifecycle", "--repository-policy", "--repository", "--out", "--from", "--snapshot"}, {"--help"});
  if (args.has("--help")) {
    std::cout << kImportHelp << "\n" << exit_codes_help("");
    return kOk;
  }
  if (args.positionals().size() != 1 || args.positionals()[0] != "ecr") throw UsageError{"usage: regpol import ecr … (see --help)"};
  auto lifecycle = args.get("--lifecycle");
  auto repo_policy = args.get("--repository-policy");
  auto repos = args.get("--repository");
  auto from = args.get("--from");
  auto pulled = args.get("--snapshot");
  if (pulled && (from || lifecycle || repo_policy || repos)) throw UsageError{"--snapshot reads every repository's settings; it cannot be combined with other inputs"};
  if (from && (lifecycle || repo_policy || repos)) throw UsageError{"--from reads everything export wrote; it cannot be combined with --lifecycle, --repository-policy or --repository"};
  if (!lifecycle && !repo_policy && !repos && !from && !pulled) throw UsageError{"give --from, or at least one of --lifecycle, --repository-policy, --repository"};

  ImportEcrRequest request{lifecycle, repo_policy, repos, from, pulled};
  std::string formatted;
  if (int code = import_ecr(request, formatted); code != kOk) return code;
  if (auto out = args.get("--out")) {
    if (auto err = write_file_atomically(*out, formatted); !err.empty()) return fail(kInternal, err);
  } else {
    std::cout << formatted;
  }
  return kOk;
}

}  // namespace regpol::cli
