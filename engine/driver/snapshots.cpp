#include "driver/snapshots.h"

#include "store/snapshot_store.h"

namespace regpol {

bool load_snapshots(const std::vector<std::string>& paths, Registry& registry, LoadError& error, unsigned threads) {
  for (const auto& path : paths) {
    std::string io_error;
    switch (sniff_snapshot_format(path, io_error)) {
      case SnapshotFormat::Empty:
        error = {path, "", "empty file (expected describe-images, describe-repositories or regpol snapshot JSON)"};
        return false;
      case SnapshotFormat::Unknown:
        error = {path, "", io_error.empty() ? "not a snapshot: expected a JSON object or a regpol SQLite store" : "cannot open: " + io_error};
        return false;
      case SnapshotFormat::Sqlite: {
        std::string message;
        if (!load_registry_sqlite(path, registry, message)) {
          error = {path, "", message};
          return false;
        }
        break;
      }
      case SnapshotFormat::Json:
        if (!load_json_snapshot(path, registry, error, threads)) return false;
        break;
    }
  }
  return finish_registry(registry, error, threads);
}

}  // namespace regpol
