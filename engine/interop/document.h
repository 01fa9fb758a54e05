#pragma once
// A problem found in an AWS JSON document (ECR lifecycle policy, IAM policy), located by a
// JSON pointer into that document.
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

namespace regpol {

struct DocumentProblem {
  std::string pointer;  // "/rules/1/selection/countNumber"
  std::string message;
};

// Parses a whole (small) JSON document; a syntax error becomes one problem with its byte.
bool parse_json_document(const std::string& text, nlohmann::json& out, std::vector<DocumentProblem>& problems);

// A scalar as AWS documents read it: strings as they are, numbers and booleans as text.
bool json_scalar_text(const nlohmann::json& v, std::string& out);

}  // namespace regpol
