// `regpol test`: runs the `test` blocks of policy files: each loads a snapshot, evaluates
// the policy at the given instant, and checks what happens to named images.
#include <iostream>

#include "cli/args.h"
#include "cli/commands.h"
#include "driver/policy_tests.h"

namespace regpol::cli {

static const char* kTestHelp =
    "usage: regpol test FILE.regpol...\n"
    "\n"
    "Runs every `test` block: `snapshot \"FILE\" [at TIMESTAMP]` (relative to the policy file,\n"
    "inside the import root; without `at`, the snapshot's capturedAt, else now), optionally\n"
    "`in_use \"FILE\"` (deployed images for `protect in_use`, as `plan --in-use` reads them; a\n"
    "reference that matches no image fails the test), then each\n"
    "`expect \"REPO:TAG\"|\"REPO@DIGEST\" kept|expired|archived|protected [by rule N]`, and\n"
    "access expectations, checked as `regpol authorize` decides (statements, then tag\n"
    "immutability against the snapshot's tags), in order like a request log:\n"
    "  expect allow|deny principal \"ARN\" action \"ecr:PutImage\"|pull|push|delete\n"
    "         repository \"NAME\" [tag \"T\"] [digest \"D\"] [context \"KEY\" \"VALUE\"]... [by \"SID\"]\n"
    "(`by` names the deciding statement's sid or source, or a reason: tag-immutable,\n"
    "implicit-deny). A test with only access expectations needs no snapshot.\n"
    "Then every `prove \"NAME\" { … }` of the file, proved as `regpol prove` proves it: a\n"
    "property that fails (the line shows the counterexample) or is unknown fails.\n"
    "Prints one line per test and property and exits 1 when any fails.\n";

int cmd_test(const Argv& argv) {
  Args args(argv, {"--import-root"}, {"--help"});
  if (args.has("--help")) {
    std::cout << kTestHelp << kImportRootHelp << "\n" << exit_codes_help("a test failed");
    return kOk;
  }
  if (args.positionals().empty()) throw UsageError{"`test` needs at least one FILE"};
  std::size_t passed = 0, failed = 0, expectations = 0;
  auto print = [&](const PolicyTestOutcome& t) {
    if (t.problems.empty()) {
      ++passed;
      std::cout << "ok    " << t.name << "\n";
    } else {
      ++failed;
      std::cout << "FAIL  " << t.name << "\n";
      for (const auto& p : t.problems) std::cout << "      " << p << "\n";
    }
  };
  for (const auto& path : args.positionals()) {
    if (int code = run_policy_tests(path, compile_options(args), print, expectations); code != kOk) return code;
  }
  std::cout << passed << " passed, " << failed << " failed (" << expectations << " expectations)\n";
  return failed ? kFindings : kOk;
}

}  // namespace regpol::cli
