// UTC times in milliseconds, ISO 8601 text, and the district clock.
#pragma once
#include <cstdint>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace eco {

// Milliseconds since the Unix epoch, UTC. All stored times use this.
using TimeMs = std::int64_t;

TimeMs now_ms();

// "2019-06-21T03:30:00.250Z" <-> ms. parse accepts a trailing Z or +00:00,
// with or without fractional seconds; anything else is refused (nullopt).
std::string to_iso_utc(TimeMs t);
std::optional<TimeMs> parse_iso_utc(std::string_view s);
// "2019-06-21" -> ms at 00:00 UTC of that day.
std::optional<TimeMs> parse_date_utc(std::string_view s);
// The district's clock (UTC + offset): "2019-06-21 11:30:00" for a time, and the
// start of a "2019-06-21" day on that clock (nullopt unless exactly YYYY-MM-DD).
std::string to_local_text(TimeMs t, int utc_offset_minutes);
std::optional<TimeMs> parse_local_day(std::string_view s, int utc_offset_minutes);

}  // namespace eco
