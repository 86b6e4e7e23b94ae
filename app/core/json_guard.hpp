// Limits checked on JSON text before it is parsed, so a hostile file cannot make the
// parser build a huge tree: 5 MB of "[" once took 384 MB, a 53 MB questionnaire 1.4 GB.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace eco {

struct JsonLimits {
  std::size_t max_bytes = 1 << 20;      // the whole text
  int max_depth = 64;                   // arrays and objects inside each other
  std::size_t max_string = 64 * 1024;   // bytes of one string (key or value), as written
};

// "" when the text is within the limits, else why not, with line and column
// ("line 3, column 10: a string longer than 65536 bytes").
std::string check_json_limits(std::string_view text, const JsonLimits& limits);

}  // namespace eco
