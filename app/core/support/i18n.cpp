#include "core/support/i18n.hpp"

#include <algorithm>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "core/support/read_file.hpp"

namespace eco {

bool Strings::load_dir(const std::string& dir, std::vector<std::string>& errors) {
  namespace fs = std::filesystem;
  std::error_code ec;
  bool any = false;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (e.path().extension() != ".json") continue;
    std::string why;
    auto text = read_file(e.path().string(), &why);
    if (!text) { errors.push_back(why); continue; }
    auto j = nlohmann::json::parse(*text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
      errors.push_back(e.path().string() + ": not a flat JSON object of key -> text");
      continue;
    }
    auto& table = by_lang_[e.path().stem().string()];
    for (const auto& [k, v] : j.items()) {
      if (!v.is_string()) { errors.push_back(e.path().string() + ": " + k + ": must be a string"); continue; }
      table[k] = v.get<std::string>();
    }
    any = true;
  }
  if (ec) errors.push_back("cannot read " + dir + ": " + ec.message());
  if (!by_lang_.count("zh")) errors.push_back(dir + ": zh.json (the fallback language) is missing");
  return any;
}

const std::string& Strings::get(std::string_view lang, std::string_view key) const {
  for (std::string_view l : {lang, std::string_view("zh")}) {
    auto t = by_lang_.find(l);
    if (t == by_lang_.end()) continue;
    auto it = t->second.find(key);
    if (it != t->second.end()) return it->second;
  }
  // Missing everywhere: show the key itself (kept so the reference stays valid).
  if (auto it = missing_.find(key); it != missing_.end()) return it->second;
  return missing_.try_emplace(std::string(key), key).first->second;
}

bool Strings::has(std::string_view lang, std::string_view key) const {
  auto t = by_lang_.find(lang);
  return t != by_lang_.end() && t->second.find(key) != t->second.end();
}

std::vector<std::string> Strings::languages() const {
  std::vector<std::string> out;
  for (const auto& [l, t] : by_lang_) out.push_back(l);
  return out;
}

std::vector<std::string> Strings::keys(const std::string& lang) const {
  std::vector<std::string> out;
  if (auto t = by_lang_.find(lang); t != by_lang_.end())
    for (const auto& [k, v] : t->second) out.push_back(k);
  std::sort(out.begin(), out.end());
  return out;
}

std::string Strings::format(std::string text, const std::map<std::string, std::string>& args) {
  for (const auto& [name, value] : args) {
    std::string tag = "{" + name + "}";
    for (std::size_t p = text.find(tag); p != std::string::npos; p = text.find(tag, p + value.size()))
      text.replace(p, tag.size(), value);
  }
  return text;
}

}  // namespace eco
