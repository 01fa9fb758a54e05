#pragma once
// The standard library (stdlib/std/*.regpol), embedded into the binary at build time.
#include <string_view>
#include <utility>
#include <vector>

namespace regpol::stdlib {

// {"std/retention.regpol", text}, ...
const std::vector<std::pair<std::string_view, std::string_view>>& embedded_files();

}  // namespace regpol::stdlib
