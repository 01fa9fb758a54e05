// regpol: the command-line entry point. Dispatches to one function per subcommand and maps
// every failure to a documented exit code; no exception leaves main.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "cli/args.h"
#include "cli/commands.h"
#include "diag/suggest.h"
#include "store/state_store.h"
#include "util/deep_stack.h"
#include "util/text.h"

namespace regpol::cli {
namespace {

struct Command {
  const char* name;
  const char* summary;
  int (*run)(const Argv&);
};

const Command kCommands[] = {
    {"lint", "parse and check policy files; diagnostics as text, json or sarif", cmd_lint},
    {"fmt", "print policy files in the canonical layout (--check, --write)", cmd_fmt},
    {"plan", "dry-run report: which images a lifecycle policy would expire or archive, and why", cmd_plan},
    {"apply", "carry a plan out (delete, archive), journaled, resumable, behind safety rails", cmd_apply},
    {"diff", "what changing a policy changes: verdicts and access decisions, old vs new", cmd_diff},
    {"runs", "the runs apply recorded in a state database, and what each did and why", cmd_runs},
    {"test", "run the `test` blocks of policy files", cmd_test},
    {"explain", "every rule's verdict on one image, with reasons", cmd_explain},
    {"compile", "print the compiled plan of a policy (--emit plan|plan-json)", cmd_compile},
    {"in-use", "what runs on AWS (ecs, lambda) into a file --in-use takes, for `protect in_use`", cmd_in_use},
    {"snapshot", "pull a live registry (ecr, oci://), synthetic snapshots (gen), the SQLite store (import), summaries (stats)", cmd_snapshot},
    {"import", "ECR documents (lifecycle, repository policy, mutability) -> regpol source", cmd_import},
    {"export", "regpol -> ECR documents; a located error for what ECR cannot express", cmd_export},
    {"authorize", "access decisions for requests, as IAM would make them", cmd_authorize},
    {"check", "prove access properties for every request (no-public-access, …), with a counterexample", cmd_check},
    {"prove", "prove the properties a policy states (`prove` blocks) for every request", cmd_prove},
    {"gate", "may a pipeline deploy this image? the policy's `gate` rules (findings, scans, signatures, age)", cmd_gate},
    {"audit", "repository settings in a snapshot against the policy and a baseline (text, json, sarif)", cmd_audit},
};

void print_help() {
  std::cout << "regpol " REGPOL_VERSION " - a policy engine for container registries\n\n"
               "usage: regpol COMMAND [options]   (regpol COMMAND --help for its options)\n\n"
               "Commands:\n";
  for (const auto& c : kCommands) std::cout << "  " << c.name << std::string(12 - std::strlen(c.name), ' ') << c.summary << "\n";
  std::cout << "\nOptions:\n  --version   print the version (also `regpol version`)\n  --help, -h  this text (also `regpol COMMAND --help`)\n\n" << exit_codes_help("policy findings (lint errors, failed tests, --fail-on-deny, --fail-on-change,\n     a check failed or undecided), or apply refused (a rail, or the target's identity: nothing changed)", "a run stopped (run the same command again to resume) or an internal error", "another apply holds the state file");
}

}  // namespace
}  // namespace regpol::cli

namespace {

int run_main(int argc, char** argv) {
  using namespace regpol;
  using namespace regpol::cli;
  std::ios::sync_with_stdio(false);
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    print_help();
    return kUsage;
  }
  const std::string& first = args[0];
  if (first == "--help" || first == "-h" || first == "help") {
    print_help();
    return kOk;
  }
  if (first == "--version" || first == "version") {
    std::cout << "regpol " REGPOL_VERSION "\n";
    return kOk;
  }
  for (const auto& c : kCommands) {
    if (first != c.name) continue;
    try {
      int rc = c.run(Argv(args.begin() + 1, args.end()));
      // A report that did not reach its reader is a failure, not a success: check the last
      // flush too (a full disk or a closed pipe shows up only there).
      std::cout.flush();
      if (!std::cout || std::fflush(stdout) != 0 || std::ferror(stdout)) {
        std::cerr << "regpol: error: cannot write to standard output: " << regpol::errno_message(errno) << "\n";
        return kInternal;
      }
      return rc;
    } catch (const UsageError& e) {
      std::cerr << "regpol " << c.name << ": " << e.message << "\n";
      return kUsage;
    } catch (const std::bad_alloc&) {
      std::cerr << "regpol: internal error: out of memory\n";
      return kInternal;
    } catch (const regpol::StoreFailure& e) {
      // The state database failed a read or write the command had no way around: a busy or
      // read-only file, a full disk, a database this version cannot read. Not a defect of
      // regpol unless SQLite says the statement itself was wrong.
      if (e.kind() == regpol::ErrorKind::Internal) {
        std::cerr << "regpol: internal error: " << e.what() << "\n";
        return kInternal;
      }
      std::cerr << "regpol: error: " << e.what() << "\n";
      return e.kind() == regpol::ErrorKind::BadInput ? kBadInput : kInternal;
    } catch (const std::exception& e) {
      std::cerr << "regpol: internal error: " << e.what() << "\n";
      return kInternal;
    }
  }
  std::vector<std::string> names;
  for (const auto& c : kCommands) names.emplace_back(c.name);
  auto near = regpol::closest_match(first, names);
  std::cerr << "regpol: unknown command `" << first << "`" << (near ? " (did you mean `" + *near + "`?)" : std::string())
            << " (see `regpol --help`)\n";
  return kUsage;
}

}  // namespace

// Every command runs on a deep stack: policies may nest expressions up to the documented
// limit, and each front-end stage recurses over them (util/deep_stack.h).
int main(int argc, char** argv) {
  try {
    return regpol::run_on_deep_stack([&] { return run_main(argc, argv); });
  } catch (...) {
    std::cerr << "regpol: internal error\n";
    return regpol::kInternal;
  }
}
