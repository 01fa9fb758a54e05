#pragma once
// Loads registry snapshots: `aws ecr describe-images` and `describe-repositories` output,
// regpol's own snapshot JSON (docs/snapshots.md), each auto-detected by content; several
// files merge by repository. Streaming: memory grows with the images kept, not the file.
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "snapshot/model.h"

namespace regpol {

struct LoadError {
  std::string file;
  std::string location;  // a JSON path ($.imageDetails[3].imageDigest) or "byte N"
  std::string message;
  std::string to_string() const { return file + (location.empty() ? "" : ": " + location) + ": " + message; }
};

// Reads one JSON snapshot into `registry` from `f` (a file or a pipe), `head` being the
// bytes already read from it. On failure returns false and leaves `registry` unusable
// (callers discard it: a bad input never yields a partial result). `threads`: 0 = as many as
// the machine has; with more than one, reading runs on a second thread (same result).
bool load_json_snapshot(const std::string& path, std::FILE* f, std::string_view head, Registry& registry, LoadError& error,
                        unsigned threads = 0);
bool load_json_snapshot_text(std::string_view name, std::string_view text, Registry& registry, LoadError& error,
                             unsigned threads = 1);

// After every file: checks that a digest appears once per repository and that a tag names
// one digest per repository, then orders each repository's images newest first.
bool finish_registry(Registry& registry, LoadError& error, unsigned threads = 0);

// What a file holds, from its first (up to 16) bytes.
enum class SnapshotFormat { Json, Sqlite, Empty, Unknown };
SnapshotFormat sniff_snapshot_head(std::string_view head);

}  // namespace regpol
