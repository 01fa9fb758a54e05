#pragma once
// Loads every snapshot file of a run into one registry, each format auto-detected.
#include <string>
#include <vector>

#include "snapshot/generator.h"  // `snapshot gen` writes synthetic snapshots with it
#include "snapshot/reader.h"

namespace regpol {

// All or nothing: on the first bad file returns false with a located error.
// `threads`: 0 = every core; the registry is the same at any count.
// `only_repository`: a SQLite store reads that repository alone, through its index (what
// `gate` needs from a store of millions of images); JSON files are read whole.
bool load_snapshots(const std::vector<std::string>& paths, Registry& registry, LoadError& error, unsigned threads = 0,
                    const std::string* only_repository = nullptr);

}  // namespace regpol
