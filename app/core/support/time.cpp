#include "core/support/time.hpp"
#include "core/support/time_append.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

namespace eco {

TimeMs now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::string to_iso_utc(TimeMs t) {
  std::time_t secs = static_cast<std::time_t>(t >= 0 ? t / 1000 : (t - 999) / 1000);
  int ms = static_cast<int>(t - static_cast<TimeMs>(secs) * 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
  return buf;
}

namespace {
// Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (H. Hinnant's algorithm).
std::int64_t days_from_civil(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

bool valid_ymd(int y, int m, int d) {
  static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (y < 1970 || y > 9999 || m < 1 || m > 12 || d < 1) return false;
  int max = mdays[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
  return d <= max;
}
}  // namespace

std::optional<TimeMs> parse_date_utc(std::string_view s) {
  int y, m, d;
  if (s.size() != 10 || s[4] != '-' || s[7] != '-' || !digits(s, 0, 4, y) || !digits(s, 5, 2, m) ||
      !digits(s, 8, 2, d) || !valid_ymd(y, m, d))
    return std::nullopt;
  return days_from_civil(y, static_cast<unsigned>(m), static_cast<unsigned>(d)) * 86400000LL;
}

std::optional<TimeMs> parse_iso_utc(std::string_view s) {
  if (s.size() < 20) return std::nullopt;
  auto day = parse_date_utc(s.substr(0, 10));
  int hh, mm, ss;
  if (!day || s[10] != 'T' || !digits(s, 11, 2, hh) || s[13] != ':' || !digits(s, 14, 2, mm) ||
      s[16] != ':' || !digits(s, 17, 2, ss) || hh > 23 || mm > 59 || ss > 60)
    return std::nullopt;
  std::size_t pos = 19;
  int ms = 0;
  if (s[pos] == '.') {
    ++pos;
    int scale = 100, ndig = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (ndig < 3) ms += (s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
      ++ndig;
    }
    if (ndig == 0) return std::nullopt;
  }
  std::string_view zone = s.substr(pos);
  if (zone != "Z" && zone != "+00:00") return std::nullopt;
  return *day + (hh * 3600LL + mm * 60LL + ss) * 1000LL + ms;
}

std::string to_local_text(TimeMs t, int utc_offset_minutes) {
  std::string iso = to_iso_utc(t + static_cast<TimeMs>(utc_offset_minutes) * 60000);
  return iso.substr(0, 10) + " " + iso.substr(11, 8);
}

// The inverse of days_from_civil above.
CivilDate civil_from_days(std::int64_t days) {
  const std::int64_t z = days + 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2), m, d};
}

void append_local_text(std::string& out, TimeMs t, int utc_offset_minutes) {
  TimeMs local = t + static_cast<TimeMs>(utc_offset_minutes) * 60000;
  TimeMs secs = local >= 0 ? local / 1000 : (local - 999) / 1000;  // as to_iso_utc rounds
  TimeMs days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
  auto sod = static_cast<int>(secs - days * 86400);
  const auto [y, m, d] = civil_from_days(days);
  if (y < 0 || y > 9999) {  // outside four digits: the general (slow) formatting
    out += to_local_text(t, utc_offset_minutes);
    return;
  }
  // Exports write two times a row: digits by hand, no snprintf, no temporaries.
  char b[19];
  auto two = [&](int at, unsigned v) {
    b[at] = static_cast<char>('0' + v / 10);
    b[at + 1] = static_cast<char>('0' + v % 10);
  };
  two(0, static_cast<unsigned>(y / 100));
  two(2, static_cast<unsigned>(y % 100));
  b[4] = '-';
  two(5, m);
  b[7] = '-';
  two(8, d);
  b[10] = ' ';
  two(11, static_cast<unsigned>(sod / 3600));
  b[13] = ':';
  two(14, static_cast<unsigned>(sod / 60 % 60));
  b[16] = ':';
  two(17, static_cast<unsigned>(sod % 60));
  out.append(b, sizeof b);
}

std::optional<TimeMs> parse_local_day(std::string_view s, int utc_offset_minutes) {
  auto t = parse_date_utc(s);
  if (!t) return std::nullopt;
  return *t - static_cast<TimeMs>(utc_offset_minutes) * 60000;
}

DayRange parse_day_range(std::string_view from, std::string_view to, int utc_offset_minutes) {
  DayRange r;
  if (!from.empty() && !(r.from = parse_local_day(from, utc_offset_minutes))) {
    r.fault = DayRangeFault::bad_from;
    return r;
  }
  if (!to.empty()) {
    auto last = parse_local_day(to, utc_offset_minutes);
    if (!last) {
      r.fault = DayRangeFault::bad_to;
      return r;
    }
    r.to = *last + 86400000LL;  // the whole last day
  }
  if (r.from && r.to && *r.to <= *r.from) r.fault = DayRangeFault::reversed;
  return r;
}

}  // namespace eco
