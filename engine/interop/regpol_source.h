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

// The regpol text of one ECR document, for a repository block's body. `name` names the
// document to its reader; each problem becomes one line of `errors`, located by `at` (what
// precedes a JSON pointer: "L.json#") or, for what regpol cannot express, by
// `statement_at` (what precedes the statement's name).
enum class Imported { Ok, Invalid, Inexpressible };
// An ECR lifecycle policy (E0404 for what ECR would reject).
Imported lifecycle_source(const std::string& name, const std::string& text, const std::string& at, std::string& out,
                          std::vector<std::string>& errors);
// An ECR repository policy (E0405 for an invalid IAM document, E0403 for a statement
// regpol cannot express).
Imported access_source(const std::string& name, const std::string& text, const std::string& at, const std::string& statement_at,
                       std::string& out, std::vector<std::string>& errors);

}  // namespace regpol::interop
