// The pieces of the HTML reports that the browser test cannot isolate: the gzip the page
// carries (zlib's own inflate gives the input back; equal inputs give equal bytes), base64,
// HTML escaping, and chart labels cut between UTF-8 characters.
#include <doctest/doctest.h>
#include <zlib.h>

#include <string>

#include "report/html_page.h"
#include "report/svg_chart.h"
#include "util/base64.h"
#include "util/gzip.h"

using namespace regpol;

namespace {

std::string gunzip_for_test(const std::string& in) {
  z_stream z{};
  REQUIRE(inflateInit2(&z, 15 + 16) == Z_OK);
  std::string out(1 << 20, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = inflate(&z, Z_FINISH);
  out.resize(z.total_out);
  inflateEnd(&z);
  CHECK(rc == Z_STREAM_END);
  return out;
}

}  // namespace

TEST_CASE("gzip: zlib's inflate gives the input back, and the bytes are the same every time") {
  std::string text;
  for (int i = 0; i < 5000; ++i) text += "{\"digest\": \"" + std::to_string(i * 7919) + "\", \"reason\": \"pushed 3.0d ago\"}\n";
  std::string a, b, err;
  REQUIRE(gzip_compress(text, a, err));
  REQUIRE(gzip_compress(text, b, err));
  CHECK(a == b);
  CHECK(a.size() < text.size() / 4);
  CHECK(static_cast<unsigned char>(a[0]) == 0x1f);  // the gzip magic, which DecompressionStream("gzip") wants
  CHECK(static_cast<unsigned char>(a[1]) == 0x8b);
  CHECK(a.substr(4, 4) == std::string(4, '\0'));  // no modification time in the header
  CHECK(gunzip_for_test(a) == text);
  std::string empty;
  REQUIRE(gzip_compress("", empty, err));
  CHECK(gunzip_for_test(empty).empty());
}

TEST_CASE("base64 with padding") {
  CHECK(base64_encode("") == "");
  CHECK(base64_encode("f") == "Zg==");
  CHECK(base64_encode("fo") == "Zm8=");
  CHECK(base64_encode("foo") == "Zm9v");
  CHECK(base64_encode(std::string("\xff\xfe\x00", 3)) == "//4A");
}

TEST_CASE("HTML escaping covers content and quoted attributes") {
  CHECK(html_text("<a href=\"x\">'&'</a>") == "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  CHECK(html_text("team-a/api") == "team-a/api");
}

TEST_CASE("a chart never cuts a label inside a UTF-8 character") {
  Chart c;
  c.id = "t";
  c.series = {{"expire", "expired"}};
  // 33 ASCII bytes, then a three-byte quotation mark across the 34-byte cut.
  c.bars.push_back({std::string(32, 'r') + "\u201clong description\u201d", "", {5}});
  const std::string svg = horizontal_bar_chart(c);
  CHECK(svg.find(std::string(32, 'r') + "\u2026") != std::string::npos);
  CHECK(svg.find("data-value=\"5\"") != std::string::npos);
  CHECK(chart_value_text(ChartUnit::Images, 1234567) == "1,234,567 images");
}
