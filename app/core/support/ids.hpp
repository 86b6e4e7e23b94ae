// Ids: random UUIDs, the one spelling of an id, kiosk ids, SHA-256.
#pragma once
#include <cstdint>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace eco {

// Random (version 4) UUID in its canonical 36-character form.
std::string new_uuid();
bool is_uuid(std::string_view s);
// The one spelling of an id: ASCII lower case ("ABC-…" and "abc-…" are the same response).
std::string lower_ascii(std::string_view s);

// Why a kiosk id is refused ("" when fine): empty, over 64 bytes, not UTF-8, a control
// character (ESC, TAB, CR, LF… would fake lines or drive the terminal where it is
// printed) or a slash (ids become parts of file names). One rule for config and imports.
std::string kiosk_id_fault(std::string_view id);

// Lower-case hex SHA-256 of the bytes.
std::string sha256_hex(std::string_view bytes);

}  // namespace eco
