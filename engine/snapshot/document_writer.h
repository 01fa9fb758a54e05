#pragma once
// The text of a regpol.snapshot/v1 document as the pulls write it (docs/snapshot-format.md):
// the header, then one line per repository and one line per image, appended as they come,
// so a pull never holds the document as one JSON tree, and the ECR and OCI pulls write
// the same layout from the same code.
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "util/time.h"

namespace regpol {

class SnapshotDocumentWriter {
 public:
  // Starts the document in `out` (appended to). `registry_kind` "" leaves the member out
  // (an ECR registry, the default kind); `source` is the document's "source" member;
  // `string_members` more top-level members with string values, in order (the registry's
  // configurations an ECR pull read).
  SnapshotDocumentWriter(std::string& out, Micros captured_at, const nlohmann::json& source, std::string_view registry_kind = {},
                         const std::vector<std::pair<std::string, std::string>>& string_members = {});
  // Repositories first, then images; finish() closes the document.
  void repository(const nlohmann::json& repository);
  void image(const nlohmann::json& image);
  void finish();
  std::size_t images() const { return images_; }

 private:
  void start_images();
  std::string& out_;
  bool in_images_ = false, first_ = true, finished_ = false;
  std::size_t images_ = 0;
};

}  // namespace regpol
