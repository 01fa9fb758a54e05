#pragma once
// A problem found in an AWS JSON document (ECR lifecycle policy, IAM policy), located by a
// JSON pointer into that document.
#include <string>

namespace regpol {

struct DocumentProblem {
  std::string pointer;  // "/rules/1/selection/countNumber"
  std::string message;
};

}  // namespace regpol
