// `regpol import ecr`: ECR documents -> regpol source.
#include <fstream>
#include <filesystem>
#include <map>
#include <optional>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/args.h"
#include "cli/commands.h"
#include "util/read_file.h"
#include "driver/compile.h"
#include "driver/snapshots.h"
#include "format/format.h"
#include "interop/regpol_source.h"
#include "util/atomic_file.h"

namespace regpol::cli {

static const char* kImportHelp =
    "usage: regpol import ecr [--lifecycle L.json] [--repository-policy P.json] [--repository R.json] [--out FILE]\n"
    "       regpol import ecr --from DIR|EXPORT.json [--out FILE]\n"
    "       regpol import ecr --snapshot PULLED.json [--out FILE]\n"
    "\n"
    "Writes a regpol policy (to stdout, or FILE) that says what the ECR documents say:\n"
    "  --lifecycle L.json          an ECR lifecycle policy (rejected as ECR would reject it)\n"
    "  --repository-policy P.json  an ECR repository policy (an IAM policy document)\n"
    "  --repository R.json         `aws ecr describe-repositories` output: one block per\n"
    "                              repository, with its tag mutability\n"
    "  --from PATH                 what `regpol export ecr` wrote: the folder of --out-dir\n"
    "                              (lifecycle-policy.json, repository-policy.json,\n"
    "                              image-tag-mutability.json) or the combined JSON object\n"
    "  --snapshot PULLED.json      what `regpol snapshot pull ecr --out PULLED.json` wrote: every\n"
    "                              repository's lifecycle policy, repository policy and tag\n"
    "                              mutability, as one policy (repositories with the same three\n"
    "                              share a block); the migration path from ECR-native settings\n"
    "Without --repository the block is `repository \"*\"`. The output is checked: it parses,\n"
    "is formatted, and compiles before it is written.\n";

static void print_lines(const std::vector<std::string>& lines) {
  for (const auto& line : lines) std::cerr << line << "\n";
}

// The regpol text of one repository's ECR settings (its block's body); false with the
// problems printed, naming `where`.
static bool repository_body(const std::string& where, const nlohmann::json& repo, std::string& body) {
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
static int import_pulled(const std::string& path, std::string& source) {
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

int cmd_import(const Argv& argv) {
  Args args(argv, {"--lifecycle", "--repository-policy", "--repository", "--out", "--from", "--snapshot"}, {"--help"});
  if (args.has("--help")) {
    std::cout << kImportHelp << "\n" << kExitCodesHelp;
    return kOk;
  }
  if (args.positionals().size() != 1 || args.positionals()[0] != "ecr") throw UsageError{"usage: regpol import ecr … (see --help)"};
  auto lifecycle = args.get("--lifecycle");
  auto repo_policy = args.get("--repository-policy");
  auto repos = args.get("--repository");
  auto from = args.get("--from");
  auto pulled = args.get("--snapshot");
  if (pulled && (from || lifecycle || repo_policy || repos)) throw UsageError{"--snapshot reads every repository's settings; it cannot be combined with other inputs"};
  if (from && (lifecycle || repo_policy || repos)) throw UsageError{"--from reads everything export wrote; it cannot be combined with --lifecycle, --repository-policy or --repository"};
  if (!lifecycle && !repo_policy && !repos && !from && !pulled) throw UsageError{"give --from, or at least one of --lifecycle, --repository-policy, --repository"};

  // What `export ecr` wrote: documents by name (a folder) or members of one object.
  std::optional<std::string> lifecycle_text, policy_text;
  std::string mutability_line;
  if (from) {
    std::error_code ec;
    nlohmann::json mutability;
    if (std::filesystem::is_directory(*from, ec)) {
      auto part = [&](const char* name, std::optional<std::string>& dst) -> bool {
        std::string path = (std::filesystem::path(*from) / name).string(), text, err;
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
      if (!lifecycle_text && !policy_text && !mut) return fail(kBadInput, "`" + *from + "` holds none of the files `export ecr --out-dir` writes");
      if (mut) {
        try {
          mutability = nlohmann::json::parse(*mut);
        } catch (const nlohmann::json::exception&) {
          return fail(kBadInput, *from + "/image-tag-mutability.json: malformed JSON");
        }
      }
    } else {
      std::string text, err;
      if (!read_document(*from, text, err)) return fail(kBadInput, err);
      nlohmann::json doc;
      try {
        doc = nlohmann::json::parse(text);
      } catch (const nlohmann::json::exception&) {
        return fail(kBadInput, *from + ": malformed JSON");
      }
      if (!doc.is_object() || !doc.contains("lifecyclePolicy") || !doc.contains("repositoryPolicy") || !doc.contains("imageTagMutability"))
        return fail(kBadInput, *from + ": not what `regpol export ecr` prints (lifecyclePolicy, repositoryPolicy, imageTagMutability)");
      if (!doc["lifecyclePolicy"].is_null()) lifecycle_text = doc["lifecyclePolicy"].dump();
      if (!doc["repositoryPolicy"].is_null()) policy_text = doc["repositoryPolicy"].dump();
      if (!doc["imageTagMutability"].is_null()) mutability = doc;
    }
    if (!mutability.is_null()) {
      static const std::map<std::string, bool> kSettings = {{"MUTABLE", false}, {"IMMUTABLE", true},
                                                             {"MUTABLE_WITH_EXCLUSION", false}, {"IMMUTABLE_WITH_EXCLUSION", true}};
      auto setting = mutability.value("imageTagMutability", nlohmann::json());
      if (!setting.is_string() || !kSettings.count(setting.get<std::string>()))
        return fail(kBadInput, *from + ": imageTagMutability must be MUTABLE, IMMUTABLE, MUTABLE_WITH_EXCLUSION or IMMUTABLE_WITH_EXCLUSION");
      auto filters = mutability.value("imageTagMutabilityExclusionFilters", nlohmann::json::array());
      std::vector<std::string> exclusions;
      for (std::size_t i = 0; filters.is_array() && i < filters.size(); ++i) {
        const auto& f = filters[i];
        if (!f.is_object() || !f.contains("filter") || !f["filter"].is_string())
          return fail(kBadInput, *from + ": imageTagMutabilityExclusionFilters[" + std::to_string(i) + "] needs a string `filter`");
        exclusions.push_back(f["filter"].get<std::string>());
      }
      mutability_line = interop::mutability_line(kSettings.at(setting.get<std::string>()), exclusions);
    }
  }

  std::string body, text, err;
  std::vector<std::string> errors;
  std::string piece;
  if (lifecycle || lifecycle_text) {
    if (lifecycle_text) text = *lifecycle_text;
    else if (!read_document(*lifecycle, text, err)) return fail(kBadInput, err);
    const std::string name = lifecycle ? *lifecycle : *from + "#lifecyclePolicy";
    if (interop::lifecycle_source(name, text, name + "#", piece, errors) != interop::Imported::Ok)
      return print_lines(errors), fail(kBadInput, "invalid ECR lifecycle policy");
    body += piece;
  }
  if (repo_policy || policy_text) {
    if (policy_text) text = *policy_text;
    else if (!read_document(*repo_policy, text, err)) return fail(kBadInput, err);
    const std::string name = repo_policy ? *repo_policy : *from + "#repositoryPolicy";
    switch (interop::access_source(name, text, name + "#", "", piece, errors)) {
      case interop::Imported::Ok: break;
      case interop::Imported::Invalid: return print_lines(errors), fail(kBadInput, "invalid IAM policy document");
      case interop::Imported::Inexpressible: return print_lines(errors), fail(kBadInput, "the repository policy uses what regpol cannot express");
    }
    body += (body.empty() ? "" : "\n") + piece;
  }
  std::string source = "# imported by `regpol import ecr`\n";
  if (pulled) {
    if (int code = import_pulled(*pulled, source); code != kOk) return code;
  } else if (repos) {
    Registry registry;
    LoadError lerr;
    if (!load_snapshots({*repos}, registry, lerr)) return fail(kBadInput, "[E0501] " + lerr.to_string());
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
  std::string formatted = format_policy(*compiled.checked->files.front(), sources.file(compiled.loaded.file));
  if (auto out = args.get("--out")) {
    if (auto err = write_file_atomically(*out, formatted); !err.empty()) return fail(kInternal, err);
  } else {
    std::cout << formatted;
  }
  return kOk;
}

}  // namespace regpol::cli
