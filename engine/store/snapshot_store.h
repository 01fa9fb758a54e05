#pragma once
// The SQLite snapshot store: `regpol snapshot import` writes a registry into one file, and
// every command that takes --snapshot reads it back. The round trip is lossless: every
// field of the model survives (tests/unit/store_test.cpp).
#include <string>

#include "snapshot/model.h"
#include "store/sqlite.h"

namespace regpol {

enum class SaveResult { Saved, Refused, Failed };
// Writes `registry` as a new store at `path`. An existing file is Refused unless `replace`
// (and a directory or a non-regular file always); the store is written under a temporary
// name and moved into place, so a failure never leaves a partial store behind.
SaveResult save_registry_sqlite(const Registry& registry, const std::string& path, bool replace, std::string& error);
// True when `path` is a SQLite file with regpol's snapshot-store schema.
bool is_snapshot_store(const std::string& path);
// Adds the store's repositories and images to `registry` (call finish_registry after).
// Every value is checked with the rules of the JSON readers (snapshot/validate.h).
// `only_repository`: when not null, just that repository (none when the store lacks it).
bool load_registry_sqlite(const std::string& path, Registry& registry, std::string& error, const std::string* only_repository = nullptr);
// The same through a connection the caller holds open (`path` names it in the registry's
// source files): apply's act-time reads, one per repository, reuse the editor's.
bool load_registry_from(sqlite::Database& db, const std::string& path, Registry& registry, std::string& error,
                        const std::string* only_repository = nullptr);

}  // namespace regpol
