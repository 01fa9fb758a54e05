// `regpol fmt`: canonical formatting. Refuses to write output that does not parse back to
// the same syntax tree, so formatting can never change what a policy means.
#include <algorithm>
#include <fstream>
#include <iostream>

#include "cli/args.h"
#include "cli/commands.h"
#include "diag/render.h"
#include "driver/front_end.h"
#include "format/format.h"
#include "util/line_diff.h"
#include "util/atomic_file.h"

namespace regpol::cli {

static const char* kFmtHelp =
    "usage: regpol fmt FILE... [--check | --diff | --write]\n"
    "\n"
    "Prints each policy file in the canonical layout (two-space indents, one statement per\n"
    "line, every comment kept). Formatting twice gives the same bytes.\n"
    "\n"
    "  --check   list the files that are not formatted (nothing else) and exit 1 if any\n"
    "  --diff    print what formatting would change, as a unified diff (`patch -p0` applies it),\n"
    "            and exit 1 if anything would\n"
    "  --write   rewrite files in place\n"
    "  --help    this text\n";

int cmd_fmt(const Argv& argv) {
  Args args(argv, {}, {"--help", "--check", "--write", "--diff"});
  if (args.has("--help")) {
    std::cout << kFmtHelp << "\n" << exit_codes_help("--check or --diff: a file is not formatted");
    return kOk;
  }
  if ((args.has("--check") ? 1 : 0) + (args.has("--write") ? 1 : 0) + (args.has("--diff") ? 1 : 0) > 1)
    throw UsageError{"--check, --diff and --write cannot be combined"};
  if (args.positionals().empty()) throw UsageError{"`fmt` needs at least one FILE"};

  SourceMap sources;
  DiagnosticSink sink;
  std::vector<std::pair<std::string, std::string>> outputs;  // path, formatted
  std::vector<std::string> changed;
  std::string diffs;  // --diff: what formatting changes, file by file
  for (const auto& path : args.positionals()) {
    LoadedPolicy p = load_policy(path, sources, sink);
    if (!p.read_ok || !p.syntax_ok) continue;
    std::string formatted = format_policy(p.ast, sources.file(p.file));
    // Round-trip check: the output must parse to the same tree.
    DiagnosticSink check;
    SourceMap scratch;
    LoadedPolicy again = load_policy_text(path, formatted, scratch, check);
    if (!again.syntax_ok || ast::dump(again.ast, false) != ast::dump(p.ast, false)) {
      return fail(kInternal, path + ": the formatter produced a different syntax tree; file left unchanged (please report this)");
    }
    if (formatted != sources.file(p.file).text()) {
      changed.push_back(path);
      if (args.has("--diff")) diffs += unified_diff(sources.file(p.file).text(), formatted, path, path);
    }
    outputs.emplace_back(path, std::move(formatted));
  }
  if (sink.has_errors()) {
    std::cerr << render_human(sources, sink.sorted(), {use_color()});
    return kBadInput;
  }
  if (args.has("--check")) {
    for (const auto& c : changed)
      std::cout << c << ": not formatted (`regpol fmt --diff " << c << "` shows the changes; `regpol fmt --write " << c << "` makes them)\n";
    return changed.empty() ? kOk : kFindings;
  }
  if (args.has("--diff")) {
    std::cout << diffs;
    return changed.empty() ? kOk : kFindings;
  }
  if (args.has("--write")) {
    for (const auto& [path, text] : outputs) {
      if (std::find(changed.begin(), changed.end(), path) == changed.end()) continue;
      if (auto err = write_file_atomically(path, text); !err.empty()) return fail(kInternal, err);
    }
    return kOk;
  }
  for (const auto& [path, text] : outputs) std::cout << text;
  return kOk;
}

}  // namespace regpol::cli
