#pragma once
// The SQLite snapshot store: `regpol snapshot import` writes a registry into one file, and
// every command that takes --snapshot reads it back. The round trip is lossless: every
// field of the model survives (tests/unit/store_test.cpp).
#include <string>

#include "snapshot/model.h"

namespace regpol {

bool save_registry_sqlite(const Registry& registry, const std::string& path, std::string& error);
// Adds the store's repositories and images to `registry` (call finish_registry after).
bool load_registry_sqlite(const std::string& path, Registry& registry, std::string& error);

}  // namespace regpol
