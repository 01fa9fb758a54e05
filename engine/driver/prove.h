#pragma once
// `regpol prove` below the command line: the properties a policy file states (`prove
// "NAME" { … }`), each proved for every request to every repository it covers
// (engine/verify, docs/verify.md); `regpol test` runs them too.
#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "driver/compile.h"
#include "verify/properties.h"

namespace regpol {

struct PropertyOutcome {
  const PropertyPlan* property = nullptr;
  std::string repositories;  // the globs it covers, as written ("prod/*, staging/*")
  PropertyResult result;
};

// Proves every property of `compiled` (the policy at `path`). The files `no new access than`
// names are read inside the import root, as imports are; one that does not load is said on
// stderr and gives kBadInput before anything is proved. kOk otherwise.
int prove_policy_properties(const std::string& path, const CompiledPolicy& compiled, const CompileOptions& compile, const ProofOptions& options,
                            std::vector<PropertyOutcome>& out);

// One line of text for an outcome ("proved for every request (3 repository classes)",
// "failed: …"), and its JSON object ({"name", "repository", "result", "counterexample",
// "decidedBy", "source", "why"}).
std::string property_outcome_text(const PropertyOutcome& outcome);
nlohmann::json property_outcome_json(const PropertyOutcome& outcome);

struct ProveRequest {
  std::vector<std::string> files;
  CompileOptions compile;
  unsigned timeout_ms = 2000;
  bool json = false;
};

// Prints every file's results (JSON: {"properties": [...]}) and returns kOk when all are
// proved, kFindings when one failed or is unknown, kBadInput for a file that does not load,
// kInternal when a counterexample did not replay.
int run_prove(const ProveRequest& request);

}  // namespace regpol
