#include "core/survey/reading_time.hpp"

#include "core/support/text.hpp"

namespace eco {
namespace {

bool ideograph(char32_t c) {
  return (c >= 0x3040 && c <= 0x30FF) ||    // kana
         (c >= 0x3400 && c <= 0x4DBF) ||    // CJK extension A
         (c >= 0x4E00 && c <= 0x9FFF) ||    // CJK unified ideographs
         (c >= 0xF900 && c <= 0xFAFF) ||    // compatibility ideographs
         (c >= 0x20000 && c <= 0x3134F);    // extensions B–G
}

bool word_char(char32_t c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
         (c >= 0xC0 && c <= 0x24F && c != 0xD7 && c != 0xF7) ||  // accented Latin
         (c >= 0xFF10 && c <= 0xFF19) || (c >= 0xFF21 && c <= 0xFF3A) || (c >= 0xFF41 && c <= 0xFF5A) ||
         c == '\'';  // "don't" is one word
}

}  // namespace

int reading_units(std::string_view text) {
  int units = 0;
  bool in_word = false;
  for (std::size_t i = 0; i < text.size();) {
    char32_t c = 0;
    if (!utf8_next(text, i, c)) c = 0;  // a stray byte ends a word and counts as nothing
    bool w = word_char(c) && c != '\'';
    if (ideograph(c)) units += 1;
    else if (w && !in_word) units += 2;
    in_word = word_char(c) && (in_word || w);
  }
  return units;
}

int reading_units(const Question& q, const std::string& lang) {
  int units = reading_units(q.text.get(lang)) + reading_units(q.hint.get(lang)) + reading_units(q.unit.get(lang));
  for (const auto& o : q.options) units += reading_units(o.text.get(lang));
  for (const auto& r : q.rows) units += reading_units(r.text.get(lang));
  return units;
}

int reading_seconds(const Question& q, const std::string& lang) {
  long long units = reading_units(q, lang);
  return static_cast<int>((units * 60 + kSlowReadingUnitsPerMinute - 1) / kSlowReadingUnitsPerMinute) + kReachSeconds;
}

}  // namespace eco
