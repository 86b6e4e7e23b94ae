// to_local_text (time.hpp) appended to a kept buffer: exports write two times a row.
#pragma once
#include <string>

#include "core/support/time.hpp"

namespace eco {

// Appends what to_local_text(t, utc_offset_minutes) returns ("2019-06-21 11:30:00").
void append_local_text(std::string& out, TimeMs t, int utc_offset_minutes);

}  // namespace eco
