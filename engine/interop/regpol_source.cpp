#include "interop/regpol_source.h"

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

}  // namespace regpol::interop
