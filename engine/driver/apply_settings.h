#pragma once
// `regpol apply --target ecr --settings`: writes the settings the policy asks for (docs/
// enforce.md). The drift is planned from the snapshot (what the dry run showed), then read
// again from the registry right before writing: only changes the dry run showed and that
// are still needed are made, each rail is decided on what the registry holds now, and
// every step is journaled in the state file. A run killed half way is finished by running
// the same command again (what was written is no longer drift).
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "driver/compile.h"
#include "driver/registry_connect.h"
#include "util/time.h"

namespace regpol {

struct SettingsApplyRequest {
  std::string policy;
  std::vector<std::string> snapshots;  // the snapshot the dry run saw; empty with `pull`
  bool pull = false;                   // --pull: plan on what the registry holds now
  // --plan: a reviewed plan artifact (`plan --out`): its settings changes are what may be
  // written (its policy must be --policy, unchanged); --verify-key: it must be signed.
  std::optional<std::string> plan_path, verify_key;
  std::string state_path;
  EcrConnectOptions ecr;
  CompileOptions compile;
  Micros now = 0;
  bool yes = false;
  bool allow_wider_access = false;     // --allow-wider-access: the widening rail is off
};

// 0 written (or nothing to write), 1 refused (a rail, a run not confirmed, an unfinished
// image run), 3 bad input, 4 some writes failed or the registry could not be read, 5 busy.
int run_settings_apply(const SettingsApplyRequest& request, const std::function<bool(const std::string&)>& confirm);

}  // namespace regpol
