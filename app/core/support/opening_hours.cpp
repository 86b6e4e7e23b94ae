#include "core/support/opening_hours.hpp"
#include "core/support/time.hpp"

#include <cctype>
#include <cstdio>

namespace eco {

namespace {

const char* kDays[7] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

int day_index(const std::string& s) {
  for (int i = 0; i < 7; ++i)
    if (s == kDays[i]) return i;
  return -1;
}

// "08:30" -> 510; -1 when not a time of day (24:00 is allowed as an end).
int minutes(const std::string& s) {
  int h = 0, m = 0;
  char tail = 0;
  if (s.size() != 5 || std::sscanf(s.c_str(), "%2d:%2d%c", &h, &m, &tail) != 2) return -1;
  if (h < 0 || m < 0 || m > 59 || h > 24 || (h == 24 && m != 0)) return -1;
  return h * 60 + m;
}

std::string trim(const std::string& s) {
  std::size_t a = 0, b = s.size();
  while (a < b && std::isspace(static_cast<unsigned char>(s[a]))) ++a;
  while (b > a && std::isspace(static_cast<unsigned char>(s[b - 1]))) --b;
  return s.substr(a, b - a);
}

}  // namespace

std::optional<OpeningHours> parse_opening_hours(const std::string& text, std::string* error) {
  auto fail = [&](const std::string& why) -> std::optional<OpeningHours> {
    if (error) *error = why;
    return std::nullopt;
  };
  OpeningHours h;
  if (trim(text).empty()) return h;
  h.always = false;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t comma = text.find(',', start);
    std::string part = trim(text.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    start = comma == std::string::npos ? text.size() + 1 : comma + 1;
    std::size_t space = part.find(' ');
    if (part.empty() || space == std::string::npos)
      return fail("\"" + part + "\" is not like \"mon-fri 08:30-17:30\"");
    std::string days = part.substr(0, space), times = trim(part.substr(space + 1));
    for (auto& c : days) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    int d0, d1;
    if (std::size_t dash = days.find('-'); dash != std::string::npos) {
      d0 = day_index(days.substr(0, dash));
      d1 = day_index(days.substr(dash + 1));
    } else {
      d0 = d1 = day_index(days);
    }
    if (d0 < 0 || d1 < 0 || d1 < d0) return fail("\"" + days + "\" is not a day or range like mon-fri");
    std::size_t dash = times.find('-');
    int from = dash == std::string::npos ? -1 : minutes(times.substr(0, dash));
    int to = dash == std::string::npos ? -1 : minutes(times.substr(dash + 1));
    if (from < 0 || to < 0 || to <= from || from >= 24 * 60)
      return fail("\"" + times + "\" is not a span like 08:30-17:30 (ending after it starts, same day)");
    for (int d = d0; d <= d1; ++d) h.spans[static_cast<std::size_t>(d)].emplace_back(from, to);
  }
  return h;
}

bool is_open(const OpeningHours& h, TimeMs now, int utc_offset_minutes) {
  if (h.always) return true;
  long long local_min = (now / 60000) + utc_offset_minutes;
  long long day = local_min >= 0 ? local_min / 1440 : (local_min - 1439) / 1440;
  int minute = static_cast<int>(local_min - day * 1440);
  int weekday = static_cast<int>(((day + 3) % 7 + 7) % 7);  // 1970-01-01 was a Thursday
  for (const auto& [from, to] : h.spans[static_cast<std::size_t>(weekday)])
    if (minute >= from && minute < to) return true;
  return false;
}

}  // namespace eco
