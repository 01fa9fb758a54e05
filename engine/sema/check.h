#pragma once
// Semantic analysis: imports (std/ and relative), `let`, templates and `use`, repository
// scoping, and the types and ranges of every value, each problem a coded diagnostic with
// a "did you mean" where a name is unknown.
#include <memory>
#include <optional>
#include <string>

#include "diag/diagnostic.h"
#include "sema/checked.h"

namespace regpol::sema {

// Where an import string leads, decided before anything is read.
struct ResolvedModule {
  enum class Status { Found, NotFound, Refused } status = Status::NotFound;
  std::string key;     // the module's identity (stdlib name or real path): cycles and caching
  std::string reason;  // Refused: why, in words that quote only the import string
};

// Finds and parses imported modules; the driver provides it (it knows the embedded stdlib,
// the file system and the import root imports are confined to).
class ModuleLoader {
 public:
  virtual ~ModuleLoader() = default;
  virtual ResolvedModule resolve(const std::string& spec, FileId importer, const SourceMap& sources) = 0;
  // Parses a Found module; nullopt with `error` set when it cannot be read.
  virtual std::optional<ast::File> load(const ResolvedModule& module, SourceMap& sources, DiagnosticSink& sink,
                                        std::string& error) = 0;
};

std::unique_ptr<CheckedPolicy> check_policy(ast::File main, SourceMap& sources, DiagnosticSink& sink,
                                            ModuleLoader& loader);

// The IAM actions of ECR, for validation and "did you mean".
const std::vector<std::string>& ecr_action_names();
// Action groups of the language: pull, push, delete.
std::vector<std::string> expand_action_group(const std::string& word);

}  // namespace regpol::sema
