// How long a slow reader needs for a question's page. Residents are often elderly and
// some read poorly: "still there?" should not interrupt someone still reading, least of
// all on the first page, whose wait is kept short for the walk-away case.
#pragma once
#include <string>
#include <string_view>

#include "core/survey/questionnaire.hpp"

namespace eco {

// The pace the kiosk waits for: 180 reading units a minute, the slow end of older
// readers of Chinese (a practised adult reads 300–500 characters a minute).
inline constexpr int kSlowReadingUnitsPerMinute = 180;
// Time to find the answer and reach for it once the page is read.
inline constexpr int kReachSeconds = 5;

// A Chinese character (any CJK ideograph or kana) is one unit; a word of letters or
// digits, Latin or full-width, two (a slow reader of English manages about 90 words a
// minute); punctuation and spaces none. Invalid UTF-8 counts as nothing.
int reading_units(std::string_view text);
// The question's page: its text, hint and unit, then its options or rows.
int reading_units(const Question& q, const std::string& lang);
// Seconds a slow reader needs for the page and to reach the answer, rounded up.
int reading_seconds(const Question& q, const std::string& lang);

}  // namespace eco
