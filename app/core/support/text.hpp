// UTF-8 text: validity, length, truncation, printing, masking personal numbers.
#pragma once
#include <cstdint>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace eco {

// Text safe to print on a terminal or in a summary line: control characters become \xNN.
std::string printable(std::string_view s);

bool valid_utf8(std::string_view s);
// Number of code points in valid UTF-8.
std::size_t utf8_length(std::string_view s);
// The code point starting at s[i] into c, i moved past it; false when the byte at i
// starts no whole sequence (a stray or cut one), i then moved past that byte alone.
// i < s.size() on entry.
bool utf8_next(std::string_view s, std::size_t& i, char32_t& c);

// Free text never keeps what identifies a person: mainland mobile numbers (11 digits
// starting 13–19, with or without +86 / 0086), 18-character resident ID numbers and
// 15-digit first-generation ones (with a plausible birth date). Full-width digits count
// as digits; one to three spaces, dashes, dots or parentheses may sit between digit
// groups, and two IDs (or mobiles) written together are both found; each digit is
// replaced by one asterisk. Returns how many numbers were masked.
int mask_personal(std::string& text);

// At most max_chars code points of s, with "…" appended when something was cut.
std::string utf8_truncate(std::string_view s, std::size_t max_chars);

// 1-based line and column of a byte offset, for error messages about a file.
struct LineCol { std::size_t line = 1, column = 1; };
LineCol line_col(std::string_view text, std::size_t offset);

}  // namespace eco
