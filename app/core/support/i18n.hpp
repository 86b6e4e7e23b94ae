// UI strings as data: assets/i18n/<lang>.json, flat {"dotted.key": "text"}.
// Chinese is the fallback; a key missing everywhere shows as the key itself.
#pragma once
#include <map>
#include <string>
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
  const std::string& get(const std::string& lang, const std::string& key) const;
  bool has(const std::string& lang, const std::string& key) const;
  std::vector<std::string> languages() const;
  std::vector<std::string> keys(const std::string& lang) const;
  // Replaces {name} placeholders.
  static std::string format(std::string text, const std::map<std::string, std::string>& args);

 private:
  std::map<std::string, std::unordered_map<std::string, std::string>> by_lang_;
  mutable std::unordered_map<std::string, std::string> missing_;
};

}  // namespace eco
