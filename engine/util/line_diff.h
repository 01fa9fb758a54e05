#pragma once
// A unified diff of two texts by lines (`diff -u` layout: ---/+++ headers, @@ hunks with
// three lines of context), for `fmt --diff`.
#include <string>
#include <string_view>

namespace regpol {

// "" when the texts are equal. The lines between the common head and tail are matched by
// longest common subsequence while that costs at most `max_cells` table cells; past it, the
// middle is shown as removed and added whole (still a correct diff, only a longer one).
std::string unified_diff(std::string_view old_text, std::string_view new_text, const std::string& old_name, const std::string& new_name,
                         std::size_t max_cells = std::size_t{1} << 24);

}  // namespace regpol
