#include "report/html_page.h"

#include <string_view>
#include <utility>
#include <vector>

#include "report/report_assets.h"
#include "util/base64.h"
#include "util/gzip.h"

namespace regpol {

namespace {

std::string_view asset(std::string_view name) {
  for (const auto& [path, text] : report_assets::embedded_files()) {
    if (path == name) return text;
  }
  return {};
}

}  // namespace

void append_html(std::string& out, std::string_view text) {
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
}

std::string html_text(std::string_view text) {
  std::string out;
  append_html(out, text);
  return out;
}

void html_fact_row(std::string& out, std::string_view name, std::string_view value, std::string_view id) {
  out += "<tr><th scope=\"row\">";
  append_html(out, name);
  out += "</th><td id=\"";
  append_html(out, id);
  out += "\">";
  append_html(out, value);
  out += "</td></tr>\n";
}

nlohmann::json html_table_column(std::string_view key, std::string_view label, std::string_view kind) {
  return {{"key", key}, {"label", label}, {"kind", kind}};
}

std::string_view html_digest_value(std::string_view digest) {
  if (digest.rfind("sha256:", 0) == 0) digest.remove_prefix(7);
  return digest;
}

std::size_t HtmlEnumValues::index(const std::string& value) {
  auto [it, fresh] = ids_.try_emplace(value, values_.size());
  if (fresh) values_.push_back(value);
  return it->second;
}

std::string html_data_table(std::string_view id, std::string_view filter_hint, std::string_view noun) {
  const std::string i = html_text(id);
  std::string out = "<div class=\"controls\"><input id=\"" + i + "-filter\" type=\"search\" placeholder=\"filter: " + html_text(filter_hint) +
                    "\" aria-label=\"filter\"> <select id=\"" + i + "-outcome\" aria-label=\"outcome\"><option value=\"\">every outcome</option>"
                    "</select> <span id=\"" + i + "-count\" class=\"count\"></span></div>\n<table id=\"" + i +
                    "\" class=\"data-table\"><thead></thead><tbody></tbody></table>\n<div class=\"pager\"><button id=\"" + i +
                    "-prev\" type=\"button\">previous</button> <span id=\"" + i + "-page\"></span> <button id=\"" + i +
                    "-next\" type=\"button\">next</button></div>\n<noscript><p>This table needs JavaScript; the JSON report (--format json) lists the same " +
                    html_text(noun) + ".</p></noscript>\n";
  return out;
}

std::string html_page_open(std::string_view title, std::string_view report_kind) {
  std::string out = "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                    // No network: a report opened from an untrusted place cannot load or send anything.
                    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
                    "script-src 'unsafe-inline'; img-src data:\">\n<title>";
  append_html(out, title);
  out += "</title>\n<style>\n";
  out += asset("html/report.css");
  out += "</style>\n</head>\n<body data-report=\"";
  append_html(out, report_kind);
  out += "\">\n";
  return out;
}

bool html_page_close(std::string& out, std::string_view data_json, std::string& error) {
  out += "<script type=\"application/octet-stream\" id=\"report-data\" data-encoding=\"gzip+base64\">";
  if (!data_json.empty()) {
    std::string compressed;
    if (!gzip_compress(data_json, compressed, error)) return false;
    out += base64_encode(compressed);
  }
  out += "</script>\n<script>\n";
  out += asset("html/report.js");
  out += "</script>\n</body>\n</html>\n";
  return true;
}

}  // namespace regpol
