#pragma once
// `regpol export ecr`: one repository's lifecycle, access and tag mutability as the ECR
// documents (lifecycle policy, repository policy, imageTagMutability and its exclusion
// filters), or the located reasons ECR cannot express them.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "driver/compile.h"

namespace regpol {

struct ExportEcrRequest {
  std::string policy;
  std::optional<std::string> repository;  // the repository whose blocks apply; none: the policy's one block
  CompileOptions compile;
  bool color = false;  // diagnostics with colour
};

// `out` gets {"lifecyclePolicy", "repositoryPolicy", "imageTagMutability"[,
// "imageTagMutabilityExclusionFilters"]}, null where the policy sets nothing. An exit code,
// the problems said on stderr; kUsage with `usage_error` when the policy has several
// blocks and no repository was named.
int export_ecr(const ExportEcrRequest& request, nlohmann::json& out, std::string& usage_error);

}  // namespace regpol
