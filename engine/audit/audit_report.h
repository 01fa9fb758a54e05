#pragma once
// `regpol audit`'s findings as text (people), JSON (scripts; docs/audit.schema.json),
// SARIF 2.1.0 (code scanning) and HTML (one self-contained page: charts by check and by
// repository, a table of every finding).
#include <ostream>
#include <string>
#include <vector>

#include "audit/audit.h"

namespace regpol {

enum class AuditFormat { Text, Json, Sarif, Html };

struct AuditReportContext {
  std::string policy_file;
  std::vector<std::string> snapshots;
  Micros captured_at = kNoTime;  // the snapshot's capture time, when it says
};

// Html throws std::runtime_error only when the page cannot be compressed (out of memory).
void write_audit_report(const AuditResult& result, AuditFormat format, const AuditReportContext& context, std::ostream& out);

}  // namespace regpol
