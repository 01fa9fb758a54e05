#include "inuse/load.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <sstream>
#include <sys/stat.h>

#include "inuse/in_use_file.h"
#include "inuse/kubernetes.h"
#include "inuse/reference.h"
#include "util/read_file.h"

namespace regpol {

namespace {

struct Named {
  std::string where, reference, user;
  bool optional = false;  // a container status's imageID: a bare image id there is not a mistake
  bool listed = false;    // a line of a reference list: without a host it names the snapshot's registry
};

void match_all(const std::vector<Named>& refs, const Registry& registry, const RegistryIdentity& identity, InUseSet& out,
               InUseSet::File& file) {
  std::unordered_set<std::uint32_t> named;
  for (const Named& n : refs) {
    ImageReference ref;
    std::string why;
    if (!parse_image_reference(n.reference, ref, why)) {
      if (!n.optional) out.unmatched.push_back({n.where, n.reference, why});
      continue;
    }
    ++out.references;
    ++file.references;
    ReferenceMatch m = match_reference(registry, identity, ref, n.listed);
    switch (m.outcome) {
      case ReferenceMatch::Outcome::Matched: {
        named.insert(m.image);
        auto& users = out.users[m.image];
        if (std::find(users.begin(), users.end(), n.user) == users.end()) users.push_back(n.user);
        break;
      }
      case ReferenceMatch::Outcome::OtherRegistry:
        out.elsewhere.push_back({n.where, n.reference, m.why});
        break;
      case ReferenceMatch::Outcome::NoSuchImage:
        out.unmatched.push_back({n.where, n.reference, m.why});
        break;
    }
  }
  file.images.assign(named.begin(), named.end());
  std::sort(file.images.begin(), file.images.end());
}

// When the file was last written, as the time its content was read.
Micros modified_at(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return kNoTime;
  return static_cast<Micros>(st.st_mtim.tv_sec) * 1'000'000 + st.st_mtim.tv_nsec / 1000;
}

}  // namespace

std::unordered_set<std::uint32_t> InUseSet::images() const {
  std::unordered_set<std::uint32_t> out;
  out.reserve(users.size());
  for (const auto& [image, who] : users) out.insert(image);
  return out;
}

bool load_in_use_file(const std::string& path, const Registry& registry, const RegistryIdentity& identity, InUseSet& out,
                      std::string& error) {
  ReadFileResult read = read_file_limited(path, kMaxInUseFileBytes);
  if (!read.ok) {
    error = read.error;
    return false;
  }
  const std::string& text = read.text;
  std::vector<Named> refs;
  Micros read_at = modified_at(path);
  auto first = text.find_first_not_of(" \t\r\n");
  if (first != std::string::npos && text[first] == '{') {
    nlohmann::json doc;
    try {
      doc = nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error& e) {
      error = path + ": byte " + std::to_string(e.byte) + ": malformed JSON";
      return false;
    } catch (const nlohmann::json::exception&) {
      error = path + ": malformed JSON (a number out of range)";
      return false;
    }
    if (is_in_use_document(doc)) {
      InUseDocument pulled;
      if (!read_in_use_document(doc, path, pulled, error)) return false;
      read_at = pulled.read_at;
      refs.reserve(pulled.images.size());
      for (std::size_t i = 0; i < pulled.images.size(); ++i) {
        InUseEntry& e = pulled.images[i];
        // The digest the service resolved names the image, whatever its tag names now.
        std::string ref = e.digest.empty() || e.image.find('@') != std::string::npos ? e.image : e.image + "@" + e.digest;
        refs.push_back({path + ": images[" + std::to_string(i) + "]", std::move(ref), std::move(e.user), false});
      }
      out.files.push_back({path, read_at, 0, {}});
      match_all(refs, registry, identity, out, out.files.back());
      return true;
    }
    if (!is_kubernetes_document(doc)) {
      error = path + ": expected `kubectl get … -o json` output (an object with `kind`, or a list with `items`) or a file of `regpol in-use pull`";
      return false;
    }
    std::vector<WorkloadImage> images;
    if (!read_kubernetes_document(doc, path, images, error)) return false;
    refs.reserve(images.size());
    for (auto& w : images) refs.push_back({std::move(w.where), std::move(w.reference), path + ": " + w.user, w.from_status});
  } else {
    std::istringstream lines(text);
    std::string line;
    for (std::size_t n = 1; std::getline(lines, line); ++n) {
      auto b = line.find_first_not_of(" \t\r");
      if (b == std::string::npos || line[b] == '#') continue;
      auto e = line.find_last_not_of(" \t\r");
      std::string where = path + ":" + std::to_string(n);
      refs.push_back({where, line.substr(b, e - b + 1), where, false, true});
    }
  }
  out.files.push_back({path, read_at, 0, {}});
  match_all(refs, registry, identity, out, out.files.back());
  return true;
}

}  // namespace regpol
