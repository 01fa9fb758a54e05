// `regpol compile`: the compiled plan of a policy, printed (as EXPLAIN does for SQL).
#include <iostream>

#include "cli/args.h"
#include "cli/commands.h"
#include "diag/render.h"
#include "driver/compile.h"

namespace regpol::cli {

static const char* kCompileHelp =
    "usage: regpol compile FILE.regpol [--emit plan|plan-json]\n"
    "\n"
    "Checks the policy and prints its compiled plan: per block, the mutability setting, the\n"
    "lifecycle rules in priority order with their compiled selections, and the access\n"
    "statements with their IAM operators; each with its source location.\n"
    "  --emit plan        readable text (default)\n"
    "  --emit plan-json   JSON (schema regpol.compiled-plan/v1)\n";

int cmd_compile(const Argv& argv) {
  Args args(argv, {"--import-root", "--emit"}, {"--help"});
  if (args.has("--help")) {
    std::cout << kCompileHelp << kImportRootHelp << "\n" << exit_codes_help("the policy has errors");
    return kOk;
  }
  std::string emit = args.get("--emit").value_or("plan");
  if (emit != "plan" && emit != "plan-json") throw UsageError{"--emit takes plan or plan-json"};
  if (args.positionals().size() != 1) throw UsageError{"`compile` takes one FILE"};
  SourceMap sources;
  DiagnosticSink sink;
  CompiledPolicy compiled = compile_policy_file(args.positionals()[0], sources, sink, compile_options(args));
  if (!compiled.ok) {
    std::cerr << render_human(sources, sink.sorted(), {use_color()});
    return compiled.malformed ? kBadInput : kFindings;
  }
  std::cout << compiled_plan_text(compiled.plan, emit == "plan-json");
  return kOk;
}

}  // namespace regpol::cli
