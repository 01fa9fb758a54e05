#pragma once
// `regpol audit`: every repository of a snapshot checked against what the policy asks of its
// settings and against a built-in baseline (docs/audit.md): scan on push, tag
// immutability, a lifecycle, and who the repository policy lets in. Each finding names the
// setting to change. The checks read only the snapshot: nothing is called.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "plan/policy_plan.h"
#include "snapshot/model.h"

namespace regpol {

enum class AuditSeverity { Error, Warning };

// One check of the catalogue: its code, its severity, a title, and the anchor of its
// section in docs/audit.md (SARIF rules and the docs are generated from this list).
struct AuditCheck {
  const char* code;
  AuditSeverity severity;
  const char* title;
  const char* anchor;
};
const std::vector<AuditCheck>& audit_checks();
const AuditCheck* find_audit_check(std::string_view code);

struct AuditFinding {
  std::string code;        // "A1001"
  AuditSeverity severity = AuditSeverity::Error;
  std::string repository;
  std::string message;     // what is wrong, in a sentence
  std::string fix;         // the setting to change: the ECR call (an AWS CLI line) or the policy edit
  std::string source;      // where the regpol policy asks for it ("policy.regpol:4:3"); "" for the baseline
  std::string statement;   // the repository policy statement that grants it (its Sid, or a
                           // pointer such as "team/x repository policy#/Statement/0"); "" when none
};

struct AuditResult {
  std::size_t repositories = 0;         // repositories checked
  std::vector<AuditFinding> findings;   // by repository (the registry's order), then by check
  // Checks that could not be made on some repositories because the snapshot does not
  // carry the setting ("scan on push: not in the snapshot for 12 repositories").
  std::vector<std::string> not_checked;
  std::size_t errors() const;
  std::size_t warnings() const;
};

// `only_repository` "" checks every repository of `registry`. `now` fills aws:CurrentTime
// of the requests the repository policies are tried with.
AuditResult audit_registry(const PolicyPlan& policy, const Registry& registry, std::string_view only_repository, Micros now);

}  // namespace regpol
