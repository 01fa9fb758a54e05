// The age in a decision's reason ("49.1d ago") is printf's "%.1f" of the age in days; the
// integer fast path must give exactly that, at ties, around them and at every magnitude.
#include <doctest/doctest.h>

#include <cstdio>
#include <random>
#include <string>

#include "lifecycle/evaluate.h"

using namespace regpol;

namespace {

std::string reference(Micros age) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.1fd ago", static_cast<double>(age) / static_cast<double>(kMicrosPerDay));
  return buf;
}

}  // namespace

TEST_CASE("an age is printed as printf prints it, ties and large ages included") {
  const Micros now = Micros{1} << 60;
  constexpr Micros kTenth = kMicrosPerDay / 10;
  CHECK(age_text(now, now + 1) == "in the future");
  CHECK(age_text(now, now) == "0.0d ago");
  std::mt19937_64 rng(7);
  int checked = 0;
  for (int i = 0; i < 200000; ++i) {
    Micros age = 0;
    switch (i % 4) {
      case 0: age = static_cast<Micros>(rng() % (Micros{3650} * kMicrosPerDay)); break;  // up to ten years
      case 1: age = static_cast<Micros>(rng() % 200000) * kTenth + kTenth / 2 + static_cast<Micros>(rng() % 4001) - 2000; break;  // near a tie
      case 2: age = static_cast<Micros>(rng() % (Micros{1} << 52)); break;  // beyond the fast path's range too
      default: age = static_cast<Micros>(rng() % 100000) * kTenth + static_cast<Micros>(rng() % 3) - 1; break;  // at a tenth
    }
    if (age < 0) continue;
    REQUIRE_MESSAGE(age_text(now, now - age) == reference(age), "age ", age, " us");
    ++checked;
  }
  CHECK(checked > 190000);
}
