// Small helpers shared by the core: ids, hashes, UTC times, UTF-8 checks.
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

// Random (version 4) UUID in its canonical 36-character form.
std::string new_uuid();
bool is_uuid(std::string_view s);
// The one spelling of an id: ASCII lower case ("ABC-…" and "abc-…" are the same response).
std::string lower_ascii(std::string_view s);

// Why a kiosk id is refused ("" when fine): empty, over 64 bytes, not UTF-8, a control
// character (ESC, TAB, CR, LF… would fake lines or drive the terminal where it is
// printed) or a slash (ids become parts of file names). One rule for config and imports.
std::string kiosk_id_fault(std::string_view id);
// Text safe to print on a terminal or in a summary line: control characters become \xNN.
std::string printable(std::string_view s);

// Lower-case hex SHA-256 of the bytes.
std::string sha256_hex(std::string_view bytes);

// "2019-06-21T03:30:00.250Z" <-> ms. parse accepts a trailing Z or +00:00,
// with or without fractional seconds; anything else is refused (nullopt).
std::string to_iso_utc(TimeMs t);
std::optional<TimeMs> parse_iso_utc(std::string_view s);
// "2019-06-21" -> ms at 00:00 UTC of that day.
std::optional<TimeMs> parse_date_utc(std::string_view s);
// The district's clock (UTC + offset): "2019-06-21 11:30:00" for a time, and the
// start of a "2019-06-21" day on that clock (nullopt unless exactly YYYY-MM-DD).
std::string to_local_text(TimeMs t, int utc_offset_minutes);
std::optional<TimeMs> parse_local_day(std::string_view s, int utc_offset_minutes);

bool valid_utf8(std::string_view s);
// Number of code points in valid UTF-8.
std::size_t utf8_length(std::string_view s);
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

// The whole file, or nullopt with why: missing, a folder, unreadable, or larger than
// max_bytes (checked before reading it).
std::optional<std::string> read_file(const std::string& path, std::string* error = nullptr,
                                     std::size_t max_bytes = SIZE_MAX);

}  // namespace eco
