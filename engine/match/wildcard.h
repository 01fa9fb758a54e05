#pragma once
// Tag matchers: ECR's wildcard patterns (`*` matches any run of characters, possibly empty;
// every other character, `?` included, matches itself) and IAM's StringLike (`*` and `?`).
#include <string_view>

namespace regpol {

// Whole-string match; `question_mark` makes `?` match exactly one character (IAM).
bool wildcard_match(std::string_view pattern, std::string_view text, bool question_mark = false);
// IAM's action match: `*` and `?`, ASCII letters in either case alike, without building
// lower-case copies (the prover asks it for every statement on thousands of requests).
bool wildcard_match_nocase(std::string_view pattern, std::string_view text);
bool has_prefix(std::string_view text, std::string_view prefix);

}  // namespace regpol
