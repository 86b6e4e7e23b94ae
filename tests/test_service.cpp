// Opening hours (the screen goes dark only when the hall is closed), the configuration
// key that holds them, and the journal levels of the service's log lines.
#include <doctest/doctest.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include <unistd.h>

#include "core/support/config.hpp"
#include "core/support/time.hpp"
#include "core/support/opening_hours.hpp"
#include "platform/service.hpp"

using namespace eco;

namespace {
// 2019-06-17 was a Monday. Local (UTC+8) time of that week -> UTC ms.
TimeMs local(int day_of_week_from_monday, int h, int m) {
  TimeMs monday_utc_midnight = 1560729600000LL;  // 2019-06-17T00:00:00Z
  return monday_utc_midnight + ((day_of_week_from_monday * 24 + h) * 60 + m) * 60000LL - 480 * 60000LL;
}
}  // namespace

TEST_CASE("opening hours: weekday spans, edges, Saturday, Sunday closed") {
  auto h = parse_opening_hours("mon-fri 08:30-17:30, sat 09:00-12:00");
  REQUIRE(h);
  CHECK_FALSE(h->always);
  CHECK_FALSE(is_open(*h, local(0, 8, 29), 480));
  CHECK(is_open(*h, local(0, 8, 30), 480));
  CHECK(is_open(*h, local(4, 17, 29), 480));
  CHECK_FALSE(is_open(*h, local(4, 17, 30), 480));  // the end is exclusive
  CHECK(is_open(*h, local(5, 11, 59), 480));
  CHECK_FALSE(is_open(*h, local(5, 12, 0), 480));
  CHECK_FALSE(is_open(*h, local(6, 10, 0), 480));   // Sunday
  // The district's clock, not UTC: 08:30 local Monday is 00:30 UTC Monday.
  CHECK_FALSE(is_open(*h, local(0, 8, 45), 0 - 0 + 60));  // at UTC+1 that instant is 01:45
}

TEST_CASE("opening hours: empty means always open, mistakes are refused with a reason") {
  auto always = parse_opening_hours("  ");
  REQUIRE(always);
  CHECK(is_open(*always, local(6, 3, 0), 480));
  for (const char* bad : {"mon-fri", "mon-fri 8:30-17:30", "fri-mon 08:00-12:00", "mon 12:00-08:00",
                          "mon 08:00-08:00", "xyz 08:00-09:00", "mon 08:00-25:00", "mon 08:60-09:00", ",",
                          "mon 08:00-12:00,"}) {
    std::string why;
    CHECK_MESSAGE(!parse_opening_hours(bad, &why), bad);
    CHECK_MESSAGE(!why.empty(), bad);
  }
  auto night = parse_opening_hours("sun 00:00-24:00");
  REQUIRE(night);
  CHECK(is_open(*night, local(6, 23, 59), 480));
}

TEST_CASE("the screen goes dark only when closed and untouched for idle time, a touch wakes it") {
  auto h = *parse_opening_hours("mon-fri 08:30-17:30");
  TimeMs t = local(0, 17, 0);
  ScreenSchedule s(h, 480, 60000, t);
  CHECK_FALSE(s.dark(t + 20 * 60000));          // open: never dark, however idle
  TimeMs closed = local(0, 18, 0);
  CHECK(s.dark(closed));                        // closed and idle since 17:00
  s.touch(closed);                              // staff after hours
  CHECK_FALSE(s.dark(closed + 59000));
  CHECK(s.dark(closed + 60000));
  ScreenSchedule always(OpeningHours{}, 480, 60000, t);
  CHECK_FALSE(always.dark(local(6, 3, 0)));
}

TEST_CASE("opening_hours in config.json: kept, saved and refused like every other key") {
  std::string path = "/tmp/ecokiosk-test-hours-" + std::to_string(::getpid()) + ".json";
  {
    std::ofstream(path) << R"({"opening_hours": "mon-sat 09:00-18:00"})";
  }
  ConfigLoad ok = load_config(path);
  CHECK(ok.errors.empty());
  CHECK(ok.config.opening_hours == "mon-sat 09:00-18:00");
  REQUIRE(save_config(path, ok.config).empty());
  CHECK(load_config(path).config.opening_hours == "mon-sat 09:00-18:00");  // the console's save keeps it
  {
    std::ofstream(path) << R"({"opening_hours": "weekdays 9-5"})";
  }
  ConfigLoad bad = load_config(path);
  REQUIRE(bad.errors.size() == 1);
  CHECK(bad.errors[0].find("opening_hours") != std::string::npos);
  CHECK(bad.config.opening_hours.empty());  // the default: always on
  std::remove(path.c_str());
}

TEST_CASE("journal levels: errors 3, warnings 4, the rest 6") {
  CHECK(platform::journal_level("error: cannot open /x") == 3);
  CHECK(platform::journal_level("database unavailable: disk I/O error") == 3);
  CHECK(platform::journal_level("backup failed: disk full") == 3);
  CHECK(platform::journal_level("warning: no Chinese font found") == 4);
  CHECK(platform::journal_level("database was damaged (x); kept as y") == 4);
  CHECK(platform::journal_level("config: c.json: idle_seconds: 3 is outside 10..600") == 4);
  CHECK(platform::journal_level("2 interrupted session(s) recorded as abandoned") == 6);
}

TEST_CASE("watchdog: the loop's longest sleep is half of WATCHDOG_USEC, only under systemd") {
  ::unsetenv("NOTIFY_SOCKET");
  ::setenv("WATCHDOG_USEC", "30000000", 1);
  CHECK(platform::ServiceNotifier().max_wait(60.0) == doctest::Approx(60.0));  // no socket: no watchdog
  ::setenv("NOTIFY_SOCKET", "/nonexistent/notify", 1);
  platform::ServiceNotifier n;
  CHECK(n.watchdog_enabled());
  CHECK(n.max_wait(60.0) == doctest::Approx(15.0));
  CHECK(n.max_wait(5.0) == doctest::Approx(5.0));
  ::setenv("WATCHDOG_USEC", "junk", 1);
  CHECK_FALSE(platform::ServiceNotifier().watchdog_enabled());
  ::unsetenv("NOTIFY_SOCKET");
  ::unsetenv("WATCHDOG_USEC");
}
