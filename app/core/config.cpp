#include "core/config.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "core/opening_hours.hpp"
#include "core/util.hpp"

namespace eco {

using json = nlohmann::json;

std::string Config::default_path() {
  const char* xdg = std::getenv("XDG_CONFIG_HOME");
  const char* home = std::getenv("HOME");
  std::filesystem::path base =
      (xdg && *xdg) ? std::filesystem::path(xdg) : std::filesystem::path(home && *home ? home : ".") / ".config";
  return (base / "ecokiosk" / "config.json").string();
}

namespace {
std::string num_str(double v) {
  if (v == static_cast<double>(static_cast<long long>(v))) return std::to_string(static_cast<long long>(v));
  return json(v).dump();
}

struct Reader {
  const json& j;
  std::string file;
  std::vector<std::string>& errors;

  void fail(const std::string& key, const std::string& msg) { errors.push_back(file + ": " + key + ": " + msg); }

  template <class T>
  void number(const char* key, T& out, double lo, double hi) {
    auto it = j.find(key);
    if (it == j.end()) return;
    if (!it->is_number()) { fail(key, "must be a number"); return; }
    double v = it->get<double>();
    if (v < lo || v > hi) {
      fail(key, it->dump() + " is outside " + num_str(lo) + ".." + num_str(hi) + "; keeping " + num_str(static_cast<double>(out)));
      return;
    }
    if constexpr (std::is_integral_v<T>) {
      if (v != static_cast<double>(static_cast<T>(v))) { fail(key, "must be a whole number"); return; }
    }
    out = static_cast<T>(v);
  }
  void string(const char* key, std::string& out, std::size_t max_len) {
    auto it = j.find(key);
    if (it == j.end()) return;
    if (!it->is_string() || !valid_utf8(it->get<std::string>()) || it->get<std::string>().size() > max_len) {
      fail(key, "must be a UTF-8 string of at most " + std::to_string(max_len) + " bytes");
      return;
    }
    out = it->get<std::string>();
  }
  void localized(const char* key, std::map<std::string, std::string>& out) {
    auto it = j.find(key);
    if (it == j.end()) return;
    if (!it->is_object() || !it->contains("zh") || !(*it)["zh"].is_string()) {
      fail(key, "must be an object like {\"zh\": \"...\", \"en\": \"...\"} with Chinese text");
      return;
    }
    std::map<std::string, std::string> m;
    for (const auto& [lang, v] : it->items()) {
      if (!v.is_string() || !valid_utf8(v.get<std::string>()) || v.get<std::string>().size() > 400) {
        fail(std::string(key) + "." + lang, "must be a UTF-8 string of at most 400 bytes");
        return;
      }
      m[lang] = v.get<std::string>();
    }
    out = std::move(m);
  }
};
}  // namespace

namespace {
// Every setting with its range: one set of rules for the file and for the console.
void read_settings(Reader& r, Config& c) {
  const json& j = r.j;
  r.string("kiosk_id", c.kiosk_id, 64);
  if (c.kiosk_id.empty()) { r.fail("kiosk_id", "must not be empty; using kiosk-01"); c.kiosk_id = "kiosk-01"; }
  r.localized("hall_name", c.hall_name);
  r.localized("district_title", c.district_title);
  r.number("idle_seconds", c.idle_seconds, 10, 600);
  r.number("countdown_seconds", c.countdown_seconds, 5, 120);
  r.number("finish_seconds", c.finish_seconds, 5, 600);
  r.number("min_seconds_per_question", c.min_seconds_per_question, 0, 60);
  r.number("utc_offset_minutes", c.utc_offset_minutes, -720, 840);
  r.string("export_dir", c.export_dir, 4096);
  r.string("backup_dir", c.backup_dir, 4096);
  r.number("backup_interval_minutes", c.backup_interval_minutes, 0, 10080);
  r.number("backup_keep", c.backup_keep, 1, 1000);
  std::string hours = c.opening_hours, why;
  r.string("opening_hours", hours, 400);
  if (parse_opening_hours(hours, &why)) c.opening_hours = hours;
  else r.fail("opening_hours", why + "; keeping \"" + c.opening_hours + "\"");
  std::string lang = c.default_lang;
  r.string("default_lang", lang, 8);
  if (lang != "zh" && lang != "en") r.fail("default_lang", "\"" + lang + "\" is not zh or en; keeping zh");
  else c.default_lang = lang;
  if (auto it = j.find("questionnaires"); it != j.end()) {
    std::vector<std::string> list;
    bool ok = it->is_array() && !it->empty();
    if (ok)
      for (const auto& e : *it) {
        if (!e.is_string()) { ok = false; break; }
        list.push_back(e.get<std::string>());
      }
    if (ok) c.questionnaires = std::move(list);
    else r.fail("questionnaires", "must be a non-empty array of questionnaire ids");
  }
}

json to_json(const Config& c) {
  return {{"kiosk_id", c.kiosk_id}, {"hall_name", c.hall_name}, {"district_title", c.district_title},
          {"idle_seconds", c.idle_seconds}, {"countdown_seconds", c.countdown_seconds},
          {"finish_seconds", c.finish_seconds}, {"questionnaires", c.questionnaires},
          {"default_lang", c.default_lang}, {"export_dir", c.export_dir},
          {"min_seconds_per_question", c.min_seconds_per_question}, {"utc_offset_minutes", c.utc_offset_minutes},
          {"backup_dir", c.backup_dir}, {"backup_interval_minutes", c.backup_interval_minutes},
          {"backup_keep", c.backup_keep}, {"opening_hours", c.opening_hours}};
}
}  // namespace

ConfigLoad load_config(const std::string& path) {
  ConfigLoad out;
  std::string why;
  auto text = read_file(path, &why);
  if (!text) return out;  // no file: defaults
  out.file_found = true;
  json j = json::parse(*text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    out.errors.push_back(path + ": not a JSON object; using the defaults");
    return out;
  }
  Reader r{j, path, out.errors};
  read_settings(r, out.config);
  static const char* known[] = {"kiosk_id", "hall_name", "district_title", "idle_seconds", "countdown_seconds",
                                "finish_seconds", "min_seconds_per_question", "utc_offset_minutes",
                                "backup_dir", "backup_interval_minutes", "backup_keep", "export_dir", "default_lang",
                                "questionnaires", "opening_hours"};
  for (const auto& [k, v] : j.items())
    if (std::find(std::begin(known), std::end(known), k) == std::end(known))
      r.fail(k, "unknown setting (ignored)");
  return out;
}

}  // namespace eco

namespace eco {

std::vector<std::string> check_config(const Config& c) {
  json j = to_json(c);
  std::vector<std::string> errors;
  Config copy;
  Reader r{j, "settings", errors};
  read_settings(r, copy);
  return errors;
}

std::string save_config(const std::string& path, const Config& c) {
  json j = to_json(c);
  std::error_code ec;
  auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << j.dump(2) << "\n";
    if (!out.flush()) return "cannot write " + tmp;
  }
  std::filesystem::rename(tmp, path, ec);
  if (ec) return "cannot rename " + tmp + ": " + ec.message();
  return "";
}

}  // namespace eco
