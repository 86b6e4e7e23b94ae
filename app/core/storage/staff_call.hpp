// A resident's 呼叫工作人员: when, at which kiosk, and where in a survey (never an answer).
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "core/support/time.hpp"

namespace eco {

struct StaffCall {
  TimeMs at = 0;
  std::string kiosk, lang;
  std::string questionnaire, question;  // empty on the welcome screen; no question on the thanks
};

// "06-20 10:32 satisfaction/sat_air · 06-20 10:15": the newest `max` calls in district
// time, for the console's banner.
inline std::string describe_staff_calls(const std::vector<StaffCall>& newest_first, int utc_offset_minutes,
                                        std::size_t max = 5) {
  std::string out;
  for (std::size_t i = 0; i < newest_first.size() && i < max; ++i) {
    const StaffCall& c = newest_first[i];
    std::string iso = to_iso_utc(c.at + utc_offset_minutes * 60000LL);  // 2019-06-20T10:32:05Z
    if (!out.empty()) out += "  ·  ";
    out += iso.substr(5, 5) + " " + iso.substr(11, 5);
    if (!c.questionnaire.empty()) out += " " + c.questionnaire + (c.question.empty() ? "" : "/" + c.question);
  }
  if (newest_first.size() > max) out += "  …";
  return out;
}

}  // namespace eco
