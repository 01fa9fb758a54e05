#pragma once
// `--in-use FILE`: the images workloads use, read from one file and matched against a
// snapshot. A file is one of
//   - kubectl JSON (`kubectl get pods,deployments,cronjobs,… -A -o json`, one object or a
//     `List`), read by inuse/kubernetes.h;
//   - the file `regpol in-use pull ecs|lambda` writes (inuse/in_use_file.h);
//   - a list of image references, one a line (`#` starts a comment); a reference there
//     without a registry host names the snapshot's own registry.
// Each reference is matched exactly (inuse/registry_match.h); what it protects, and every
// reference that protects nothing and why, is kept for the report and for `explain`.
#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "inuse/registry_match.h"
#include "snapshot/model.h"
#include "util/time.h"

namespace regpol {

// Largest in-use file read (kubectl output of a large cluster runs to tens of MiB).
inline constexpr std::size_t kMaxInUseFileBytes = std::size_t{256} << 20;

struct InUseMiss {
  std::string where;      // "FILE:LINE" or "FILE: items[3].spec.template.spec.containers[0].image"
  std::string reference;  // as written
  std::string why;
  std::string host;       // the registry host the reference names (as parsed; "" when it did not parse)
};

struct InUseSet {
  std::unordered_map<std::uint32_t, std::vector<std::string>> users;  // image index -> who uses it, each once, in reading order
  std::vector<InUseMiss> unmatched;  // references to the snapshot's registry that name no image of it (a typo, or gone)
  std::vector<InUseMiss> elsewhere;  // references to other registries: nothing of this snapshot is theirs
  std::size_t references = 0;        // every reference read
  // Per file, in reading order: when what it says was read (the pull's readAt, else the
  // file's modification time: kubectl output, reference lists; for --max-in-use-age), and
  // what it named (for the report).
  struct File {
    std::string path;
    Micros read_at = kNoTime;
    std::size_t references = 0;
    std::vector<std::uint32_t> images;  // the distinct images of the snapshot it names
  };
  std::vector<File> files;

  // Every image named, as in_use_key(repository, digest): LifecycleOptions::in_use.
  std::unordered_set<std::string> keys(const Registry& registry) const;
};

// Reads `path` and adds what it names to `out`; false with a located `error` when the file
// cannot be read or is not a form above (nothing is added then).
bool load_in_use_file(const std::string& path, const Registry& registry, const RegistryIdentity& identity, InUseSet& out,
                      std::string& error);

}  // namespace regpol
