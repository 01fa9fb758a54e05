#pragma once
// `--in-use FILE…` as plan, apply, explain and diff read it: every file loaded and matched
// against the snapshot (inuse/load.h), the misses said on stderr, and the images found
// handed to the lifecycle evaluator.
#include <optional>
#include <string>
#include <vector>

#include "inuse/load.h"
#include "lifecycle/evaluate.h"

namespace regpol {

struct InUseReading {
  InUseSet set;
  RegistryIdentity identity;
};

struct InUseChecks {
  bool strict = false;              // --strict-in-use
  std::optional<Micros> max_age;    // --max-in-use-age
};

// Reads `files` (in order) against `registry` into `out` and sets `options.in_use`. Says on
// stderr each reference to this registry that names no image, and how many name other
// registries. With `strict`, a reference that names no image fails the command (exit 3);
// references to other registries never do (they are not mistakes). With `max_age`, a file
// read longer than that before `options.now` fails it too: a stale file protects
// yesterday's images. An exit code.
int read_in_use(const std::vector<std::string>& files, const Registry& registry, const InUseChecks& checks, LifecycleOptions& options,
                InUseReading& out);

}  // namespace regpol
