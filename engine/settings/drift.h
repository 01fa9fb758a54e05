#pragma once
// Settings drift: where a registry's settings, as a snapshot holds them, differ from what the
// policy asks (tag mutability, scan on push, the repository policy, an encryption
// requirement, ECR lifecycle policies where regpol runs the lifecycle, the registry's
// scanning and replication), each with the ECR call that would close it. Repository
// policies are compared by what they decide, not by their text (policy_equivalence.h).
// `plan` lists the drift, `apply --settings` writes it, `audit` reports what is required.
#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "plan/policy_plan.h"
#include "snapshot/model.h"

namespace regpol {

struct SettingChange {
  std::string repository;   // "" for a setting of the registry
  std::string setting;      // tagMutability, scanOnPush, repositoryPolicy, lifecyclePolicy, encryption, registryScanning, replication
  std::string current;      // what ECR holds, in words
  std::string wanted;       // what the policy asks, in words
  std::string source;       // where the policy asks it ("policy.regpol:4:3")
  std::string detail;       // why they differ when the words do not show it (a request decided differently)
  // The ECR operation and request body that write the wanted setting; operation "" when
  // regpol cannot write it (an encryption requirement: ECR fixes it at creation).
  std::string operation;
  nlohmann::json request;
  // Writing it gives some request access it does not have now (repository policies only;
  // apply refuses it without --allow-wider-access). `widening_example` is one such request.
  bool widens_access = false;
  std::string widening_example;
};

struct SettingsDrift {
  // The policy asks for any setting and the snapshot holds some (an ECR pull, or
  // repositories with settings): otherwise there is nothing to compare, and reports say nothing.
  bool managed = false;
  std::size_t repositories_checked = 0;
  std::vector<SettingChange> changes;    // registry settings first, then by repository (the snapshot's order)
  std::vector<std::string> unchecked;    // settings the snapshot does not carry ("scan on push: not in the snapshot for 3 repositories")
  std::size_t writable() const;
};

struct DriftOptions {
  Micros now = 0;                           // aws:CurrentTime of the compared requests
  std::vector<std::string> ecr_actions;     // every ECR action, for the compared requests (sema's list)
  std::string only_repository;              // "": every repository
};

// Whether the policy asks for any setting (mutability, scan, encryption, access, registry).
bool policy_manages_settings(const PolicyPlan& policy);

// Whether a snapshot holds any repository or registry setting to compare.
bool snapshot_has_settings(const Registry& registry);

SettingsDrift settings_drift(const PolicyPlan& policy, const Registry& registry, const DriftOptions& options);

}  // namespace regpol
