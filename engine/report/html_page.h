#pragma once
// The shell every HTML report shares: one self-contained file (inline CSS, script and SVG;
// nothing fetched, so it works from a CI artifact, a file:// path or an S3 link) whose bytes
// depend only on the report's data (no generation time, no random ids), so two runs on the
// same snapshot give the same file.
#include <cstddef>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace regpol {

// `text` with &, <, >, " and ' escaped: safe in element content and in quoted attributes.
void append_html(std::string& out, std::string_view text);
std::string html_text(std::string_view text);

// The skeleton of a table the script fills from the data's `tables` entry with this id
// (report.js, dataTable): a text filter, an outcome choice, the table, a pager.
std::string html_data_table(std::string_view id, std::string_view filter_hint, std::string_view noun);

// One row of a summary table, `<tr><th>NAME</th><td id="ID">VALUE</td></tr>`: the checks
// (tests/html) read a figure by its cell's id.
void html_fact_row(std::string& out, std::string_view name, std::string_view value, std::string_view id);

// A column of a data table (report.js dataTable): its key in `rows`, its heading and its
// kind (text, enum, outcome, digest, time, bytes, number, link, reason, hidden).
nlohmann::json html_table_column(std::string_view key, std::string_view label, std::string_view kind);

// What a `digest` column holds for a digest: the hex of a sha256 digest (report.js shows it
// short and puts `sha256:` back for the filter and the title), any other digest as it is.
std::string_view html_digest_value(std::string_view digest);

// The values of an enum or outcome column: rows hold an index into `values()`, each value
// listed once in the order first seen.
class HtmlEnumValues {
 public:
  std::size_t index(const std::string& value);
  const nlohmann::json& values() const { return values_; }

 private:
  std::map<std::string, std::size_t, std::less<>> ids_;
  nlohmann::json values_ = nlohmann::json::array();
};

// <!doctype html> … <body data-report="KIND">: the head with the shared stylesheet.
std::string html_page_open(std::string_view title, std::string_view report_kind);
// The shared script, then </body></html>. `data` (a JSON document, may be empty) travels
// gzip-compressed and base64-encoded in <script id="report-data">; the script opens it with
// the browser's DecompressionStream and fills the interactive parts (the image table).
// False with `error` when compression fails.
bool html_page_close(std::string& out, std::string_view data_json, std::string& error);

}  // namespace regpol
