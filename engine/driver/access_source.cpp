// Loading the access rules a proof is about (driver/access_source.h).
#include "driver/access_source.h"

#include "driver/authorize.h"
#include "driver/exit_code.h"

namespace regpol {

bool is_iam_policy_document(const std::string& path) { return path.size() > 5 && path.compare(path.size() - 5, 5, ".json") == 0; }

int load_access_source(const std::string& path, const CompileOptions& compile, const std::string& consequence, LoadedAccess& out) {
  if (is_iam_policy_document(path)) return load_iam_policy_or_fail(path, out.source.document);
  if (int code = compile_policy_or_fail(path, out.sources, compile, kBadInput, consequence, out.compiled); code != kOk) return code;
  out.source.policy = &out.compiled.plan;
  return kOk;
}

}  // namespace regpol
