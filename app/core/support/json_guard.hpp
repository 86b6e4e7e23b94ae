// Limits checked on JSON text before it is parsed, so a hostile file cannot make the
// parser build a huge tree: 5 MB of "[" once took 384 MB, a 53 MB questionnaire 1.4 GB.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace eco {

struct JsonLimits {
  std::size_t max_bytes = 1 << 20;      // the whole text
  int max_depth = 64;                   // arrays and objects inside each other
  std::size_t max_string = 64 * 1024;   // bytes of one string (key or value), as written
};

// "" when the text is within the limits, else why not, with line and column
// ("line 3, column 10: a string longer than 65536 bytes").
std::string check_json_limits(std::string_view text, const JsonLimits& limits);

// A key written twice in one object. JSON parsers keep the last silently, so
// {"kiosk_id":"hall-9","kiosk_id":"evil"} would read as "evil" with no word said.
struct DuplicateKey {
  std::string key;         // decoded ("kiosk\u005fid" is "kiosk_id")
  std::size_t offset = 0;  // byte offset of the second one
  int depth = 0;           // 1 = a member of the top-level object
};
// Every repeated key, in file order. Meant for text within check_json_limits.
std::vector<DuplicateKey> find_duplicate_keys(std::string_view text);

}  // namespace eco
