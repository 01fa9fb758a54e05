#include "diag/codes.h"

#include <algorithm>

namespace regpol {

const std::vector<CodeInfo>& all_codes() {
  static const std::vector<CodeInfo> codes = {
      {"E0101", "syntax error: unexpected or missing token"},
      {"E0102", "unterminated string literal"},
      {"E0103", "character not allowed here"},
      {"E0104", "malformed literal (duration, size, timestamp or number)"},
      {"E0105", "nesting too deep"},
      {"E0106", "invalid UTF-8 in source"},
      {"E0107", "NUL byte in source"},
      {"E0108", "empty policy file"},
      {"E0109", "invalid escape sequence in string"},
      {"E0110", "policy file cannot be read"},
      {"E0111", "expression nested too deeply"},
      {"E0201", "unknown name"},
      {"E0202", "import not found"},
      {"E0203", "name defined twice"},
      {"E0204", "import cycle"},
      {"E0205", "unknown template or template argument"},
      {"E0206", "import or test snapshot outside the import root"},
      {"E0301", "value of the wrong type"},
      {"E0302", "value out of range"},
      {"E0303", "invalid CIDR block"},
      {"E0304", "invalid timestamp or date"},
      {"E0305", "unknown condition operator"},
      {"E0306", "unknown action"},
      {"E0307", "invalid regular expression"},
      {"E0308", "unknown condition key"},
      {"E0309", "invalid principal"},
      {"E0310", "`unless` takes exactly one condition"},
      {"E0401", "ambiguous repository scope"},
      {"E0402", "duplicate rule priority"},
      {"E0403", "cannot be expressed in an ECR or IAM document"},
      {"E0404", "invalid ECR lifecycle policy document"},
      {"E0405", "invalid IAM policy document"},
      {"E0501", "malformed snapshot"},
      {"E0601", "evaluation failed"},
      {"W1001", "ECR: `any` rule is not the last rule of its storage class"},
      {"W1002", "ECR: more than one untagged rule in a storage class"},
      {"W1003", "ECR: more than four wildcards in a tag pattern"},
      {"W1004", "ECR: more than 50 rules"},
      {"W1005", "ECR: action and count type cannot be combined"},
      {"W1006", "ECR: duration is not a whole number of days"},
      {"W1007", "rule can never action an image"},
      {"W1008", "unused `let` binding"},
      {"W1009", "tagged selection without a tag list matches every tagged image"},
      {"W1010", "a module's repository, defaults and test blocks are ignored by importers"},
      {"W1011", "a field some images lack is read without its guard (scanned, pulled, has_semver)"},
  };
  return codes;
}

bool is_known_code(std::string_view code) {
  const auto& codes = all_codes();
  return std::any_of(codes.begin(), codes.end(), [&](const CodeInfo& c) { return c.code == code; });
}

}  // namespace regpol
