#pragma once
// The access rules a command proves things about (`check`, `prove`'s `no new access than`,
// `diff --symbolic`): a regpol policy (every block's statements for a repository) or an IAM
// repository-policy document, told apart by the file name (*.json).
#include <string>

#include "driver/compile.h"
#include "verify/properties.h"

namespace regpol {

bool is_iam_policy_document(const std::string& path);

struct LoadedAccess {
  SourceMap sources;
  CompiledPolicy compiled;
  AccessSource source;  // points into `compiled` for a regpol policy: do not copy
  LoadedAccess() = default;
  LoadedAccess(const LoadedAccess&) = delete;
  LoadedAccess& operator=(const LoadedAccess&) = delete;
};

// kOk, or the problems on stderr and kBadInput (`consequence` as compile_policy_or_fail says it).
int load_access_source(const std::string& path, const CompileOptions& compile, const std::string& consequence, LoadedAccess& out);

}  // namespace regpol
