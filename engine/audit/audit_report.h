#pragma once
// `regpol audit`'s findings as text (people), JSON (scripts; docs/audit.schema.json) and
// SARIF 2.1.0 (code scanning).
#include <ostream>
#include <string>
#include <vector>

#include "audit/audit.h"

namespace regpol {

enum class AuditFormat { Text, Json, Sarif };

struct AuditReportContext {
  std::string policy_file;
  std::vector<std::string> snapshots;
  Micros captured_at = kNoTime;  // the snapshot's capture time, when it says
};

void write_audit_report(const AuditResult& result, AuditFormat format, const AuditReportContext& context, std::ostream& out);

}  // namespace regpol
