#pragma once
// Pieces of regpol source that `regpol import` generates from ECR settings. Every name and
// filter goes through ast::quote, so a `"` or `\` in an ECR value stays a string literal
// (an unquoted one made import write a policy that did not compile).
#include <string>
#include <vector>

namespace regpol::interop {

// `  mutability immutable except "a", "b"` and a newline: one line of a repository block.
std::string mutability_line(bool immutable, const std::vector<std::string>& exclusions);

// `repository "a", "b" {` (without a newline): the opening of a block for these names.
std::string repository_opening(const std::vector<std::string>& names);

}  // namespace regpol::interop
