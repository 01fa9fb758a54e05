#include <chrono>
#include "util/time.h"

#include <cmath>
#include <cstdio>
#include <date/date.h>

namespace regpol {

namespace {

bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

}  // namespace

std::optional<Micros> parse_timestamp(std::string_view s) {
  int y, mo, d, h, mi, sec;
  if (!digits(s, 0, 4, y) || s.size() < 19 || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' ||
      !digits(s, 8, 2, d) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !digits(s, 11, 2, h) ||
      s[13] != ':' || !digits(s, 14, 2, mi) || s[16] != ':' || !digits(s, 17, 2, sec)) {
    return std::nullopt;
  }
  std::size_t pos = 19;
  Micros frac = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    std::size_t start = pos;
    Micros scale = 100000;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      frac += (s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) return std::nullopt;
  }
  if (pos >= s.size()) return std::nullopt;  // no zone
  int offset_minutes = 0;
  if (s[pos] == 'Z' || s[pos] == 'z') {
    ++pos;
  } else if (s[pos] == '+' || s[pos] == '-') {
    int sign = s[pos] == '-' ? -1 : 1;
    int oh, om;
    if (!digits(s, pos + 1, 2, oh)) return std::nullopt;
    std::size_t mpos = pos + 3;
    if (mpos < s.size() && s[mpos] == ':') ++mpos;
    if (!digits(s, mpos, 2, om)) return std::nullopt;
    if (oh > 23 || om > 59) return std::nullopt;
    offset_minutes = sign * (oh * 60 + om);
    pos = mpos + 2;
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;
  if (mo < 1 || mo > 12 || h > 23 || mi > 59 || sec > 60) return std::nullopt;
  date::year_month_day ymd{date::year{y}, date::month{static_cast<unsigned>(mo)}, date::day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return std::nullopt;
  if (sec == 60) return std::nullopt;  // no AWS time is a leap second; folding it would invent one
  auto days = date::sys_days(ymd).time_since_epoch().count();
  Micros secs = static_cast<Micros>(days) * 86400 + Micros{h} * 3600 + Micros{mi} * 60 + sec - Micros{offset_minutes} * 60;
  return secs * kMicrosPerSecond + frac;
}

std::optional<Micros> from_epoch_seconds(double seconds) {
  if (!std::isfinite(seconds) || std::fabs(seconds) > 9.0e12) return std::nullopt;
  return static_cast<Micros>(std::llround(seconds * 1e6));
}

namespace {

// a / b rounded down (b > 0), for every a: negating INT64_MIN (kNoTime) would overflow.
Micros floor_div(Micros a, Micros b) { return a / b - (a % b < 0 ? 1 : 0); }

}  // namespace

void append_timestamp(std::string& out, Micros t) {
  Micros secs = floor_div(t, kMicrosPerSecond);
  Micros frac = t % kMicrosPerSecond;  // t - secs * kMicrosPerSecond, which can overflow
  if (frac < 0) frac += kMicrosPerSecond;
  Micros days = floor_div(secs, 86400);
  Micros rem = secs % 86400;
  if (rem < 0) rem += 86400;
  date::year_month_day ymd{date::sys_days{date::days{days}}};
  // Reports write one of these per image: digits by hand, not snprintf.
  char buf[40];
  char* p = buf;
  int year = static_cast<int>(ymd.year());
  if (year < 0 || year > 9999) {
    p += std::snprintf(p, 16, "%04d", year);
  } else {
    *p++ = static_cast<char>('0' + year / 1000);
    *p++ = static_cast<char>('0' + year / 100 % 10);
    *p++ = static_cast<char>('0' + year / 10 % 10);
    *p++ = static_cast<char>('0' + year % 10);
  }
  auto two = [&](long long v) {
    *p++ = static_cast<char>('0' + v / 10);
    *p++ = static_cast<char>('0' + v % 10);
  };
  *p++ = '-';
  two(static_cast<unsigned>(ymd.month()));
  *p++ = '-';
  two(static_cast<unsigned>(ymd.day()));
  *p++ = 'T';
  two(rem / 3600);
  *p++ = ':';
  two(rem / 60 % 60);
  *p++ = ':';
  two(rem % 60);
  if (frac != 0) {
    *p++ = '.';
    Micros div = 100000;
    while (frac != 0) {  // six digits at most, trailing zeros dropped
      *p++ = static_cast<char>('0' + frac / div);
      frac %= div;
      div /= 10;
    }
  }
  *p++ = 'Z';
  out.append(buf, static_cast<std::size_t>(p - buf));
}

std::string format_timestamp(Micros t) {
  std::string out;
  append_timestamp(out, t);
  return out;
}

Micros current_time() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::optional<Micros> parse_duration_option(const std::string& text) {
  if (text.size() < 2 || text.size() > 12) return std::nullopt;
  Micros n = 0;
  for (std::size_t i = 0; i + 1 < text.size(); ++i) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
    n = n * 10 + (text[i] - '0');
  }
  Micros unit = 0;
  switch (text.back()) {
    case 's': unit = kMicrosPerSecond; break;
    case 'm': unit = 60 * kMicrosPerSecond; break;
    case 'h': unit = 3600 * kMicrosPerSecond; break;
    case 'd': unit = kMicrosPerDay; break;
    case 'w': unit = 7 * kMicrosPerDay; break;
    default: return std::nullopt;
  }
  if (n > 1'000'000) return std::nullopt;  // about 2,700 years of days; keeps the product in range
  return n * unit;
}

std::string format_duration_option(Micros d) {
  if (d % kMicrosPerDay == 0) return std::to_string(d / kMicrosPerDay) + "d";
  if (d % (3600 * kMicrosPerSecond) == 0) return std::to_string(d / (3600 * kMicrosPerSecond)) + "h";
  if (d % (60 * kMicrosPerSecond) == 0) return std::to_string(d / (60 * kMicrosPerSecond)) + "m";
  return std::to_string(d / kMicrosPerSecond) + "s";
}

}  // namespace regpol
