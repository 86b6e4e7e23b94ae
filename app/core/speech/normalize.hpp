// Text made fit to be read aloud by espeak-ng: what the kiosk hands the synthesizer,
// never what it shows. Checked against espeak-ng 1.51 (Debian 12), which, left alone,
// drops the dash of "18–29岁" (reads 十八 二十九岁), drops "≥" and "℃" silently, reads
// "%" and "/" in English, reads "3.5" as 三五, years as amounts (二千零一十九年) and
// hotlines as amounts (一万二千三百六十九), and runs clauses together at ASCII
// punctuation inside Chinese (no pause at "," or ".").
#pragma once
#include <string>
#include <string_view>

namespace eco::speech {

// lang "zh" or "en"; anything else is treated as "en". The result is valid UTF-8 with
// no control characters, single spaces, and nothing the synthesizer would skip or read
// in another language (tests/test_speech.cpp checks both on every shipped text).
std::string normalize_for_speech(std::string_view text, const std::string& lang);

}  // namespace eco::speech
