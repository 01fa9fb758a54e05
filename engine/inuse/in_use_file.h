#pragma once
// The file `regpol in-use pull ecs|lambda` writes and `--in-use` reads (schema
// regpol.in-use/v1, docs/in-use.md):
//   {"schema": "regpol.in-use/v1", "source": "ecs", "regions": ["us-east-1"],
//    "readAt": "2026-12-03T02:00:00Z",
//    "images": [{"image": "111122223333.dkr.ecr.us-east-1.amazonaws.com/web:v3",
//                "digest": "sha256:…", "user": "ecs us-east-1 cluster prod service web (…)"}]}
// `digest` is what the service resolved the image to, when it says; it names the image
// then, whatever the tag names now.
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "util/time.h"

namespace regpol {

inline constexpr const char* kInUseSchema = "regpol.in-use/v1";

struct InUseEntry {
  std::string image, digest, user;
};

struct InUseDocument {
  std::string source;                // "ecs", "lambda"
  std::vector<std::string> regions;
  Micros read_at = kNoTime;
  std::vector<InUseEntry> images;
};

// The document's text (entries in the order given; sorted by the caller for stable files).
std::string in_use_document_text(const InUseDocument& doc);

bool is_in_use_document(const nlohmann::json& doc);

// Reads a parsed regpol.in-use/v1 document; false with `error` naming the file and the
// place (`images[3].digest`) of the first thing wrong.
bool read_in_use_document(const nlohmann::json& doc, const std::string& file, InUseDocument& out, std::string& error);

}  // namespace regpol
