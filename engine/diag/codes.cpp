#include "diag/codes.h"

#include <algorithm>
#include <cctype>

#include "util/text.h"

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
      {"E0311", "an untag rule that does not say which tags"},
      {"E0312", "a setting written with a word it does not take, or in the wrong place"},
      {"E0313", "a property regpol cannot prove as written"},
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
      {"W1010", "a module's repository, defaults, registry, test and prove blocks are ignored by importers"},
      {"W1011", "a field some images lack is read without its guard (scanned, pulled, has_semver)"},
      // The lint catalogue (engine/lint): security.
      {"W2001", "an allow to every principal without a condition", "allow-to-everyone",
       "An `allow` whose principal is `*` and that has no `when`/`unless` condition lets anyone with an AWS account (or no account, "
       "for public pulls through a proxy) do what it names in this repository.",
       "name the accounts, roles or organization that need access, or add a condition (aws:PrincipalOrgID, aws:SourceVpce)", "8.0"},
      {"W2002", "push, delete or ecr:* open to another account or to everyone", "write-open-outside",
       "An `allow` grants push, delete or every ECR action (`ecr:*`, `*`) to every principal, or (with `lint --account ID`) to "
       "principals of another account: they could overwrite or delete the images this registry serves.",
       "grant pull only across accounts; keep push and delete to the account's own CI roles", "9.0"},
      {"W2003", "`not` principal or `not` action in an allow", "allow-with-not",
       "An `allow` with a negated principal (`to not …`) or negated action list (`not …`) grants to everyone except a few, or "
       "every action except a few, including principals and actions that do not exist yet.",
       "list what is allowed instead of what is not", "7.0"},
      {"W2004", "an allow made useless by a broader unconditional deny", "allow-shadowed-by-deny",
       "A `deny` without conditions covers every principal and action of an `allow` in the same block: the allow can never "
       "grant anything, which usually means one of the two is not what was meant.",
       "narrow the deny (a condition, fewer actions or principals), or remove the allow", "5.0"},
      {"W2005", "`latest` made immutable", "moving-tag-immutable",
       "`mutability immutable` covers `latest`, the tag pipelines move on every build: its second push is denied and the "
       "pipeline fails, or the tag silently stops moving.",
       "except it: `mutability immutable except \"latest\"`", "4.0"},
      {"W2006", "a caller from outside can get in, found by the prover", "proved-public",
       "The block's access rules, proved for every request (as `regpol check no-public-access` does, within lint's budget), "
       "allow some request from a caller whose account the rules do not name and who shows no organization they name: a "
       "condition that does not say who (aws:SourceVpce with IfExists, a negated operator on a key the caller can leave "
       "out), a `not` principal, or an allow an `unless` turns inside out. The message carries such a request.",
       "name the accounts, roles or organization that need access in the principal or an aws:PrincipalOrgID / aws:PrincipalArn "
       "condition; `regpol check no-public-access` then proves it (docs/verify.md)",
       "8.0"},
      {"W2007", "a caller outside --account can change or delete images, found by the prover", "proved-cross-account-write",
       "With `lint --account ID`, the block's access rules, proved for every request, let a caller from another account (or "
       "none) push, delete or change a setting of the repository: through a `not` principal, an account pattern, a role of "
       "another account in a condition, or a deny that leaves a gap. The message carries such a request.",
       "grant push and delete to the CI roles of --account only; `regpol prove` with `never allow push, delete to not account "
       "\"ID\"` keeps it proved (docs/verify.md)",
       "9.0"},
      // Lifecycle safety.
      {"W2101", "a lifecycle that can expire every image of a repository", "can-expire-everything",
       "No rule keeps any image (no `keep newest` count, no `protect`), and the expiring rules together select every image: "
       "a snapshot glitch or a quiet month deletes the whole repository. `regpol apply` refuses to empty a repository unless "
       "the lifecycle says `allow_empty`.",
       "add a `keep newest N` rule for the images to keep, a `protect` clause, or say `allow_empty` if emptying is intended"},
      {"W2102", "an expire on tagged images with no real count or age guard", "tagged-expire-unguarded",
       "An `expire older than` on tagged images with a threshold under one day deletes tagged images almost as soon as "
       "they are pushed.",
       "use an age of days, or `keep newest N`"},
      {"W2103", "`protect in_use` without an in-use source", "in-use-without-source",
       "The lifecycle protects deployed images (`protect in_use`), but the run was given no `--in-use FILE`: nothing is "
       "known to be in use, so the clause protects nothing.",
       "pass `--in-use` with the deployed images (a list of references, or `kubectl get pods -A -o json`)"},
      {"W2104", "a tag list of several patterns or prefixes: an image must match all of them", "tag-list-needs-all",
       "A `select` or `protect` with several entries in its `pattern [...]` or `prefix [...]` list picks only images that "
       "have a tag for every entry (ECR's rule for tag lists), not images matching any one of them: `protect tagged "
       "pattern [\"keep-*\", \"latest\"]` protects an image tagged `keep-me` only if it is also tagged `latest`.",
       "to cover images matching any of the entries, write one clause (or rule) per entry; keep the list only when every "
       "entry must match"},
      // Dead rules.
      {"W2201", "a rule shadowed by a higher rule", "shadowed-rule",
       "Every image this rule's selection can match is matched by a rule with a lower priority number in the same storage "
       "class first (matching claims an image, even when that rule keeps it), so this rule never decides anything. An "
       "`any` rule above others shadows all of them.",
       "move the rule above the one that shadows it, or narrow that one"},
      {"W2202", "duplicate repository patterns", "duplicate-repository-pattern",
       "Two `repository` blocks name the same pattern: their access statements add up, and for lifecycle and mutability "
       "the tie is an error (E0401) wherever both set one.",
       "merge the two blocks"},
      {"W2203", "a `where` that is always true or always false", "constant-where",
       "A `where` refinement that reads no image field (only literals and constants) has the same value for every image: "
       "always true, it refines nothing; always false, the rule selects nothing and is dead.",
       "refer to an image field (tags, pushed_at, findings.critical, ...), or remove the `where`"},
      {"W2204", "unused template", "unused-template",
       "A template of this policy file is never instantiated with `use`. (A module that others import is not checked: "
       "its templates are for them.)",
       "remove it, or `use` it in a block"},
      {"W2205", "unused import", "unused-import",
       "An imported module is never read: no `use ALIAS.TEMPLATE` and no `ALIAS.NAME`.",
       "remove the import"},
      // Portability (on request: --target ecr).
      {"W2401", "not expressible in ECR", "not-ecr-expressible",
       "With `lint --target ecr`: this part of the policy (semver ordering, `per`, `where`, `protect`, durations of hours, "
       "...) has no equivalent in an ECR lifecycle policy or repository policy, so `regpol export ecr` cannot carry it.",
       "keep regpol as the engine of record, or rewrite the rule in ECR's terms", "", true},
      // Suppressions.
      {"W2301", "a suppression that suppresses nothing", "unused-suppression",
       "A `# regpol: allow CODE because …` comment names a code that no finding on its line (or the next) carries: the "
       "finding was fixed, or the code is wrong. Left in place it would hide a future finding.",
       "remove the comment"},
      {"W2302", "a suppression without a reason", "suppression-without-reason",
       "A `# regpol: allow CODE` comment must say why (`because …`); without a reason it suppresses nothing.",
       "add `because` and the reason"},
  };
  return codes;
}

