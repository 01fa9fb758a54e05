#include "registry/image/manifest.h"

#include <nlohmann/json.hpp>

#include "registry/json_fields.h"

namespace regpol::image {

using nlohmann::json;
using registry::json_size;
using registry::json_string;

bool is_index_media_type(std::string_view media_type) { return media_type == kOciIndex || media_type == kDockerManifestList; }

std::string manifest_accept() {
  return std::string(kOciManifest) + ", " + kOciIndex + ", " + kDockerManifest + ", " + kDockerManifestList;
}

bool valid_digest(std::string_view d) {
  if (d.size() != 71 || d.substr(0, 7) != "sha256:") return false;
  for (char c : d.substr(7)) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

bool is_image_config(const std::string& media_type) {
  return media_type == "application/vnd.oci.image.config.v1+json" || media_type == "application/vnd.docker.container.image.v1+json";
}

namespace {

bool read_descriptor(const json& j, const std::string& where, Descriptor& d, std::string& error) {
  if (!j.is_object()) {
    error = where + " is not an object";
    return false;
  }
  d.media_type = json_string(j, "mediaType");
  d.digest = json_string(j, "digest");
  d.artifact_type = json_string(j, "artifactType");
  d.size = json_size(j, "size");
  if (!valid_digest(d.digest)) {
    error = where + " has no valid sha256 `digest`";
    return false;
  }
  if (d.size < 0) {
    error = where + " has no valid `size`";
    return false;
  }
  return true;
}

// Each element of the array `key` (an index's manifests, a manifest's layers).
bool read_descriptors(const json& array, const std::string& key, std::vector<Descriptor>& out, std::string& error) {
  for (std::size_t i = 0; i < array.size(); ++i) {
    Descriptor d;
    if (!read_descriptor(array[i], "`" + key + "[" + std::to_string(i) + "]`", d, error)) return false;
    out.push_back(std::move(d));
  }
  return true;
}

}  // namespace

bool parse_manifest(std::string_view body, const std::string& content_type, Manifest& out, std::string& error) {
  out = Manifest{};
  json doc = json::parse(body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    error = "the manifest is not a JSON object";
    return false;
  }
  std::string ct = content_type.substr(0, content_type.find(';'));
  out.media_type = json_string(doc, "mediaType", ct);
  out.artifact_type = json_string(doc, "artifactType");
  if (doc.contains("schemaVersion") && !(doc["schemaVersion"].is_number_integer() && doc["schemaVersion"].get<std::int64_t>() == 2)) {
    error = "unsupported manifest schemaVersion (expected 2)";
    return false;
  }
  if (auto it = doc.find("subject"); it != doc.end()) {
    Descriptor s;
    if (!read_descriptor(*it, "`subject`", s, error)) return false;
    out.subject = s.digest;
  }
  out.is_index = is_index_media_type(out.media_type) ||
                 (out.media_type.empty() && doc.contains("manifests"));
  if (out.is_index) {
    auto it = doc.find("manifests");
    if (it == doc.end() || !it->is_array()) {
      error = "the index has no `manifests` array";
      return false;
    }
    return read_descriptors(*it, "manifests", out.manifests, error);
  }
  if (out.media_type != kOciManifest && out.media_type != kDockerManifest && !(out.media_type.empty() && doc.contains("config"))) {
    error = "unsupported manifest media type `" + out.media_type.substr(0, 100) + "`";
    return false;
  }
  auto cfg = doc.find("config");
  if (cfg == doc.end()) {
    error = "the manifest has no `config`";
    return false;
  }
  if (!read_descriptor(*cfg, "`config`", out.config, error)) return false;
  if (out.artifact_type.empty() && !out.config.media_type.empty() && !is_image_config(out.config.media_type))
    out.artifact_type = out.config.media_type;
  if (auto it = doc.find("layers"); it != doc.end()) {
    if (!it->is_array()) {
      error = "`layers` is not an array";
      return false;
    }
    if (!read_descriptors(*it, "layers", out.layers, error)) return false;
  }
  return true;
}

bool parse_config_created(std::string_view body, std::string& created, std::string& error) {
  created.clear();
  json doc = json::parse(body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    error = "the image config is not a JSON object";
    return false;
  }
  created = json_string(doc, "created");
  return true;
}

}  // namespace regpol::image
