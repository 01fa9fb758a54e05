#include "inuse/reference.h"

#include <algorithm>

#include "util/text.h"

namespace regpol {

namespace {

bool is_hex(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// "sha256:<64 hex>" or "sha512:<128 hex>": the digests registries hand out.
bool is_digest(std::string_view d) {
  if (d.rfind("sha256:", 0) == 0) return d.size() == 7 + 64 && is_hex(d.substr(7));
  if (d.rfind("sha512:", 0) == 0) return d.size() == 7 + 128 && is_hex(d.substr(7));
  return false;
}

}  // namespace

bool parse_image_reference(std::string_view text, ImageReference& out, std::string& error) {
  out = ImageReference{};
  // Container statuses prefix the runtime's own scheme to the image id.
  for (std::string_view scheme : {"docker-pullable://", "docker://", "containerd://", "cri-o://"}) {
    if (text.rfind(scheme, 0) == 0) text.remove_prefix(scheme.size());
  }
  if (text.empty()) {
    error = "an empty image reference";
    return false;
  }
  if (text.find_first_of(" \t\r\n") != std::string_view::npos) {
    error = "an image reference holds no white space";
    return false;
  }
  std::string_view name = text;
  if (auto at = text.find('@'); at != std::string_view::npos) {
    out.digest = std::string(text.substr(at + 1));
    name = text.substr(0, at);
    if (!is_digest(out.digest)) {
      error = "`" + out.digest + "` is not a digest (sha256: and 64 lower-case hex digits)";
      return false;
    }
  }
  if (name.empty() || is_digest(name) || (name.size() == 64 && is_hex(name))) {
    error = "an image id without a repository names no image of a registry";
    return false;
  }
  // A tag follows the last ':' after the last '/' (a ':' before it is the host's port).
  auto slash = name.rfind('/');
  auto colon = name.rfind(':');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
    out.tag = std::string(name.substr(colon + 1));
    name = name.substr(0, colon);
    if (out.tag.empty()) {
      error = "an empty tag after `:`";
      return false;
    }
  }
  auto first_slash = name.find('/');
  if (first_slash != std::string_view::npos) {
    std::string_view first = name.substr(0, first_slash);
    if (first.find('.') != std::string_view::npos || first.find(':') != std::string_view::npos || first == "localhost") {
      out.host = ascii_lower(first);
      out.host_written = true;
      name = name.substr(first_slash + 1);
    }
  }
  if (name.empty() || name.front() == '/' || name.back() == '/' || name.find("//") != std::string_view::npos) {
    error = "`" + std::string(text) + "` names no repository";
    return false;
  }
  out.written_path = std::string(name);
  out.path = out.written_path;
  if (!out.host_written || out.host == "index.docker.io" || out.host == "registry-1.docker.io") out.host = "docker.io";
  if (out.host == "docker.io" && out.path.find('/') == std::string::npos) out.path = "library/" + out.path;
  if (out.tag.empty() && out.digest.empty()) out.tag = "latest";
  return true;
}

}  // namespace regpol