bool is_known_code(std::string_view code) { return find_code(code) != nullptr; }

const CodeInfo* find_code(std::string_view code) {
  for (const auto& c : all_codes()) {
    if (c.code == code) return &c;
  }
  return nullptr;
}

const char* grade_name(Grade g) {
  switch (g) {
    case Grade::Error: return "error";
    case Grade::Security: return "security warning";
    case Grade::Warning: return "warning";
    case Grade::Suggestion: return "suggestion";
  }
  return "warning";
}

Grade code_grade(const CodeInfo& c) {
  if (!c.code.empty() && c.code[0] == 'E') return Grade::Error;
  if (!c.security_severity.empty()) return Grade::Security;
  if (c.code == "W2202" || c.code == "W1008" || c.code == "W2204" || c.code == "W2205" || c.code == "W2401") return Grade::Suggestion;
  return Grade::Warning;
}

std::string code_docs_page(std::string_view code) { return "docs/diagnostics.md#" + ascii_lower(code); }

std::string code_name(const CodeInfo& c) {
  if (!c.name.empty()) return std::string(c.name);
  std::string out;
  for (char ch : c.summary) {
    if (std::isalnum(static_cast<unsigned char>(ch))) out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(ch))));
    else if (!out.empty() && out.back() != '-') out.push_back('-');
    if (ch == '(' || ch == ':') {
      if (ch == ':') out.clear();  // "ECR: …": the part after the family
      else break;
    }
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out;
}

}  // namespace regpol
