#pragma once
// Charts drawn as inline SVG by the engine (no charting library: the file stays small, opens
// without a script, and its numbers are the engine's own). Every bar segment carries its exact
// value in data-value and a <title> a reader sees on hover, so tests read the numbers back
// from the DOM and compare them with the JSON report.
#include <cstdint>
#include <string>
#include <vector>

#include "util/byte_total.h"

namespace regpol {

enum class ChartUnit { Bytes, Images };

struct ChartSeries {
  std::string key;    // data-series and the CSS class `s-KEY` (its colour)
  std::string label;  // the legend's word
};

struct ChartBar {
  std::string label;           // a repository, an age range, a rule
  std::string link;            // "#rule-3"; empty for none
  std::vector<ByteTotal> values;  // one per series
};

struct ChartMarker {
  std::size_t before_bar = 0;  // the marker is drawn at the start of this bar (vertical charts)
  std::string label;           // "rule 2: 30d"
};

struct Chart {
  std::string id;     // the <svg>'s id
  std::string title;  // its <figcaption>
  ChartUnit unit = ChartUnit::Images;
  const char* noun = "image";  // what a count of ChartUnit::Images counts ("finding", "action")
  std::vector<ChartSeries> series;
  std::vector<ChartBar> bars;
  std::vector<ChartMarker> markers;
};

// Bars of one repository each into `chart`, largest first (ties keep the given order): the
// first `shown`, then the rest summed into one bar ("12 other repositories"), so that the
// segments still add up to the report's totals.
void set_repository_bars(Chart& chart, std::vector<ChartBar> bars, std::size_t shown = 20);

// One bar a row, label on the left, segments stacked left to right.
std::string horizontal_bar_chart(const Chart& chart);
// One bar a column (histograms), markers as dashed vertical lines with their labels.
std::string vertical_bar_chart(const Chart& chart);

// "1.5 GiB" or "12,345 images" (`noun` + "s"): what a segment's title and the axis say.
std::string chart_value_text(ChartUnit unit, ByteTotal value, const char* noun = "image");

}  // namespace regpol
