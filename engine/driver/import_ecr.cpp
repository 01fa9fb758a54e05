#include "driver/import_ecr.h"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "driver/compile.h"
#include "driver/exit_code.h"
#include "driver/snapshots.h"
#include "format/format.h"
#include "interop/regpol_source.h"
#include "util/read_file.h"

namespace regpol {

namespace {

void print_lines(const std::vector<std::string>& lines) {
  for (const auto& line : lines) std::cerr << line << "\n";
}

// The regpol text of one repository's ECR settings (its block's body); false with the
// problems printed, naming `where`.
bool repository_body(const std::string& where, const nlohmann::json& repo, std::string& body) {
  body.clear();
  auto text_of = [&](const char* key) -> std::optional<std::string> {
    if (!repo.contains(key) || !repo[key].is_string()) return std::nullopt;
    return repo[key].get<std::string>();
  };
  if (repo.contains("mutability") && repo["mutability"].is_string()) {
    std::string m = repo["mutability"].get<std::string>();
    std::vector<std::string> exclusions;
    if (repo.contains("mutabilityExclusions") && repo["mutabilityExclusions"].is_array()) {
      for (const auto& f : repo["mutabilityExclusions"])
        if (f.is_string()) exclusions.push_back(f.get<std::string>());
    }
    body += interop::mutability_line(m.rfind("IMMUTABLE", 0) == 0, exclusions);
  }
  auto add = [&](const std::string& piece) { body += (body.empty() ? "" : "\n") + piece; };
  std::vector<std::string> errors;
  std::string piece;
  if (auto text = text_of("lifecyclePolicy")) {
    if (interop::lifecycle_source(where + "#lifecyclePolicy", *text, where + "#lifecyclePolicy", piece, errors) != interop::Imported::Ok)
      return print_lines(errors), false;
    add(piece);
  }
  if (auto text = text_of("repositoryPolicy")) {
    if (interop::access_source(where + "#repositoryPolicy", *text, where + "#repositoryPolicy", where + ": ", piece, errors) !=
        interop::Imported::Ok)
      return print_lines(errors), false;
    add(piece);
  }
  return true;
}

// --snapshot: the repositories of a pulled snapshot, grouped by identical settings. The
// file is streamed; its images are skipped as they are read, never held.
int import_pulled(const std::string& path, std::string& source) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(kBadInput, "cannot read `" + path + "`");
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(in, [](int depth, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
      return !(depth == 1 && event == nlohmann::json::parse_event_t::key && parsed == "images");
    });
  } catch (const nlohmann::json::exception& e) {
    return fail(kBadInput, path + ": malformed JSON (" + std::string(e.what()) + ")");
  }
  if (!doc.is_object() || doc.value("schema", nlohmann::json()) != "regpol.snapshot/v1" || !doc.contains("repositories") ||
      !doc["repositories"].is_array())
    return fail(kBadInput, path + ": not a snapshot `regpol snapshot pull ecr` wrote (a regpol.snapshot/v1 document with repositories)");
  std::map<std::string, std::vector<std::string>> blocks;  // body -> repositories, in order of first sight
  std::vector<std::string> order;
  bool ok = true;
  for (std::size_t i = 0; i < doc["repositories"].size(); ++i) {
    const auto& r = doc["repositories"][i];
    if (!r.is_object() || !r.contains("name") || !r["name"].is_string()) return fail(kBadInput, path + ": repositories[" + std::to_string(i) + "] has no name");
    std::string name = r["name"].get<std::string>(), body;
    if (!repository_body(path + ": repository `" + name + "`", r, body)) {
      ok = false;
      continue;
    }
    if (!blocks.count(body)) order.push_back(body);
    blocks[body].push_back(name);
  }
  if (!ok) return fail(kBadInput, "some repositories' ECR settings cannot be imported; nothing was written");
  for (const auto& body : order) source += "\n" + interop::repository_opening(blocks[body]) + "\n" + body + "}\n";
  return kOk;
}

}  // namespace

