#include "inuse/load.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <sstream>
#include <sys/stat.h>

#include "inuse/in_use_file.h"
#include "inuse/kubernetes.h"
#include "inuse/reference.h"
#include "source/source_file.h"
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
      if (!n.optional) out.unmatched.push_back({n.where, n.reference, why, ""});
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
        out.elsewhere.push_back({n.where, n.reference, m.why, ref.host});
        break;
      case ReferenceMatch::Outcome::NoSuchImage:
        out.unmatched.push_back({n.where, n.reference, m.why, ref.host});
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

// The JSON documents of `text`, one after another, each with the "LINE:COL" it starts at:
// kubectl prints several objects in a row (`-f` with several files, `--local`), and the
// output of several clusters' commands may be concatenated. False with the line and column
// of what is malformed.
bool json_documents(const std::string& text, const std::string& path, std::vector<std::pair<nlohmann::json, std::string>>& out,
                    std::string& error) {
  // Lines and columns as every located error gives them (columns in code points), from one
  // index of the line starts: a stream of many documents names each start cheaply.
  const SourceFile source(path, text);
  auto line_column = [&](std::size_t offset) {
    const LineCol at = source.line_col(static_cast<std::uint32_t>(std::min(offset, text.size())));
    return std::to_string(at.line) + ":" + std::to_string(at.column);
  };
  std::istringstream in(text);
  for (;;) {
    in >> std::ws;
    if (in.peek() == std::char_traits<char>::eof()) return true;
    const auto start = static_cast<std::size_t>(in.tellg());
    if (text[start] != '{') {
      error = path + ":" + line_column(start) + ": expected a JSON object (kubectl output, or a file of `regpol in-use pull`)";
      return false;
    }
    nlohmann::json doc;
    try {
      in >> doc;
    } catch (const nlohmann::json::parse_error& e) {
      error = path + ":" + line_column(start + (e.byte > 0 ? e.byte - 1 : 0)) + ": malformed JSON";
      return false;
    } catch (const nlohmann::json::exception&) {
      error = path + ":" + line_column(start) + ": malformed JSON (a number out of range)";
      return false;
    }
    out.emplace_back(std::move(doc), line_column(start));
  }
}

// The references of a reference list: one per line; blank lines and `#` comments skipped.
void reference_lines(const std::string& text, const std::string& path, std::vector<Named>& refs) {
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

// The references of a `regpol in-use pull` file, each by the digest the service resolved
// where it says one (that names the image, whatever its tag names now); `read_at` its readAt.
bool pulled_references(const nlohmann::json& doc, const std::string& path, std::vector<Named>& refs, Micros& read_at, std::string& error) {
  InUseDocument pulled;
  if (!read_in_use_document(doc, path, pulled, error)) return false;
  read_at = pulled.read_at;
  refs.reserve(pulled.images.size());
  for (std::size_t i = 0; i < pulled.images.size(); ++i) {
    InUseEntry& e = pulled.images[i];
    std::string ref = e.digest.empty() || e.image.find('@') != std::string::npos ? e.image : e.image + "@" + e.digest;
    refs.push_back({path + ": images[" + std::to_string(i) + "]", std::move(ref), std::move(e.user), false});
  }
  return true;
}

}  // namespace

std::unordered_set<std::string> InUseSet::keys(const Registry& registry) const {
  std::unordered_set<std::string> out;
  out.reserve(users.size());
  for (const auto& [image, who] : users) out.insert(in_use_key(registry.repo_name(registry.images[image]), registry.str(registry.images[image].digest)));
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
  if (first == std::string::npos || text[first] != '{') {
    reference_lines(text, path, refs);
  } else {
    std::vector<std::pair<nlohmann::json, std::string>> docs;
    if (!json_documents(text, path, docs, error)) return false;
    if (is_in_use_document(docs.front().first)) {
      if (docs.size() > 1) {
        error = path + ":" + docs[1].second + ": a file of `regpol in-use pull` holds one document";
        return false;
      }
      if (!pulled_references(docs.front().first, path, refs, read_at, error)) return false;
    } else {
      for (std::size_t k = 0; k < docs.size(); ++k) {
        // One document is named by the file; one of several, by where it starts.
        const std::string label = docs.size() == 1 ? path : path + ":" + docs[k].second;
        if (!is_kubernetes_document(docs[k].first)) {
          error = label + ": expected `kubectl get … -o json` output (an object with `kind`, or a list with `items`) or a file of `regpol in-use pull`";
          return false;
        }
        std::vector<WorkloadImage> images;
        if (!read_kubernetes_document(docs[k].first, label, images, error)) return false;
        for (auto& w : images) refs.push_back({std::move(w.where), std::move(w.reference), path + ": " + w.user, w.from_status});
      }
    }
  }
  out.files.push_back({path, read_at, 0, {}});
  match_all(refs, registry, identity, out, out.files.back());
  return true;
}

}  // namespace regpol
