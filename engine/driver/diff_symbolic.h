#pragma once
// `regpol diff OLD NEW --symbolic`: how two policies' access rules differ for every
// request, not only the ones of a log. For every class of repository names the two
// policies' blocks tell apart, the prover looks for a request NEW allows and OLD denies
// (access added) and one OLD allows and NEW denies (access removed); each it finds is a
// counterexample that replays through `regpol authorize`.
#include <string>

#include "driver/compile.h"

namespace regpol {

struct SymbolicDiffRequest {
  std::string old_path, new_path;  // regpol policies, or IAM documents (*.json)
  std::string old_name, new_name;  // as the report names them
  std::string repository;          // only this name; empty: every class of names
  CompileOptions compile;
  unsigned timeout_ms = 2000;
  bool json = false;
};

// The report on stdout. `changed`: some request is decided differently; `unknown`: some
// direction could not be decided. kOk, or kBadInput (a policy does not load, said on
// stderr), kInternal (a counterexample did not replay).
int diff_symbolic(const SymbolicDiffRequest& request, bool& changed, bool& unknown);

}  // namespace regpol
