#pragma once
// Helpers shared by the unit tests.
#include <doctest/doctest.h>

#include <cstdio>
#include <string>

#include "snapshot/generator.h"

namespace regpol::testing {

// A generated snapshot as text.
inline std::string generated_snapshot(const GeneratorOptions& options) {
  std::FILE* f = std::tmpfile();
  generate_snapshot(options, f);
  std::string text(static_cast<std::size_t>(std::ftell(f)), '\0');
  std::rewind(f);
  REQUIRE(std::fread(text.data(), 1, text.size(), f) == text.size());
  std::fclose(f);
  return text;
}

}  // namespace regpol::testing
