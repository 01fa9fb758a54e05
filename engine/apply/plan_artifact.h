#pragma once
// A reviewed plan (`regpol plan --out PLAN.json`, schema regpol.plan-artifact/v1,
// docs/plan-artifact.schema.json): what a run would do, with the digests of the policy and
// the snapshots it came from. `regpol apply --plan PLAN.json` carries out exactly these
// actions, or refuses when the target no longer looks as the plan saw it.
#include <string>
#include <vector>

#include "apply/planned_actions.h"

namespace regpol {

struct PlanArtifact {
  Micros now = kNoTime;           // the instant the policy was evaluated at
  Micros captured_at = kNoTime;   // the snapshot's capture time, when it says
  std::string policy_file, policy_sha256;
  std::vector<std::string> snapshot_files;
  std::string snapshot_sha256;
  std::string source, store_id;   // where the snapshot came from (Registry::source, store_id), "" when it did not say
  std::string shard = "0/1";
  ActionPlan plan;
  std::string actions_sha256;     // actions_digest(plan.actions)
};

std::string plan_artifact_text(const PlanArtifact& artifact);

// False with `error` (naming the member) when the file is not a well-formed plan artifact
// or its actions do not match its actionsSha256 (it was edited after `plan` wrote it).
bool read_plan_artifact(const std::string& path, PlanArtifact& out, std::string& error);
// The same for a document in memory; `name` prefixes the error.
bool parse_plan_artifact(const std::string& text, const std::string& name, PlanArtifact& out, std::string& error);

}  // namespace regpol
