// `regpol snapshot pull ecr`: a live ECR registry into a snapshot (JSON or a SQLite store).
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <optional>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/registry_options.h"
#include "driver/pull.h"
#include "util/json_log.h"
#include "util/text.h"
#include "util/time.h"

namespace regpol::cli {

const char* kSnapshotPullExitCodesHelp =
    "Exit codes:\n"
    "  0  the snapshot was written\n"
    "  2  usage error\n"
    "  3  the registry refused the credentials or permissions, or answered out of bounds\n"
    "     (nothing written; a person must look)\n"
    "  4  the registry could not answer now: throttling, network or server errors after the\n"
    "     retries, the --deadline (nothing written; a later run tries again); or an output\n"
    "     that could not be written\n";

const char* kSnapshotPullHelp =
    "usage: regpol snapshot pull ecr [--region R] [--registry-id ID] [--profile P] [--repository GLOB...]\n"
    "                                [--endpoint-url URL] [--jobs N] [--no-index-manifests]\n"
    "                                --out SNAP.json|SNAP.db [--replace]\n"
    "\n"
    "Reads every matching repository of an Amazon ECR registry: its images (every field of\n"
    "describe-images, the archive class included) and settings (tag mutability and exclusions,\n"
    "scan on push, encryption, lifecycle policy, repository policy, resource tags) and the\n"
    "children of each active index image (from its manifest, read with BatchGetImage; ECR\n"
    "records that as a pull of the index), into a regpol snapshot: JSON (regpol.snapshot/v1),\n"
    "or a SQLite store when --out ends in .db. The snapshot is checked by reading it back\n"
    "before it replaces --out; nothing is written when any call fails. Credentials and region\n"
    "as the AWS SDKs resolve them (docs/ecr.md).\n"
    "\n"
    "  --region R          the region (default: AWS_REGION, AWS_DEFAULT_REGION, the profile's)\n"
    "  --registry-id ID    another account's registry (default: the caller's)\n"
    "  --profile P         a profile of ~/.aws/config and ~/.aws/credentials (only that profile)\n"
    "  --repository GLOB   only repositories matching (repeatable; * and ?)\n"
    "  --endpoint-url URL  a VPC endpoint or a test endpoint; http:// only to a loopback address\n"
    "  --jobs N            repositories read at a time (default 8, at most 64)\n"
    "  --no-index-manifests  read no manifest: no index's children are known (each index is\n"
    "                      written with `childrenUnknown`, and plan reports warn), so they look\n"
    "                      like untagged images; ECR records no pull. JSON --out only\n"
    "  --deadline D        give up (nothing written, exit 4) when the pull takes longer than D\n"
    "                      (30m, 6h, 1d); each request has its own bounds (docs/limits.md)\n"
    "  --progress-every D  without a terminal (a job's log), a progress line on stderr every D\n"
    "                      (default 10s; 0s: none); on a terminal, one line kept up to date\n"
    "  --log-format F      text (default) or json: every line on stderr one JSON object\n"
    "                      ({\"time\", \"level\": error|warning|info, \"message\"})\n"
    "  --out FILE          where the snapshot goes; an existing file needs --replace\n"
    "\n"
    "usage: regpol snapshot pull oci://HOST[:PORT][/PREFIX] [--repository GLOB...] [--jobs N]\n"
    "                            [--username U --password-stdin] [--insecure] --out SNAP.json [--replace]\n"
    "\n"
    "Reads an OCI Distribution registry (the CNCF Distribution registry and the products built\n"
    "on its API): the catalog (only repositories under PREFIX when one is given), each\n"
    "repository's tags and manifests, the children of indexes, attached artifacts (signatures,\n"
    "SBOMs: the referrers API where offered, else `sha256-<hex>.sig`-style tags), image config\n"
    "`created` times, and every blob with its size, into a regpol snapshot (JSON). The\n"
    "registry records no push time: each image's is its config's `created` time; a missing\n"
    "or placeholder one (before 2000) is `unknown`, which never makes an image look old\n"
    "(docs/registries.md).\n"
    "\n"
    "  --repository GLOB   only repositories matching (repeatable; * and ?)\n"
    "  --jobs N            requests at once (default 8, at most 64), shared by the tags of\n"
    "                      all the repositories: one large repository goes as fast as many\n"
    "  --deadline D        give up (nothing written, exit 4) when the pull takes longer than D\n"
    "                      (30m, 6h, 1d); each request has its own bounds (docs/limits.md)\n"
    "  --progress-every D  without a terminal (a job's log), a progress line on stderr every D\n"
    "                      (default 10s; 0s: none); on a terminal, one line kept up to date\n"
    "  --log-format F      text (default) or json: every line on stderr one JSON object\n"
    "                      ({\"time\", \"level\": error|warning|info, \"message\"})\n"
    "  --state STATE.db    remember when each digest was first seen (kept across pulls): an\n"
    "                      image whose config time is unknown, a placeholder, or later than\n"
    "                      that is dated by its first sighting (`first-seen`) instead; and\n"
    "                      keep the manifests read (content-addressed), so a later pull asks\n"
    "                      only which digest each tag names and reads what is new\n"
    "  --username U        the registry user; its password comes from stdin with\n"
    "                      --password-stdin (else REGPOL_REGISTRY_USERNAME and\n"
    "                      REGPOL_REGISTRY_PASSWORD, else the Docker config file's `auths`,\n"
    "                      else anonymous; docs/registries.md)\n"
    "  --password-stdin    read the password (or token) for --username from stdin\n"
    "  --insecure          plain http to a registry that is not on loopback (loopback is\n"
    "                      http already, as Docker treats localhost registries)\n"
    "  --out FILE          where the snapshot goes (JSON); an existing file needs --replace\n";

int snapshot_pull(const Args& args, const std::vector<std::string>& rest) {
  // From here on, with --log-format json, every line on stderr is a JSON object.
  std::optional<JsonLogLines> json_log;
  log_format_option(args, json_log);
  const bool oci = rest.size() == 1 && rest[0].rfind("oci://", 0) == 0;
  if (rest.size() != 1 || (rest[0] != "ecr" && !oci))
    throw UsageError{"`snapshot pull` needs a source: ecr or oci://HOST[:PORT][/PREFIX] (see `regpol snapshot pull --help`)"};
  auto out = args.get("--out");
  if (!out) throw UsageError{"`snapshot pull` needs --out SNAP.json or --out SNAP.db"};
  bool as_store = out->size() > 3 && out->compare(out->size() - 3, 3, ".db") == 0;
  if (std::filesystem::exists(*out) && !args.has("--replace")) throw UsageError{*out + " exists; add --replace to overwrite it"};
  for (const char* o : {"--username", "--password-stdin", "--insecure", "--state"}) {
    if (!oci && args.has(o)) throw UsageError{std::string(o) + " goes with an oci:// registry"};
  }
  for (const char* o : {"--region", "--registry-id", "--profile", "--endpoint-url", "--no-index-manifests"}) {
    if (oci && args.has(o)) throw UsageError{std::string(o) + " goes with `snapshot pull ecr`"};
  }
  if (oci && as_store)
    throw UsageError{"a snapshot of an OCI registry is written as JSON (--out SNAP.json): the SQLite store keeps neither blobs nor "
                     "push-time sources"};
  if (args.has("--no-index-manifests") && as_store)
    throw UsageError{"--no-index-manifests needs --out SNAP.json: the SQLite store does not record which indexes' children are unknown"};
  PullRequest request;
  request.index_manifests = !args.has("--no-index-manifests");
  request.repository_globs = args.all("--repository");
  request.jobs = static_cast<unsigned>(integer_option(args, "--jobs", 1, 64).value_or(8));
  request.out = *out;
  request.state = args.get("--state");
  request.terminal = isatty(STDERR_FILENO) == 1 && !json_log;
  if (auto every = duration_option(args, "--progress-every")) request.progress_interval = std::chrono::milliseconds(*every / 1000);
  request.deadline = duration_option(args, "--deadline");
  PullSummary pulled;
  int code = oci ? pull_oci(rest[0], oci_connect_options(args), request, pulled) : pull_ecr(ecr_connect_options(args), request, pulled);
  if (code != kOk) return code;
  std::cerr << "regpol: pulled " << plural(pulled.images, "image") << " in " << plural(pulled.repositories, "repository", "repositories")
            << " (" << pulled.calls << (oci ? " requests" : " API calls") << ") into " << *out << "\n";
  return kOk;
}

}  // namespace regpol::cli
