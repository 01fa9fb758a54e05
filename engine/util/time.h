#pragma once
// Instants as signed 64-bit microseconds since the Unix epoch (fractional seconds kept).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace regpol {

using Micros = std::int64_t;
constexpr Micros kNoTime = INT64_MIN;  // field absent
// An image time read from a build (a config's `created`) before this is a placeholder:
// reproducible builds write 1970-01-01. 2000-01-01T00:00:00Z.
constexpr Micros kPlaceholderTimeBefore = 946684800LL * 1000000;
constexpr Micros kMicrosPerSecond = 1'000'000;
constexpr Micros kMicrosPerDay = 86'400 * kMicrosPerSecond;

// RFC 3339 / ISO 8601 with a zone: 2026-11-27T00:00:00Z, 2026-11-27T01:00:00.25+01:00,
// also "+0100" and a space for the `T`. Returns nullopt for anything else, including a
// missing zone (an instant without a zone is ambiguous, so it is rejected, not guessed).
std::optional<Micros> parse_timestamp(std::string_view s);

// Epoch seconds as a JSON number (AWS CLI v1); nullopt when out of range or not finite.
std::optional<Micros> from_epoch_seconds(double seconds);

// The current instant (the system clock).
Micros current_time();

// Canonical UTC form: 2026-11-27T00:00:00Z, with .ffffff only when there is a fraction.
std::string format_timestamp(Micros t);
// The same text, appended to `out`.
void append_timestamp(std::string& out, Micros t);

// "30d", "12h", "90m", "45s", "2w" (a whole number and a unit); nullopt otherwise.
std::optional<Micros> parse_duration_option(const std::string& text);
// The same form back ("30d" when whole days).
std::string format_duration_option(Micros d);

}  // namespace regpol
