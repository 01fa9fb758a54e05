#pragma once
// The stage table every policy command shares: read -> parse -> check -> lower.
// Stages append to one DiagnosticSink and carry on as far as they can.
#include <memory>
#include <string>

#include "driver/front_end.h"
#include "plan/policy_plan.h"
#include "sema/checked.h"

namespace regpol {

struct CompiledPolicy {
  LoadedPolicy loaded;
  std::unique_ptr<sema::CheckedPolicy> checked;
  PolicyPlan plan;
  bool ok = false;  // no errors in any stage
  bool malformed = false;  // unreadable, or a syntax error (E01xx) in the file or an import: exit 3
};

struct CompileOptions {
  // Relative imports (and `snapshot "FILE"` in test blocks) must stay inside this folder.
  // Empty: the folder of the policy file named on the command line (the current folder
  // when the policy is not a regular file, such as a pipe).
  std::string import_root;
};

CompiledPolicy compile_policy_file(const std::string& path, SourceMap& sources, DiagnosticSink& sink,
                                   const CompileOptions& options = {});
CompiledPolicy compile_policy_text(const std::string& name, std::string text, SourceMap& sources, DiagnosticSink& sink,
                                   const CompileOptions& options = {});

// compile_policy_file for a command that cannot go on past errors: kOk, or the diagnostics
// on stderr, "PATH: the policy has errors; nothing was CONSEQUENCE" and the exit code
// (kBadInput for an unreadable or malformed file, `errors_exit` for the other errors).
int compile_policy_or_fail(const std::string& path, SourceMap& sources, const CompileOptions& options, int errors_exit,
                           const std::string& consequence, CompiledPolicy& out);

// The import root `options` gives for a policy at `policy_path`, as an absolute path.
std::string effective_import_root(const std::string& policy_path, const CompileOptions& options);

// Resolves `relative` (a path written in the policy file `from`) inside `root`: the refusal
// reason when it is absolute, leaves the root (through `..` or a symbolic link) or is not a
// regular file; "" and the resolved path in `out` otherwise. A missing file is not refused
// here: `out` names it and the caller reports it as missing.
std::string confine_path(const std::string& root, const std::string& from, const std::string& relative, std::string& out);

// `regpol compile`: the compiled plan as text (`--emit plan`) or as indented JSON with a
// final newline (`--emit plan-json`).
std::string compiled_plan_text(const PolicyPlan& plan, bool json);

}  // namespace regpol
