#pragma once
// A reviewed plan (`regpol plan --out PLAN.json`, schema regpol.plan-artifact/v1,
// docs/plan-artifact.schema.json): what a run would do, with the digests of the policy and
// the snapshots it came from. `regpol apply --plan PLAN.json` carries out exactly these
// actions, or refuses when the target no longer looks as the plan saw it.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

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
  // The --in-use sources the plan was made with, and what each kept (`inUseSources`, written
  // only when there were some): apply records them with the run.
  std::vector<InUseSourceRecord> in_use;
  // The settings drift the plan showed (`settings`, written only when the policy sets
  // settings and the snapshot holds them): the changes of plan's settingsDrift, which
  // `apply --settings --plan` writes and nothing else. Null when absent.
  nlohmann::json settings;
  // With blobs in the snapshot (an OCI pull; `freedBlobs`, absent otherwise): what the
  // deletions free in storage, grouped by the actions that hold it (apply/freed_blobs.h),
  // so that a run of the reviewed plan reports the bytes it freed.
  bool blobs_known = false;
  std::vector<FreedBlobGroup> freed_groups;
  // Read back: the SHA-256 over the whole artifact's canonical form (artifact_canonical),
  // and the Ed25519 signature of that form, when the plan was signed (`plan --sign-key`).
  std::string artifact_sha256;
  std::string signature, signature_key_id;  // base64, and the signer's key id
  std::string canonical;                    // what the hash and the signature cover
};

// The artifact's canonical form: the whole document but `artifactSha256` and `signature`,
// as compact JSON with sorted keys. Its SHA-256 is `artifactSha256`; a signature signs it.
std::string artifact_canonical(const PlanArtifact& artifact);

// The artifact's text: the document with artifactSha256 and, when `signature` is not empty,
// {"signature": {"algorithm": "ed25519", "keyId": key_id, "value": signature}}.
std::string plan_artifact_text(const PlanArtifact& artifact, const std::string& signature = "", const std::string& key_id = "");

// False with `error` (naming the member) when the file is not a well-formed plan artifact,
// or its artifactSha256 (whole document) or actionsSha256 does not match: it was edited
// after `plan` wrote it. The signature, if any, is read, not checked (apply --verify-key).
bool read_plan_artifact(const std::string& path, PlanArtifact& out, std::string& error);
// The same for a document in memory; `name` prefixes the error.
bool parse_plan_artifact(const std::string& text, const std::string& name, PlanArtifact& out, std::string& error);

}  // namespace regpol
