#pragma once
// One function per subcommand; each returns a process exit code (cli/args.h).
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "driver/compile.h"
#include "driver/evaluate_policy.h"
#include "util/json_log.h"
#include "util/shard.h"
#include "util/time.h"

namespace regpol::cli {

using Argv = std::vector<std::string>;

int cmd_plan(const Argv& argv);
int cmd_authorize(const Argv& argv);
int cmd_check(const Argv& argv);
int cmd_prove(const Argv& argv);
int cmd_lint(const Argv& argv);
int cmd_fmt(const Argv& argv);
int cmd_import(const Argv& argv);
int cmd_snapshot(const Argv& argv);
int cmd_test(const Argv& argv);
int cmd_explain(const Argv& argv);
int cmd_audit(const Argv& argv);
int cmd_gate(const Argv& argv);
int cmd_compile(const Argv& argv);
int cmd_export(const Argv& argv);
int cmd_apply(const Argv& argv);
int cmd_runs(const Argv& argv);
int cmd_diff(const Argv& argv);
int cmd_in_use(const Argv& argv);

class Args;
// --import-root as CompileOptions.
CompileOptions compile_options(const Args& args);
// The --shard option ("I/N"), or all repositories; a UsageError when malformed.
Shard shard_option(const Args& args);
// --import-root, --in-use, --strict-in-use, --repository and --shard, as options that
// commands evaluating a policy (plan, apply) hand to the driver; without
// `repository_option` --repository is left to the caller (`apply --pull` pulls by it).
PolicyInputs policy_inputs(const Args& args, bool repository_option = true);
// A duration option (10s, 30m, 6h, 2d, 1w), or nullopt when it is not given; a usage error
// names the option when it is not a duration.
std::optional<Micros> duration_option(const Args& args, const char* name);
// --timeout MS of the commands that prove (check, prove, diff --symbolic): the solver's
// limit per proof, 2000 when not given; a usage error unless 1 to 9999999.
unsigned proof_timeout_option(const Args& args);
// --log-format text|json: with json, `json_log` is engaged on std::cerr, and every line
// written there from then on is a JSON object (util/json_log.h).
void log_format_option(const Args& args, std::optional<JsonLogLines>& json_log);

// The option every command that compiles a policy takes (cli/common.cpp: compile_options).
constexpr const char* kImportRootHelp =
    "\nImports: `std/...` modules, or `.regpol` files inside the import root; absolute paths,\n"
    "`..` or symbolic links that leave it are refused (E0206).\n"
    "  --import-root DIR   the import root (default: the folder of the policy file)\n";

// The "Exit codes:" section of a command's --help: 0, 2 and 3 as every command has them,
// and what 1, 4 and 5 mean for this command (`one` and `five` empty: it never exits so).
std::string exit_codes_help(std::string_view one, std::string_view four = {}, std::string_view five = {});

}  // namespace regpol::cli
