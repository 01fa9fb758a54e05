#pragma once
// Changes to a SQLite snapshot store in place: what `regpol apply --target SNAP.db` does
// to it. Each call is one transaction: a crash leaves a batch wholly done or not at all.
#include <memory>
#include <string>
#include <vector>

#include "snapshot/model.h"
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

  // One repository as the store holds it now, read through this connection (call
  // finish_registry after); none when the store lacks it.
  bool read(const std::string& repository, Registry& out, std::string& error);

  enum class Change { Changed, AlreadyDone, Missing };
  // Removes these images (AlreadyDone: not there).
  bool remove(const std::string& repository, const std::vector<std::string>& digests, std::vector<Change>& out, std::string& error);
  // Moves these images to the archive class at `at` (AlreadyDone: archived already;
  // Missing: not there).
  bool archive(const std::string& repository, const std::vector<std::string>& digests, Micros at, std::vector<Change>& out,
               std::string& error);
  // Removes `tags` from the image `digest` (AlreadyDone: it has none of them; Missing: not
  // there). The image stays, untagged when it had no other tag.
  bool untag(const std::string& repository, const std::string& digest, const std::vector<std::string>& tags, Change& out,
             std::string& error);

 private:
  explicit SnapshotStoreEditor(std::string path) : path_(std::move(path)) {}
  bool repository_id(const std::string& repository, long long& id, bool& found, std::string& error);
  std::string path_;
  sqlite::Database db_;
};

}  // namespace regpol
