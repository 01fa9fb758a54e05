#pragma once
// Changes to a SQLite snapshot store in place: what `regpol apply --target SNAP.db` does
// to it. Each call is one transaction: a crash leaves a batch wholly done or not at all.
#include <memory>
#include <string>
#include <vector>

#include "store/sqlite.h"
#include "util/time.h"

namespace regpol {

class SnapshotStoreEditor {
 public:
  // False with `error` unless `path` is a snapshot store (`regpol snapshot import`).
  static std::unique_ptr<SnapshotStoreEditor> open(const std::string& path, std::string& error);
  SnapshotStoreEditor(const SnapshotStoreEditor&) = delete;
  SnapshotStoreEditor& operator=(const SnapshotStoreEditor&) = delete;

  // A value of the store's meta table ("" when absent): `store_id`, `source`.
  std::string meta(const std::string& key);

  enum class Change { Changed, AlreadyDone, Missing };
  // Removes these images (AlreadyDone: not there).
  bool remove(const std::string& repository, const std::vector<std::string>& digests, std::vector<Change>& out, std::string& error);
  // Moves these images to the archive class at `at` (AlreadyDone: archived already;
  // Missing: not there).
  bool archive(const std::string& repository, const std::vector<std::string>& digests, Micros at, std::vector<Change>& out,
               std::string& error);

 private:
  SnapshotStoreEditor() = default;
  bool repository_id(const std::string& repository, long long& id, bool& found, std::string& error);
  sqlite::Database db_;
};

}  // namespace regpol
