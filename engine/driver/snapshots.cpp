#include "driver/snapshots.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "store/snapshot_store.h"
#include "util/text.h"

namespace regpol {

namespace {

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

}  // namespace

bool load_snapshots(const std::vector<std::string>& paths, Registry& registry, LoadError& error, unsigned threads,
                    const std::string* only_repository) {
  for (const auto& path : paths) {
    // Each file is opened once and its format told from its first bytes, which the JSON
    // reader then continues from: a pipe (`--snapshot /dev/stdin`) works like a file.
    std::unique_ptr<std::FILE, FileCloser> f(std::fopen(path.c_str(), "rb"));
    if (!f) {
      error = {path, "", "cannot open: " + errno_message(errno)};
      return false;
    }
    char head[16];
    std::size_t n = std::fread(head, 1, sizeof head, f.get());
    if (std::ferror(f.get())) {
      error = {path, "", "cannot read: " + errno_message(errno)};
      return false;
    }
    switch (sniff_snapshot_head(std::string_view(head, n))) {
      case SnapshotFormat::Empty:
        error = {path, "", "empty file (expected describe-images, describe-repositories or regpol snapshot JSON)"};
        return false;
      case SnapshotFormat::Unknown:
        error = {path, "", "not a snapshot: expected a JSON object or a regpol SQLite store"};
        return false;
      case SnapshotFormat::Sqlite: {
        f.reset();
        std::string message;
        if (!load_registry_sqlite(path, registry, message, only_repository)) {
          error = {path, "", message};
          return false;
        }
        break;
      }
      case SnapshotFormat::Json:
        if (!load_json_snapshot(path, f.get(), std::string_view(head, n), registry, error, threads)) return false;
        break;
    }
  }
  return finish_registry(registry, error, threads);
}

}  // namespace regpol
