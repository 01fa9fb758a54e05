#pragma once
// The HTML reports' stylesheet and script (engine/report/html/), embedded into the binary at
// build time (cmake/EmbedFiles.cmake), as the stdlib is.
#include <string_view>
#include <utility>
#include <vector>

namespace regpol::report_assets {

const std::vector<std::pair<std::string_view, std::string_view>>& embedded_files();

}  // namespace regpol::report_assets
