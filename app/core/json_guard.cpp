#include "core/json_guard.hpp"

#include "core/util.hpp"

namespace eco {

std::string check_json_limits(std::string_view text, const JsonLimits& limits) {
  if (text.size() > limits.max_bytes)
    return "the text is " + std::to_string(text.size()) + " bytes, more than the " +
           std::to_string(limits.max_bytes) + " allowed";
  auto at = [&](std::size_t offset) {
    LineCol lc = line_col(text, offset);
    return "line " + std::to_string(lc.line) + ", column " + std::to_string(lc.column) + ": ";
  };
  // One pass that only counts: brackets outside strings, and each string's length.
  int depth = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '"') {
      std::size_t start = i++;
      while (i < text.size() && text[i] != '"') {
        if (text[i] == '\\') ++i;
        ++i;
      }
      if (i - start - 1 > limits.max_string)
        return at(start) + "a string longer than " + std::to_string(limits.max_string) + " bytes";
    } else if (c == '[' || c == '{') {
      if (++depth > limits.max_depth)
        return at(i) + "nested deeper than " + std::to_string(limits.max_depth) + " levels";
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return "";
}

}  // namespace eco
