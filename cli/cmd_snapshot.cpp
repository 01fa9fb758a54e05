// `regpol snapshot gen|import|stats`: synthetic snapshots, the SQLite store, summaries.
#include <cstdio>
#include <optional>
#include <iostream>

#include "cli/args.h"
#include "cli/commands.h"
#include "driver/snapshots.h"
#include "report/snapshot_stats.h"
#include "store/snapshot_store.h"
#include "util/atomic_file.h"
#include "util/text.h"

namespace regpol::cli {

static const char* kSnapshotHelp =
    "usage: regpol snapshot gen [--repos N] [--images-per-repo M] [--seed S] [--format ecr|regpol] [--out FILE]\n"
    "       regpol snapshot import SNAP... --db SNAP.db [--replace]\n"
    "       regpol snapshot stats SNAP... [--format text|json]\n"
    "       regpol snapshot pull ecr … --out SNAP   (`regpol snapshot pull --help`)\n"
    "\n"
    "gen     writes a deterministic, realistic snapshot (describe-images output, or regpol's own\n"
    "        JSON with manifest-list children): semver releases, pr-N and git-sha tags, latest,\n"
    "        untagged images, multi-arch indexes, scan findings, pulls, archived images, and a\n"
    "        long tail of repository sizes (M is the mean). Times end at 2026-11-27T00:00:00Z.\n"
    "        Defaults: --repos 10, --images-per-repo 20, --seed 1, --format ecr, stdout (--out\n"
    "        FILE writes a file instead); the counts used are printed on stderr.\n"
    "import  reads snapshots (any format) and writes them into a SQLite store that every\n"
    "        --snapshot option accepts; the round trip is lossless. An existing --db is\n"
    "        refused (exit 2) unless --replace; the store is written under a temporary name\n"
    "        and moved into place, so a failed import leaves no partial store.\n"
    "stats   repositories, images, tagged/untagged, bytes, archive share, oldest/newest push,\n"
    "        the largest repositories.\n"
    "pull    a live registry (Amazon ECR) into a snapshot.\n";

extern const char* kSnapshotPullHelp;
extern const char* kSnapshotPullExitCodesHelp;
int snapshot_pull(const Args& args, const std::vector<std::string>& rest);

int cmd_snapshot(const Argv& argv) {
  bool pull = !argv.empty() && argv[0] == "pull";
  Args args = pull ? Args(argv, {"--out", "--region", "--registry-id", "--profile", "--repository", "--endpoint-url", "--jobs", "--username", "--state", "--deadline", "--progress-every", "--log-format"},
                               {"--help", "--replace", "--insecure", "--password-stdin", "--no-index-manifests"})
                   : Args(argv, {"--repos", "--images-per-repo", "--seed", "--format", "--out", "--db"}, {"--help", "--replace"});
  if (pull && args.has("--help")) {
    std::cout << kSnapshotPullHelp << "\n" << kSnapshotPullExitCodesHelp;
    return kOk;
  }
  if (args.has("--help") || args.positionals().empty()) {
    std::cout << kSnapshotHelp << "\n" << exit_codes_help("", "the registry could not answer now (throttling, network or server errors after the retries, the --deadline), or an internal error");
    return args.has("--help") ? kOk : kUsage;
  }
  const std::string& sub = args.positionals()[0];
  std::vector<std::string> files(args.positionals().begin() + 1, args.positionals().end());
  if (pull) return snapshot_pull(args, files);
  if (sub == "gen") {
    if (!files.empty()) throw UsageError{"`snapshot gen` takes no files"};
    GeneratorOptions o;
    o.repositories = static_cast<std::uint64_t>(integer_option(args, "--repos", 0).value_or(10));
    o.images_per_repository = static_cast<std::uint64_t>(integer_option(args, "--images-per-repo", 0).value_or(20));
    o.seed = static_cast<std::uint64_t>(integer_option(args, "--seed", 0).value_or(1));
    std::string format = args.get("--format").value_or("ecr");
    if (format != "ecr" && format != "regpol") throw UsageError{"--format takes ecr or regpol"};
    o.ecr_format = format == "ecr";
    std::FILE* out = stdout;
    std::optional<AtomicFile> file;
    if (auto path = args.get("--out")) {
      file.emplace(*path);
      if (!file->stream()) return fail(kInternal, file->error());
      out = file->stream();
    }
    std::uint64_t n = generate_snapshot(o, out);
    if (file && !file->commit()) return fail(kInternal, file->error());
    if (!file && (std::fflush(stdout) != 0 || std::ferror(stdout))) return fail(kInternal, "cannot write to standard output: " + errno_message(errno));
    std::cerr << "regpol: generated " << plural(n, "image") << " in " << plural(o.repositories, "repository", "repositories") << "\n";
    return kOk;
  }
  if (files.empty()) throw UsageError{"`snapshot " + sub + "` needs at least one SNAP file"};
  Registry registry;
  LoadError err;
  if (sub == "import") {
    auto db = args.get("--db");
    if (!db) throw UsageError{"`snapshot import` needs --db SNAP.db"};
    if (!load_snapshots(files, registry, err)) return fail(kBadInput, "[E0501] " + err.to_string());
    std::string message;
    bool replacing = args.has("--replace") && is_snapshot_store(*db);
    switch (save_registry_sqlite(registry, *db, args.has("--replace"), message)) {
      case SaveResult::Refused: return fail(kUsage, message);
      case SaveResult::Failed: return fail(kInternal, message);
      case SaveResult::Saved: break;
    }
    std::cerr << "regpol: " << (replacing ? "replaced " : "wrote ") << *db << ": " << plural(registry.images.size(), "image") << " in "
              << plural(registry.repositories.size(), "repository", "repositories") << "\n";
    return kOk;
  }
  if (sub == "stats") {
    std::string format = args.get("--format").value_or("text");
    if (format != "text" && format != "json") throw UsageError{"--format takes text or json"};
    if (!load_snapshots(files, registry, err)) return fail(kBadInput, "[E0501] " + err.to_string());
    std::cout << render_snapshot_stats(registry, format == "json");
    return kOk;
  }
  throw UsageError{"unknown `snapshot` command `" + sub + "` (gen, import or stats)"};
}

}  // namespace regpol::cli
