#pragma once
// `regpol import ecr`: ECR documents (a lifecycle policy, a repository policy, tag
// mutability, what `export ecr` wrote, a pulled snapshot's repositories) turned into regpol
// source that compiles, formatted canonically.
#include <optional>
#include <string>

namespace regpol {

struct ImportEcrRequest {
  std::optional<std::string> lifecycle;          // --lifecycle FILE
  std::optional<std::string> repository_policy;  // --repository-policy FILE
  std::optional<std::string> repositories;       // --repository SNAPSHOT: one block per repository, with its mutability
  std::optional<std::string> from;               // --from: what `export ecr` wrote (a folder or one document)
  std::optional<std::string> pulled;             // --snapshot: every repository of a pulled snapshot, grouped by settings
};

// The policy's text in `formatted`; an exit code, the problems said on stderr.
int import_ecr(const ImportEcrRequest& request, std::string& formatted);

}  // namespace regpol
