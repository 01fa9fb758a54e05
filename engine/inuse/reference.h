#pragma once
// An image reference as a workload names it (`registry.example.com/team/app:v1`,
// `app@sha256:…`, `docker-pullable://…` from a container status), taken apart by the rules
// container runtimes use: the first path component is a registry host only when it holds a
// `.` or a `:` or is `localhost`; without one the image is on Docker Hub (`docker.io`), whose
// one-component names live under `library/`.
#include <string>
#include <string_view>

namespace regpol {

struct ImageReference {
  std::string host;          // lower case; "docker.io" when the reference names none
  bool host_written = false; // the reference named its host itself
  std::string path;          // the repository, as the registry names it ("library/nginx" on Docker Hub)
  std::string written_path;  // the repository as written, without the host ("nginx")
  std::string tag;           // empty when the reference has only a digest
  std::string digest;        // "sha256:…", empty when the reference has only a tag
};

// Takes `text` apart; false with `error` when it is no image reference (empty, a bare image
// id such as "sha256:…" without a repository, a malformed digest).
bool parse_image_reference(std::string_view text, ImageReference& out, std::string& error);

}  // namespace regpol
