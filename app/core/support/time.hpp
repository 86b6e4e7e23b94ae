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
// Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant's civil_from_days).
struct CivilDate {
  std::int64_t year;
  unsigned month, day;
};
CivilDate civil_from_days(std::int64_t days);
std::optional<TimeMs> parse_local_day(std::string_view s, int utc_offset_minutes);

// Whole days on the district's clock as staff type them, both ends inclusive and either
// empty for "open": from = local midnight of the first day, to = local midnight after the
// last (exclusive). What is wrong, if anything, is in `fault`; the CLI's --from/--to and
// the console's export dates read them alike.
enum class DayRangeFault { none, bad_from, bad_to, reversed };
struct DayRange {
  std::optional<TimeMs> from, to;
  DayRangeFault fault = DayRangeFault::none;
  bool ok() const { return fault == DayRangeFault::none; }
};
DayRange parse_day_range(std::string_view from, std::string_view to, int utc_offset_minutes);

}  // namespace eco
