// `regpol export ecr`: regpol -> the ECR documents of one repository.
#include <filesystem>
#include <iostream>
#include <optional>

#include "cli/args.h"
#include "cli/commands.h"
#include "driver/export_ecr.h"
#include "util/atomic_file.h"

namespace regpol::cli {

static const char* kExportHelp =
    "usage: regpol export ecr FILE.regpol [--repository NAME] [--out-dir DIR]\n"
    "\n"
    "Prints, as one JSON object, what ECR needs for a repository: \"lifecyclePolicy\" (an ECR\n"
    "lifecycle policy), \"repositoryPolicy\" (an IAM policy document) and \"imageTagMutability\"\n"
    "(with \"imageTagMutabilityExclusionFilters\"); a part the policy does not set is null.\n"
    "NAME picks the blocks as `plan` does; without it the file must have exactly one\n"
    "repository block. Anything ECR or IAM cannot express (`where`, `by semver`, `per`,\n"
    "`protect`, `on tags`, ages that are not whole days, more than five exclusion filters,\n"
    "the ECR rule constraints) is an error at its source location (E0403), exit 1.\n"
    "\n"
    "  --repository NAME  the repository whose blocks are exported (see above)\n"
    "  --out-dir DIR      write the documents ECR takes, one file each, instead of the\n"
    "                     combined object: DIR/lifecycle-policy.json (for `aws ecr\n"
    "                     put-lifecycle-policy --lifecycle-policy-text file://…`),\n"
    "                     DIR/repository-policy.json (for `aws ecr set-repository-policy\n"
    "                     --policy-text file://…`) and DIR/image-tag-mutability.json\n"
    "                     (imageTagMutability and its exclusion filters); a part the\n"
    "                     policy does not set is not written. `regpol import ecr --from\n"
    "                     DIR` reads the folder back, as it reads the combined object.\n";

int cmd_export(const Argv& argv) {
  Args args(argv, {"--import-root", "--repository", "--out-dir"}, {"--help"});
  if (args.has("--help")) {
    std::cout << kExportHelp << kImportRootHelp << "\n" << exit_codes_help("the policy has errors, or uses what ECR cannot express (nothing exported)");
    return kOk;
  }
  const auto& pos = args.positionals();
  if (pos.size() != 2 || pos[0] != "ecr") throw UsageError{"usage: regpol export ecr FILE.regpol [--repository NAME]"};
  ExportEcrRequest request{pos[1], args.get("--repository"), compile_options(args), use_color()};
  nlohmann::json out;
  std::string usage_error;
  if (int code = export_ecr(request, out, usage_error); code != kOk) {
    if (!usage_error.empty()) throw UsageError{usage_error};
    return code;
  }
  if (auto dir = args.get("--out-dir")) {
    std::error_code ec;
    std::filesystem::create_directories(*dir, ec);
    if (ec) return fail(kInternal, "cannot create `" + *dir + "`: " + ec.message());
    const std::pair<const char*, nlohmann::json> files[] = {
        {"lifecycle-policy.json", out["lifecyclePolicy"]},
        {"repository-policy.json", out["repositoryPolicy"]},
        {"image-tag-mutability.json",
         out["imageTagMutability"].is_null() ? nlohmann::json() : nlohmann::json{{"imageTagMutability", out["imageTagMutability"]}}},
    };
    for (auto [name, doc] : files) {
      if (doc.is_null()) continue;
      if (std::string(name) == "image-tag-mutability.json" && out.contains("imageTagMutabilityExclusionFilters"))
        doc["imageTagMutabilityExclusionFilters"] = out["imageTagMutabilityExclusionFilters"];
      std::string path = (std::filesystem::path(*dir) / name).string();
      if (auto err = write_file_atomically(path, doc.dump(2) + "\n"); !err.empty()) return fail(kInternal, err);
      std::cerr << "regpol: wrote " << path << "\n";
    }
    return kOk;
  }
  std::cout << out.dump(2) << "\n";
  return kOk;
}

}  // namespace regpol::cli
