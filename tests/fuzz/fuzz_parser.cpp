// Fuzzes the policy front end: any bytes must give an AST or diagnostics, never a crash;
// when a file parses, formatting it must re-parse to the same tree and be idempotent.
#include <cstdlib>
#include <string>

#include "driver/compile.h"
#include "format/format.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace regpol;
  std::string text(reinterpret_cast<const char*>(data), size);
  SourceMap sources;
  DiagnosticSink sink;
  CompiledPolicy c = compile_policy_text("fuzz.regpol", text, sources, sink);
  if (!c.loaded.syntax_ok || !c.checked) return 0;
  const ast::File& tree = *c.checked->files.front();
  std::string once = format_policy(tree, sources.file(c.loaded.file));
  SourceMap s2;
  DiagnosticSink k2;
  LoadedPolicy again = load_policy_text("fuzz2.regpol", once, s2, k2);
  if (!again.syntax_ok || ast::dump(again.ast, false) != ast::dump(tree, false)) std::abort();
  if (format_policy(again.ast, s2.file(again.file)) != once) std::abort();
  return 0;
}
