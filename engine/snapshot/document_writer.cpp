#include "snapshot/document_writer.h"

#include <nlohmann/json.hpp>

#include "util/json_writer.h"

namespace regpol {

SnapshotDocumentWriter::SnapshotDocumentWriter(std::string& out, Micros captured_at, const nlohmann::json& source,
                                               std::string_view registry_kind,
                                               const std::vector<std::pair<std::string, std::string>>& string_members)
    : out_(out) {
  out_ += "{\"schema\": \"regpol.snapshot/v1\", ";
  if (!registry_kind.empty()) {
    out_ += "\"registryKind\": ";
    append_json_string(out_, registry_kind);
    out_ += ", ";
  }
  out_ += "\"capturedAt\": \"";
  append_timestamp(out_, captured_at);
  out_ += "\",\n\"source\": ";
  out_ += source.dump();
  for (const auto& [key, value] : string_members) {
    out_ += ",\n";
    append_json_string(out_, key);
    out_ += ": ";
    append_json_string(out_, value);
  }
  out_ += ",\n\"repositories\": [";
}

void SnapshotDocumentWriter::repository(const nlohmann::json& repository) {
  out_ += first_ ? "\n" : ",\n";
  first_ = false;
  out_ += repository.dump();
}

void SnapshotDocumentWriter::start_images() {
  if (in_images_) return;
  out_ += "\n],\n\"images\": [";
  in_images_ = true;
  first_ = true;
}

void SnapshotDocumentWriter::image(const nlohmann::json& image) {
  start_images();
  out_ += first_ ? "\n" : ",\n";
  first_ = false;
  out_ += image.dump();
  ++images_;
}

void SnapshotDocumentWriter::finish() {
  if (finished_) return;
  start_images();
  out_ += "\n]}\n";
  finished_ = true;
}

}  // namespace regpol
