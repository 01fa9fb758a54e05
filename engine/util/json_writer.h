#pragma once
// Minimal streaming JSON text helpers for reports too large to build as a DOM.
#include <string>
#include <string_view>

namespace regpol {

// Appends `s` as a JSON string literal (quotes included), escaping as RFC 8259 requires.
void append_json_string(std::string& out, std::string_view s);

}  // namespace regpol
