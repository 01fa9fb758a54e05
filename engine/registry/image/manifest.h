#pragma once
// The image documents every registry serves (a Distribution registry over its API, ECR in
// BatchGetImage's imageManifest), read without trusting them: image manifests and indexes
// (OCI and Docker schema 2 media types) and image configs (for the `created` time). Both
// registry clients read them here, so an index means the same on ECR as on Distribution.
// Each parser answers false with a reason for anything malformed; none throws.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace regpol::image {

// The media types regpol asks for and understands.
inline constexpr const char* kOciManifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr const char* kOciIndex = "application/vnd.oci.image.index.v1+json";
inline constexpr const char* kDockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr const char* kDockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json";
// True for the two media types of an index (OCI image index, Docker manifest list).
bool is_index_media_type(std::string_view media_type);
// The Accept header of every manifest request.
std::string manifest_accept();

struct Descriptor {
  std::string media_type, digest, artifact_type;
  std::int64_t size = 0;
};

struct Manifest {
  std::string media_type;     // from the document, else the response's Content-Type
  std::string artifact_type;  // artifactType, else the config's media type when it is not an image config
  bool is_index = false;
  Descriptor config;          // images only
  std::vector<Descriptor> layers;     // images only
  std::vector<Descriptor> manifests;  // indexes only: the children
  std::string subject;        // the digest this artifact refers to, or ""
};

// `content_type`: the response's Content-Type, used when the document names no media type.
bool parse_manifest(std::string_view body, const std::string& content_type, Manifest& out, std::string& error);

// The image config's `created` time as written ("" when absent or not a string).
bool parse_config_created(std::string_view body, std::string& created, std::string& error);

// True for media types of an image config (as opposed to an artifact's config).
bool is_image_config(const std::string& media_type);

// "sha256:<64 hex>" (the only algorithm Distribution registries serve here).
bool valid_digest(std::string_view digest);

}  // namespace regpol::image
