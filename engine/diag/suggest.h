#pragma once
// "did you mean" suggestions: the closest candidate by edit distance, if close enough.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace regpol {

std::size_t edit_distance(std::string_view a, std::string_view b);

// Case-insensitive; accepts a candidate within max(1, len/3) edits.
std::optional<std::string> closest_match(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace regpol
