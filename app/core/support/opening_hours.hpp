// When the hall is open, so the screen can go dark outside those hours and never during
// them. Written in config.json as "opening_hours": "mon-fri 08:30-17:30, sat 09:00-12:00"
// (district time); "" means always open (the screen never blanks).
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/support/time.hpp"

namespace eco {

struct OpeningHours {
  // Per weekday (0 = Monday), the open spans in minutes after local midnight.
  std::array<std::vector<std::pair<int, int>>, 7> spans;
  bool always = true;
};

// Parses the text above; on a mistake returns nullopt and says why in *error.
std::optional<OpeningHours> parse_opening_hours(const std::string& text, std::string* error = nullptr);
bool is_open(const OpeningHours& h, TimeMs now, int utc_offset_minutes);

// The screen is dark when the hall is closed and nobody has touched it for idle_ms;
// a touch lights it again (staff can still reach the console after hours).
class ScreenSchedule {
 public:
  ScreenSchedule(OpeningHours h, int utc_offset_minutes, TimeMs idle_ms, TimeMs now)
      : hours_(std::move(h)), offset_(utc_offset_minutes), idle_ms_(idle_ms), last_touch_(now) {}
  void touch(TimeMs now) { last_touch_ = now; }
  bool dark(TimeMs now) const { return !is_open(hours_, now, offset_) && now - last_touch_ >= idle_ms_; }
  // When the loop must look again: the moment the idle time runs out (opening and
  // closing times are caught by the loop's one-minute wake-up).
  TimeMs next_deadline(TimeMs now) const {
    return hours_.always || last_touch_ + idle_ms_ <= now ? INT64_MAX : last_touch_ + idle_ms_;
  }

 private:
  OpeningHours hours_;
  int offset_;
  TimeMs idle_ms_;
  TimeMs last_touch_;
};

}  // namespace eco
