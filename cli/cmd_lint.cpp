// `regpol lint`: parse and check policy files; report diagnostics as text, json or sarif.
#include <iostream>

#include "cli/args.h"
#include "cli/commands.h"
#include "diag/render.h"
#include "driver/compile.h"

namespace regpol::cli {

static const char* kLintHelp =
    "usage: regpol lint FILE... [--format text|json|sarif] [--deny-warnings] [--dump-after parse]\n"
    "\n"
    "Parses and checks each policy file (names, imports, templates, types, the ECR rules)\n"
    "and reports every problem found, each with a stable\n"
    "code (docs/diagnostics.md), file:line:col and a caret under the spot.\n"
    "Fast enough for a pre-commit hook (see docs/pre-commit.md).\n"
    "\n"
    "  --format F          text (default), json (schema regpol.diagnostics/v1) or sarif (2.1.0)\n"
    "  --deny-warnings     treat warnings as findings (exit 1)\n"
    "  --dump-after parse  print the syntax tree after parsing (for debugging and goldens)\n"
    "  --help              this text\n";

int cmd_lint(const Argv& argv) {
  Args args(argv, {"--import-root", "--format", "--dump-after"}, {"--help", "--deny-warnings"});
  if (args.has("--help")) {
    std::cout << kLintHelp << kImportRootHelp << "\n" << kExitCodesHelp;
    return kOk;
  }
  std::string format = args.get("--format").value_or("text");
  if (format != "text" && format != "json" && format != "sarif") throw UsageError{"unknown format `" + format + "` (expected text, json or sarif)"};
  auto dump_after = args.get("--dump-after");
  if (dump_after && *dump_after != "parse") throw UsageError{"--dump-after knows one stage: parse"};
  if (args.positionals().empty()) throw UsageError{"`lint` needs at least one FILE"};

  SourceMap sources;
  DiagnosticSink sink;
  bool malformed = false;
  for (const auto& path : args.positionals()) {
    if (dump_after) {
      LoadedPolicy p = load_policy(path, sources, sink);
      malformed = malformed || !p.read_ok || !p.syntax_ok;
      if (p.syntax_ok) std::cout << ast::dump(p.ast, true);
      continue;
    }
    CompiledPolicy c = compile_policy_file(path, sources, sink, compile_options(args));
    malformed = malformed || c.malformed;
  }
  auto diags = sink.sorted();
  if (format == "json") std::cout << render_json(sources, diags);
  else if (format == "sarif") std::cout << render_sarif(sources, diags);
  else std::cerr << render_human(sources, diags, {use_color()});
  if (malformed) return kBadInput;
  if (sink.has_errors() || (args.has("--deny-warnings") && sink.warning_count() > 0)) return kFindings;
  return kOk;
}

}  // namespace regpol::cli