int import_ecr(const ImportEcrRequest& request, std::string& formatted) {
  // What `export ecr` wrote: documents by name (a folder) or members of one object.
  std::optional<std::string> lifecycle_text, policy_text;
  std::string mutability_line;
  if (request.from) {
    std::error_code ec;
    nlohmann::json mutability;
    if (std::filesystem::is_directory(*request.from, ec)) {
      auto part = [&](const char* name, std::optional<std::string>& dst) -> bool {
        std::string path = (std::filesystem::path(*request.from) / name).string(), text, err;
        if (!std::filesystem::exists(path, ec)) return true;
        if (!read_document(path, text, err)) return (std::cerr << "regpol: error: " << err << "\n"), false;
        dst = text;
        return true;
      };
      std::optional<std::string> mut;
      if (!part("lifecycle-policy.json", lifecycle_text) || !part("repository-policy.json", policy_text) ||
          !part("image-tag-mutability.json", mut)) {
        return kBadInput;
      }
      if (!lifecycle_text && !policy_text && !mut) return fail(kBadInput, "`" + *request.from + "` holds none of the files `export ecr --out-dir` writes");
      if (mut) {
        try {
          mutability = nlohmann::json::parse(*mut);
        } catch (const nlohmann::json::exception&) {
          return fail(kBadInput, *request.from + "/image-tag-mutability.json: malformed JSON");
        }
      }
    } else {
      std::string text, err;
      if (!read_document(*request.from, text, err)) return fail(kBadInput, err);
      nlohmann::json doc;
      try {
        doc = nlohmann::json::parse(text);
      } catch (const nlohmann::json::exception&) {
        return fail(kBadInput, *request.from + ": malformed JSON");
      }
      if (!doc.is_object() || !doc.contains("lifecyclePolicy") || !doc.contains("repositoryPolicy") || !doc.contains("imageTagMutability"))
        return fail(kBadInput, *request.from + ": not what `regpol export ecr` prints (lifecyclePolicy, repositoryPolicy, imageTagMutability)");
      if (!doc["lifecyclePolicy"].is_null()) lifecycle_text = doc["lifecyclePolicy"].dump();
      if (!doc["repositoryPolicy"].is_null()) policy_text = doc["repositoryPolicy"].dump();
      if (!doc["imageTagMutability"].is_null()) mutability = doc;
    }
    if (!mutability.is_null()) {
      static const std::map<std::string, bool> kSettings = {{"MUTABLE", false}, {"IMMUTABLE", true},
                                                             {"MUTABLE_WITH_EXCLUSION", false}, {"IMMUTABLE_WITH_EXCLUSION", true}};
      auto setting = mutability.value("imageTagMutability", nlohmann::json());
      if (!setting.is_string() || !kSettings.count(setting.get<std::string>()))
        return fail(kBadInput, *request.from + ": imageTagMutability must be MUTABLE, IMMUTABLE, MUTABLE_WITH_EXCLUSION or IMMUTABLE_WITH_EXCLUSION");
      auto filters = mutability.value("imageTagMutabilityExclusionFilters", nlohmann::json::array());
      std::vector<std::string> exclusions;
      for (std::size_t i = 0; filters.is_array() && i < filters.size(); ++i) {
        const auto& f = filters[i];
        if (!f.is_object() || !f.contains("filter") || !f["filter"].is_string())
          return fail(kBadInput, *request.from + ": imageTagMutabilityExclusionFilters[" + std::to_string(i) + "] needs a string `filter`");
        exclusions.push_back(f["filter"].get<std::string>());
      }
      mutability_line = interop::mutability_line(kSettings.at(setting.get<std::string>()), exclusions);
    }
  }

  std::string body, text, err;
  std::vector<std::string> errors;
  std::string piece;
  if (request.lifecycle || lifecycle_text) {
    if (lifecycle_text) text = *lifecycle_text;
    else if (!read_document(*request.lifecycle, text, err)) return fail(kBadInput, err);
    const std::string name = request.lifecycle ? *request.lifecycle : *request.from + "#lifecyclePolicy";
    if (interop::lifecycle_source(name, text, name + "#", piece, errors) != interop::Imported::Ok)
      return print_lines(errors), fail(kBadInput, "invalid ECR lifecycle policy");
    body += piece;
  }
  if (request.repository_policy || policy_text) {
    if (policy_text) text = *policy_text;
    else if (!read_document(*request.repository_policy, text, err)) return fail(kBadInput, err);
    const std::string name = request.repository_policy ? *request.repository_policy : *request.from + "#repositoryPolicy";
    switch (interop::access_source(name, text, name + "#", "", piece, errors)) {
      case interop::Imported::Ok: break;
      case interop::Imported::Invalid: return print_lines(errors), fail(kBadInput, "invalid IAM policy document");
      case interop::Imported::Inexpressible: return print_lines(errors), fail(kBadInput, "the repository policy uses what regpol cannot express");
    }
    body += (body.empty() ? "" : "\n") + piece;
  }
  std::string source = "# imported by `regpol import ecr`\n";
  if (request.pulled) {
    if (int code = import_pulled(*request.pulled, source); code != kOk) return code;
  } else if (request.repositories) {
    Registry registry;
    LoadError lerr;
    if (!load_snapshots({*request.repositories}, registry, lerr)) return fail(kBadInput, "[E0501] " + lerr.to_string());
    for (const auto& r : registry.repositories) {
      std::string block = "\n" + interop::repository_opening({std::string(registry.str(r.name))}) + "\n";
      if (r.mutability != Mutability::Unknown) {
        bool immutable = r.mutability == Mutability::Immutable || r.mutability == Mutability::ImmutableWithExclusion;
        std::vector<std::string> exclusions;
        for (auto e : r.mutability_exclusions) exclusions.emplace_back(registry.str(e));
        block += interop::mutability_line(immutable, exclusions) + (body.empty() ? "" : "\n");
      }
      source += block + body + "}\n";
    }
  } else {
    source += "\n" + interop::repository_opening({"*"}) + "\n" + mutability_line + (mutability_line.empty() || body.empty() ? "" : "\n") + body + "}\n";
  }
  // The output must compile; format it canonically.
  SourceMap sources;
  DiagnosticSink sink;
  CompiledPolicy compiled = compile_policy_text("<import>", source, sources, sink);
  if (!compiled.ok) {
    for (const auto& d : sink.sorted()) std::cerr << "regpol: import produced invalid source: " << d.code << " " << d.message << "\n";
    return fail(kInternal, "import produced a policy that does not compile (please report this)");
  }
  formatted = format_policy(*compiled.checked->files.front(), sources.file(compiled.loaded.file));
  return kOk;
}

}  // namespace regpol
