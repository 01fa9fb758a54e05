#pragma once
// The table of stable diagnostic codes. Families: E01xx syntax, E02xx names and imports,
// E03xx types and values, E04xx planning and scoping, E05xx snapshot data, E06xx
// evaluation, W1xxx lints. docs/diagnostics.md lists them; a test keeps the two in step.
#include <string>
#include <string_view>
#include <vector>

namespace regpol {

// How a finding is graded, as IAM Access Analyzer's policy validation grades them: an
// error (the policy is wrong), a security warning (it grants or exposes more than it
// should), a warning (it does not do what it seems to), a suggestion (it could be simpler).
enum class Grade { Error, Security, Warning, Suggestion };
const char* grade_name(Grade g);

struct CodeInfo {
  std::string_view code;
  std::string_view summary;
  // The lint catalogue's codes (W2xxx) say more: a name (kebab-case, for SARIF), the
  // full description and the help line `lint --explain` prints, and for security checks
  // the CVSS-like `security-severity` code-scanning tools sort by ("" when not one).
  std::string_view name = {};
  std::string_view description = {};
  std::string_view help = {};
  std::string_view security_severity = {};
  bool on_request = false;  // off unless --enable CODE (or --target ecr for portability)
};

const std::vector<CodeInfo>& all_codes();
bool is_known_code(std::string_view code);
const CodeInfo* find_code(std::string_view code);
Grade code_grade(const CodeInfo& c);
// The code's section of docs/diagnostics.md: "docs/diagnostics.md#w2001".
std::string code_docs_page(std::string_view code);
// A name for codes that have none: the summary in kebab-case.
std::string code_name(const CodeInfo& c);

}  // namespace regpol
