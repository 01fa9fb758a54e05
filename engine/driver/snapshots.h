#pragma once
// Loads every snapshot file of a run into one registry, each format auto-detected.
#include <string>
#include <vector>

#include "snapshot/generator.h"  // `snapshot gen` writes synthetic snapshots with it
#include "snapshot/reader.h"

namespace regpol {

// All or nothing: on the first bad file returns false with a located error.
// `threads`: 0 = every core; the registry is the same at any count.
bool load_snapshots(const std::vector<std::string>& paths, Registry& registry, LoadError& error, unsigned threads = 0);

}  // namespace regpol
