// UI strings as data: assets/i18n/<lang>.json, flat {"dotted.key": "text"}.
// Chinese is the fallback; a key missing everywhere shows as the key itself.
#pragma once
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace eco {

// Marks a UI string key in the code. Every key is written T("area.name"), and a key
// built at run time as T("area.family.") + code; tests/test_strings.cpp finds every
// mark (no list of prefixes), checks it in each language, walks each family's codes
// and reports keys nothing uses. Costs nothing: the key itself is returned.
constexpr const char* T(const char* key) { return key; }

class Strings {
 public:
  // Loads every <lang>.json in dir; problems are appended to errors.
  bool load_dir(const std::string& dir, std::vector<std::string>& errors);
  // Looked up by view, so a key written T("...") costs no std::string (an idle frame
  // allocates nothing).
  const std::string& get(std::string_view lang, std::string_view key) const;
  bool has(std::string_view lang, std::string_view key) const;
  std::vector<std::string> languages() const;
  std::vector<std::string> keys(const std::string& lang) const;
  // Replaces {name} placeholders.
  static std::string format(std::string text, const std::map<std::string, std::string>& args);

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using Table = std::unordered_map<std::string, std::string, Hash, std::equal_to<>>;
  std::map<std::string, Table, std::less<>> by_lang_;
  mutable Table missing_;
};

}  // namespace eco
