// Fuzzes the policy front end: any bytes must give an AST or diagnostics, never a crash;
// when a file parses, formatting it must re-parse to the same tree and be idempotent.
//
// Inputs that start with byte 0x01 are expanded first, so that short inputs reach the long
// shapes that crashed regpol once (operator chains tens of thousands long):
//   0x01 COUNT_HI COUNT_LO PREFIX 0x02 FRAGMENT 0x02 SUFFIX
// becomes PREFIX + FRAGMENT repeated COUNT times (at most 65,535) + SUFFIX, at most 1 MiB of
// repetitions: enough for the longest chains (a 30,000-term `and` chain is 400 KB), small
// enough that each run stays fast under the sanitizers (a 14 MB file of syntax errors took
// more than libFuzzer's 10 s there; it is linear, 2.4 s in a release build).
#include <algorithm>
#include <cstdlib>
#include <string>

#include "driver/compile.h"
#include "format/format.h"
#include "util/deep_stack.h"

namespace {

std::string expand(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  if (size < 3 || data[0] != 0x01) return text;
  std::size_t count = (std::size_t{data[1]} << 8) | data[2];
  std::string rest = text.substr(3);
  std::size_t a = rest.find('\x02');
  std::size_t b = a == std::string::npos ? std::string::npos : rest.find('\x02', a + 1);
  if (b == std::string::npos) return text;
  std::string fragment = rest.substr(a + 1, b - a - 1);
  if (!fragment.empty()) count = std::min(count, (std::size_t{1} << 20) / fragment.size());
  std::string out = rest.substr(0, a);
  out.reserve(out.size() + fragment.size() * count + rest.size() - b);
  for (std::size_t i = 0; i < count; ++i) out += fragment;
  return out + rest.substr(b + 1);
}

void check(const std::string& text) {
  using namespace regpol;
  SourceMap sources;
  DiagnosticSink sink;
  CompiledPolicy c = compile_policy_text("fuzz.regpol", text, sources, sink);
  if (!c.loaded.syntax_ok || !c.checked) return;
  const ast::File& tree = *c.checked->files.front();
  std::string once = format_policy(tree, sources.file(c.loaded.file));
  SourceMap s2;
  DiagnosticSink k2;
  LoadedPolicy again = load_policy_text("fuzz2.regpol", once, s2, k2);
  if (!again.syntax_ok || ast::dump(again.ast, false) != ast::dump(tree, false)) std::abort();
  if (format_policy(again.ast, s2.file(again.file)) != once) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text = expand(data, size);
  // The CLI runs every command on a deep stack (cli/main.cpp); so does the fuzzer.
  regpol::run_on_deep_stack([&] { check(text); });
  return 0;
}
