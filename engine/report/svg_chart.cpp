#include "report/svg_chart.h"

#include <algorithm>
#include <cstdio>

#include "report/html_page.h"
#include "report/plan_report.h"

namespace regpol {

namespace {

// Coordinates with one decimal: enough for a screen, and the same text on every machine.
std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

std::string grouped(ByteTotal v) {
  std::string digits = to_decimal(v), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

ByteTotal bar_total(const ChartBar& b) {
  ByteTotal t = 0;
  for (auto v : b.values) t += v;
  return t;
}

// The widest bar: what the scale is drawn against (1 when every bar is empty).
double scale_max(const Chart& c) {
  ByteTotal m = 1;
  for (const auto& b : c.bars) m = std::max(m, bar_total(b));
  return static_cast<double>(m);
}

// At most `max` bytes and an ellipsis, cut between UTF-8 characters, never inside one.
std::string shortened(const std::string& label, std::size_t max) {
  if (label.size() <= max) return label;
  std::size_t cut = max - 1;
  while (cut > 0 && (static_cast<unsigned char>(label[cut]) & 0xC0) == 0x80) --cut;
  return label.substr(0, cut) + "\u2026";
}

void legend(std::string& out, const Chart& c, double y) {
  double x = 0;
  for (const auto& s : c.series) {
    out += "<g class=\"legend\"><rect class=\"s-" + s.key + "\" x=\"" + num(x) + "\" y=\"" + num(y) + "\" width=\"12\" height=\"12\"/>";
    out += "<text x=\"" + num(x + 16) + "\" y=\"" + num(y + 10) + "\">" + html_text(s.label) + "</text></g>";
    x += 28 + 7.0 * static_cast<double>(s.label.size());
  }
}

void segment(std::string& out, const Chart& c, const ChartBar& b, std::size_t s, double x, double y, double w, double h) {
  out += "<rect class=\"seg s-" + c.series[s].key + "\" data-series=\"" + c.series[s].key + "\" data-value=\"" + to_decimal(b.values[s]) +
         "\" x=\"" + num(x) + "\" y=\"" + num(y) + "\" width=\"" + num(w) + "\" height=\"" + num(h) + "\"><title>";
  append_html(out, b.label + ": " + chart_value_text(c.unit, b.values[s], c.noun) + " " + c.series[s].label);
  out += "</title></rect>";
}

void open_figure(std::string& out, const Chart& c, double width, double height) {
  out += "<figure class=\"chart\"><figcaption>" + html_text(c.title) + "</figcaption>\n";
  out += "<svg id=\"" + html_text(c.id) + "\" data-unit=\"" + (c.unit == ChartUnit::Bytes ? "bytes" : "images") +
         "\" viewBox=\"0 0 " + num(width) + " " + num(height) + "\" width=\"" + num(width) + "\" height=\"" + num(height) +
         "\" role=\"img\" aria-label=\"" + html_text(c.title) + "\">\n";
}

}  // namespace

std::string chart_value_text(ChartUnit unit, ByteTotal value, const char* noun) {
  if (unit == ChartUnit::Bytes) return human_bytes(value);
  return grouped(value) + " " + noun + (value == 1 ? "" : "s");
}

void set_repository_bars(Chart& chart, std::vector<ChartBar> bars, std::size_t shown) {
  std::stable_sort(bars.begin(), bars.end(), [](const ChartBar& a, const ChartBar& b) { return bar_total(a) > bar_total(b); });
  chart.bars.clear();
  ChartBar rest;
  rest.values.assign(chart.series.size(), 0);
  std::size_t others = 0;
  for (std::size_t i = 0; i < bars.size(); ++i) {
    if (i < shown) {
      chart.bars.push_back(std::move(bars[i]));
      continue;
    }
    ++others;
    for (std::size_t s = 0; s < rest.values.size() && s < bars[i].values.size(); ++s) rest.values[s] += bars[i].values[s];
  }
  if (others) {
    rest.label = std::to_string(others) + (others == 1 ? " other repository" : " other repositories");
    chart.bars.push_back(std::move(rest));
  }
}

std::string horizontal_bar_chart(const Chart& c) {
  constexpr double kLabel = 230, kArea = 560, kRow = 22, kBar = 16, kTop = 24;
  const double height = kTop + kRow * static_cast<double>(c.bars.size()) + 8;
  const double max = scale_max(c);
  std::string out;
  open_figure(out, c, kLabel + kArea + 110, height);
  legend(out, c, 0);
  for (std::size_t i = 0; i < c.bars.size(); ++i) {
    const ChartBar& b = c.bars[i];
    const double y = kTop + kRow * static_cast<double>(i);
    out += "<g class=\"bar\" data-label=\"" + html_text(b.label) + "\">";
    std::string label = "<text class=\"label\" x=\"" + num(kLabel - 6) + "\" y=\"" + num(y + 12) + "\">" +
                        html_text(shortened(b.label, 34)) + "<title>" + html_text(b.label) + "</title></text>";
    out += b.link.empty() ? label : "<a href=\"" + html_text(b.link) + "\">" + label + "</a>";
    double x = kLabel;
    for (std::size_t s = 0; s < c.series.size() && s < b.values.size(); ++s) {
      if (b.values[s] == 0) continue;
      const double w = std::max(0.5, static_cast<double>(b.values[s]) / max * kArea);
      segment(out, c, b, s, x, y, w, kBar);
      x += w;
    }
    out += "<text class=\"total\" x=\"" + num(x + 4) + "\" y=\"" + num(y + 12) + "\">" + html_text(chart_value_text(c.unit, bar_total(b), c.noun)) +
           "</text></g>\n";
  }
  out += "</svg></figure>\n";
  return out;
}

std::string vertical_bar_chart(const Chart& c) {
  constexpr double kLeft = 10, kArea = 200, kTop = 40, kWidth = 880;
  const double column = (kWidth - kLeft) / static_cast<double>(std::max<std::size_t>(1, c.bars.size()));
  const double height = kTop + kArea + 40;
  const double max = scale_max(c);
  std::string out;
  open_figure(out, c, kWidth + 10, height);
  legend(out, c, 0);
  for (std::size_t i = 0; i < c.bars.size(); ++i) {
    const ChartBar& b = c.bars[i];
    const double x = kLeft + column * static_cast<double>(i);
    out += "<g class=\"bar\" data-label=\"" + html_text(b.label) + "\">";
    double top = kTop + kArea;
    for (std::size_t s = 0; s < c.series.size() && s < b.values.size(); ++s) {
      if (b.values[s] == 0) continue;
      const double h = std::max(0.5, static_cast<double>(b.values[s]) / max * kArea);
      top -= h;
      segment(out, c, b, s, x + 2, top, column - 4, h);
    }
    out += "<text class=\"axis\" x=\"" + num(x + column / 2) + "\" y=\"" + num(kTop + kArea + 14) + "\">" + html_text(b.label) + "</text>";
    out += "<text class=\"count\" x=\"" + num(x + column / 2) + "\" y=\"" + num(top - 3) + "\">" + grouped(bar_total(b)) + "</text></g>\n";
  }
  for (std::size_t m = 0; m < c.markers.size(); ++m) {
    const ChartMarker& mk = c.markers[m];
    const double x = kLeft + column * static_cast<double>(mk.before_bar);
    // Labels of markers close together are staggered so they do not overlap.
    const double label_y = kTop - 4 - 12.0 * static_cast<double>(m % 2);
    out += "<g class=\"marker\" data-label=\"" + html_text(mk.label) + "\"><line x1=\"" + num(x) + "\" x2=\"" + num(x) + "\" y1=\"" +
           num(kTop - 2) + "\" y2=\"" + num(kTop + kArea) + "\"/><text x=\"" + num(x + 3) + "\" y=\"" + num(label_y + 20) + "\">" +
           html_text(mk.label) + "</text></g>\n";
  }
  out += "</svg></figure>\n";
  return out;
}

}  // namespace regpol
