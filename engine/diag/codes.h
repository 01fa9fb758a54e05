#pragma once
// The table of stable diagnostic codes. Families: E01xx syntax, E02xx names and imports,
// E03xx types and values, E04xx planning and scoping, E05xx snapshot data, E06xx
// evaluation, W1xxx lints. docs/diagnostics.md lists them; a test keeps the two in step.
#include <string_view>
#include <vector>

namespace regpol {

struct CodeInfo {
  std::string_view code;
  std::string_view summary;
};

const std::vector<CodeInfo>& all_codes();
bool is_known_code(std::string_view code);

}  // namespace regpol
