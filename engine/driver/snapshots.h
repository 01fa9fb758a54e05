#pragma once
// Loads every snapshot file of a run into one registry, each format auto-detected.
#include <string>
#include <vector>

#include "snapshot/reader.h"

namespace regpol {

// All or nothing: on the first bad file returns false with a located error.
bool load_snapshots(const std::vector<std::string>& paths, Registry& registry, LoadError& error);

}  // namespace regpol
