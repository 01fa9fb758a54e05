// `regpol lint`: parse and check policy files; report diagnostics as text, json or sarif.
#include <algorithm>
#include <iostream>

#include "cli/args.h"
#include "cli/commands.h"
#include "diag/render.h"
#include "diag/codes.h"
#include "driver/compile.h"
#include "lint/lint.h"
#include "lint/suppress.h"

namespace regpol::cli {

static const char* kLintHelp =
    "usage: regpol lint FILE... [--format text|json|sarif] [--deny-warnings] [--disable CODE...]\n"
    "                           [--enable CODE...] [--account ID...] [--target ecr]\n"
    "       regpol lint --explain CODE\n"
    "\n"
    "Parses and checks each policy file (names, imports, templates, types, the ECR rules),\n"
    "then runs the lint catalogue on it: security (grants to everyone, write access across\n"
    "accounts, `not` principals, allows a deny cancels, moving tags made immutable), lifecycle\n"
    "safety (a lifecycle that can expire everything, unguarded tagged expiry), dead rules\n"
    "(shadowed rules, duplicate blocks) and, on request, what ECR cannot express. Every\n"
    "finding has a stable code (docs/diagnostics.md), a grade, file:line:col and a caret.\n"
    "Fast enough for a pre-commit hook (see docs/pre-commit.md).\n"
    "\n"
    "A finding is suppressed where it stands with a comment that says why, on its line or\n"
    "the line before:   # regpol: allow W2001 because this mirror is public by design\n"
    "A suppression without `because`, or one that suppresses nothing, is itself reported.\n"
    "\n"
    "  --format F          text (default), json (schema regpol.diagnostics/v1) or sarif (2.1.0,\n"
    "                      with every rule's metadata and security-severity, for code scanning)\n"
    "  --deny-warnings     treat warnings as findings (exit 1)\n"
    "  --disable CODE      do not report this warning code (repeatable)\n"
    "  --enable CODE       report a code that is off unless asked for (W2401; repeatable)\n"
    "  --account ID        the registry's own AWS account(s): grants of push or delete to\n"
    "                      other accounts are reported (W2002; repeatable)\n"
    "  --target ecr        report what `regpol export ecr` cannot carry (W2401)\n"
    "  --explain CODE      print what a code means, why it matters and how to fix it\n"
    "  --dump-after parse  print the syntax tree after parsing (for debugging and goldens)\n"
    "  --help              this text\n";

namespace {

int explain(const std::string& code) {
  const CodeInfo* c = find_code(code);
  if (!c) throw UsageError{"`" + code + "` is not a regpol diagnostic code (docs/diagnostics.md lists them)"};
  Grade g = code_grade(*c);
  std::cout << c->code << " " << code_name(*c) << " (" << grade_name(g)
            << (c->security_severity.empty() ? "" : ", security-severity " + std::string(c->security_severity)) << ")\n\n"
            << c->summary << "\n";
  if (!c->description.empty()) std::cout << "\n" << c->description << "\n";
  if (!c->help.empty()) std::cout << "\nhelp: " << c->help << "\n";
  std::cout << "\ndocs: " << code_docs_page(c->code) << "\n";
  return kOk;
}

std::vector<std::string> code_list(const Args& args, const char* option) {
  std::vector<std::string> codes = args.all(option);
  for (const auto& c : codes) {
    const CodeInfo* info = find_code(c);
    if (!info) throw UsageError{std::string(option) + ": `" + c + "` is not a regpol diagnostic code"};
    if (code_grade(*info) == Grade::Error) throw UsageError{std::string(option) + ": " + c + " is an error; errors cannot be turned off"};
  }
  return codes;
}

}  // namespace

int cmd_lint(const Argv& argv) {
  Args args(argv, {"--import-root", "--format", "--dump-after", "--disable", "--enable", "--account", "--target", "--explain"},
            {"--help", "--deny-warnings"});
  if (args.has("--help")) {
    std::cout << kLintHelp << kImportRootHelp << "\n" << exit_codes_help("the policy has errors (or warnings, with --deny-warnings)");
    return kOk;
  }
  if (auto code = args.get("--explain")) {
    if (!args.positionals().empty()) throw UsageError{"--explain takes no files"};
    return explain(*code);
  }
  std::vector<std::string> disabled = code_list(args, "--disable"), enabled = code_list(args, "--enable");
  LintOptions lint_options;
  lint_options.own_accounts = args.all("--account");
  if (auto t = args.get("--target")) {
    if (*t != "ecr") throw UsageError{"--target knows one target: ecr"};
    lint_options.target_ecr = true;
  }
  if (std::find(enabled.begin(), enabled.end(), "W2401") != enabled.end()) lint_options.target_ecr = true;
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
    if (c.ok) lint_policy(c.plan, sources, lint_options, sink);
  }
  std::vector<Diagnostic> diags;
  for (auto& d : apply_suppressions(sources, sink.sorted())) {
    if (std::find(disabled.begin(), disabled.end(), d.code) == disabled.end()) diags.push_back(std::move(d));
  }
  const bool any_warning = std::any_of(diags.begin(), diags.end(), [](const Diagnostic& d) { return d.severity == Severity::Warning; });
  if (format == "json") std::cout << render_json(sources, diags);
  else if (format == "sarif") std::cout << render_sarif(sources, diags);
  else std::cerr << render_human(sources, diags, {use_color()});
  if (malformed) return kBadInput;
  if (sink.has_errors() || (args.has("--deny-warnings") && any_warning)) return kFindings;
  return kOk;
}

}  // namespace regpol::cli
