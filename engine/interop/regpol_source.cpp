#include "interop/regpol_source.h"

#include "interop/ecr_export.h"
#include "interop/ecr_lifecycle.h"
#include "interop/iam_json.h"
#include "syntax/ast.h"

namespace regpol::interop {

std::string mutability_line(bool immutable, const std::vector<std::string>& exclusions) {
  std::string line = std::string("  mutability ") + (immutable ? "immutable" : "mutable");
  for (std::size_t i = 0; i < exclusions.size(); ++i) line += (i ? ", " : " except ") + ast::quote(exclusions[i]);
  return line + "\n";
}

std::string repository_opening(const std::vector<std::string>& names) {
  std::string line = "repository ";
  for (std::size_t i = 0; i < names.size(); ++i) line += (i ? ", " : "") + ast::quote(names[i]);
  return line + " {";
}

Imported lifecycle_source(const std::string& name, const std::string& text, const std::string& at, std::string& out,
                          std::vector<std::string>& errors) {
  LifecyclePlan plan;
  std::vector<DocumentProblem> problems;
  if (!lifecycle_plan_from_ecr_json(name, text, plan, problems)) {
    for (const auto& p : problems) errors.push_back(at + p.pointer + ": error[E0404]: " + p.message);
    return Imported::Invalid;
  }
  out = lifecycle_to_regpol(plan);
  return Imported::Ok;
}

Imported access_source(const std::string& name, const std::string& text, const std::string& at, const std::string& statement_at,
                       std::string& out, std::vector<std::string>& errors) {
  AccessPlan plan;
  std::vector<DocumentProblem> problems;
  if (!access_plan_from_iam_json(name, text, plan, problems)) {
    for (const auto& p : problems) errors.push_back(at + p.pointer + ": error[E0405]: " + p.message);
    return Imported::Invalid;
  }
  std::vector<ExportProblem> inexpressible;
  if (!access_to_regpol(plan, out, inexpressible)) {
    for (const auto& p : inexpressible) errors.push_back(statement_at + p.source + ": error[E0403]: " + p.message);
    return Imported::Inexpressible;
  }
  return Imported::Ok;
}

}  // namespace regpol::interop
