#include "driver/audit.h"

#include "audit/audit.h"
#include "driver/exit_code.h"
#include "driver/snapshots.h"

namespace regpol {

int run_audit(const AuditRequest& request, std::ostream& out) {
  SourceMap sources;
  CompiledPolicy compiled;
  if (int code = compile_policy_or_fail(request.policy, sources, request.compile, kBadInput, "audited", compiled); code != kOk) return code;
  Registry registry;
  LoadError lerr;
  if (!load_snapshots(request.snapshots, registry, lerr)) return fail(kBadInput, "[E0501] " + lerr.to_string());
  if (!request.repository.empty()) {
    StrId id = registry.strings.find(request.repository);
    if (!id || !registry.repo_index.count(id)) return fail(kBadInput, "repository `" + request.repository + "` is not in the snapshot");
  }
  AuditResult result = audit_registry(compiled.plan, registry, request.repository, request.now);
  AuditReportContext context{request.policy, request.snapshots, registry.captured_at};
  write_audit_report(result, request.format, context, out);
  return result.errors() ? kFindings : kOk;
}

}  // namespace regpol
