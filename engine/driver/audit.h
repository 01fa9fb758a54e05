#pragma once
// `regpol audit`: the policy compiled, the snapshots loaded, every repository audited
// (audit/audit.h) and the findings written (audit/audit_report.h).
#include <ostream>
#include <string>
#include <vector>

#include "audit/audit_report.h"
#include "driver/compile.h"
#include "util/time.h"

namespace regpol {

struct AuditRequest {
  std::string policy;
  std::vector<std::string> snapshots;
  std::string repository;  // "" for every repository
  AuditFormat format = AuditFormat::Text;
  Micros now = 0;
  CompileOptions compile;
};

// kOk when no finding is an error, kFindings when one is; kBadInput for a policy with
// errors, an unreadable snapshot or a repository the snapshot does not hold.
int run_audit(const AuditRequest& request, std::ostream& out);

}  // namespace regpol
