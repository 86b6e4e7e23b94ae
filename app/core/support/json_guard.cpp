#include "core/support/json_guard.hpp"

#include <set>

#include <nlohmann/json.hpp>

#include "core/support/text.hpp"

namespace eco {

// The index of the quote that closes the string opening at `open` (or text.size()),
// stepping over escapes; both scanners below read strings this way.
static std::size_t string_end(std::string_view text, std::size_t open) {
  std::size_t i = open + 1;
  while (i < text.size() && text[i] != '"') {
    if (text[i] == '\\') ++i;
    ++i;
  }
  return i;
}

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
      std::size_t start = i;
      i = string_end(text, i);
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

std::vector<DuplicateKey> find_duplicate_keys(std::string_view text) {
  std::vector<DuplicateKey> out;
  // One frame per open bracket: objects keep the keys seen so far.
  struct Frame { bool object; std::set<std::string> keys; };
  std::vector<Frame> stack;
  char last = 0;  // the last significant character outside strings
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '"') {
      std::size_t start = i;
      i = string_end(text, i);
      // A string right after '{' or ',' inside an object is a key.
      if (!stack.empty() && stack.back().object && (last == '{' || last == ',') && i < text.size()) {
        nlohmann::json k = nlohmann::json::parse(text.substr(start, i - start + 1), nullptr, false);
        std::string key = k.is_string() ? k.get<std::string>() : std::string(text.substr(start + 1, i - start - 1));
        if (!stack.back().keys.insert(key).second)
          out.push_back({key, start, static_cast<int>(stack.size())});
      }
      last = '"';
    } else if (c == '{' || c == '[') {
      stack.push_back({c == '{', {}});
      last = c;
    } else if (c == '}' || c == ']') {
      if (!stack.empty()) stack.pop_back();
      last = c;
    } else if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
      last = c;
    }
  }
  return out;
}

}  // namespace eco
