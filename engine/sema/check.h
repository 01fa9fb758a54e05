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

// Finds and parses imported modules; the driver provides it (it knows the embedded stdlib
// and the file system). Returns nullopt when the module does not exist.
class ModuleLoader {
 public:
  virtual ~ModuleLoader() = default;
  virtual std::optional<ast::File> load(const std::string& spec, FileId importer, SourceMap& sources,
                                        DiagnosticSink& sink) = 0;
};

std::unique_ptr<CheckedPolicy> check_policy(ast::File main, SourceMap& sources, DiagnosticSink& sink,
                                            ModuleLoader& loader);

// The IAM actions of ECR, for validation and "did you mean".
const std::vector<std::string>& ecr_action_names();
// Action groups of the language: pull, push, delete.
std::vector<std::string> expand_action_group(const std::string& word);

}  // namespace regpol::sema
