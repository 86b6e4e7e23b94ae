#include "core/support/config.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "core/support/json_guard.hpp"
#include "core/support/safe_file.hpp"
#include "core/support/opening_hours.hpp"
#include "core/support/ids.hpp"
#include "core/support/text.hpp"
#include "core/support/read_file.hpp"

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

std::string central_url_fault(std::string_view url) {
  if (url.empty()) return "";
  if (url.rfind("postgresql://", 0) != 0 && url.rfind("postgres://", 0) != 0)
    return "must start with postgresql:// (or be empty to turn central sync off)";
  for (unsigned char ch : url)
    if (ch < 0x21 || ch == 0x7f) return "must not contain spaces or control characters";
  // Credentials belong in the 0600 credentials file, not in a file staff may show around.
  std::string_view rest = url.substr(url.find("//") + 2);
  std::string_view authority = rest.substr(0, rest.find_first_of("/?"));
  if (authority.find('@') != std::string_view::npos) return "must not contain a user or password (they go in the credentials file)";
  for (std::string_view param : url_query_params(url))
    if (url_param_name(param) == "password") return "must not contain a password (it goes in the credentials file)";
  return "";
}

std::vector<std::string_view> url_query_params(std::string_view url) {
  std::vector<std::string_view> out;
  std::size_t q = url.find('?');
  if (q == std::string_view::npos) return out;
  std::string_view query = url.substr(q + 1);
  for (std::size_t pos = 0;;) {
    std::size_t amp = query.find('&', pos);
    out.push_back(query.substr(pos, amp == std::string_view::npos ? std::string_view::npos : amp - pos));
    if (amp == std::string_view::npos) return out;
    pos = amp + 1;
  }
}

std::string url_param_name(std::string_view param) {
  std::string_view raw = param.substr(0, param.find('='));
  std::string out;
  auto hex = [](char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '%' && i + 2 < raw.size() && hex(raw[i + 1]) >= 0 && hex(raw[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex(raw[i + 1]) * 16 + hex(raw[i + 2])));
      i += 2;
    } else {
      out.push_back(raw[i]);
    }
  }
  return out;
}

namespace {
// Every setting with its range: one set of rules for the file and for the console.
void read_settings(Reader& r, Config& c) {
  const json& j = r.j;
  r.string("kiosk_id", c.kiosk_id, 64);
  if (std::string why = kiosk_id_fault(c.kiosk_id); !why.empty()) {
    r.fail("kiosk_id", why);
    c.kiosk_id = "kiosk-01";
  }
  r.localized("hall_name", c.hall_name);
  r.localized("district_title", c.district_title);
  r.number("idle_seconds", c.idle_seconds, 10, kIdleSecondsMax);
  r.number("first_question_idle_seconds", c.first_question_idle_seconds, 10, kIdleSecondsMax);
  r.number("countdown_seconds", c.countdown_seconds, 5, 120);
  r.number("finish_seconds", c.finish_seconds, 5, 600);
  r.number("min_seconds_per_question", c.min_seconds_per_question, 0, 60);
  r.number("utc_offset_minutes", c.utc_offset_minutes, -720, 840);
  r.string("export_dir", c.export_dir, 4096);
  r.string("backup_dir", c.backup_dir, 4096);
  r.number("backup_interval_minutes", c.backup_interval_minutes, 0, 10080);
  r.number("backup_keep", c.backup_keep, 1, 1000);
  r.number("speech_volume", c.speech_volume, 0, 100);
  std::string hours = c.opening_hours, why;
  r.string("opening_hours", hours, 400);
  if (parse_opening_hours(hours, &why)) c.opening_hours = hours;
  else r.fail("opening_hours", why + "; keeping \"" + c.opening_hours + "\"");
  std::string minors = c.minors;
  r.string("minors", minors, 16);
  if (minors != "notice" && minors != "ask_parent")
    r.fail("minors", "\"" + minors + "\" is not notice or ask_parent; keeping " + c.minors);
  else c.minors = minors;
  std::string url = c.central_url;
  r.string("central_url", url, 2048);
  if (std::string url_fault = central_url_fault(url); url_fault.empty()) c.central_url = url;
  else r.fail("central_url", url_fault + "; central sync stays off");
  r.string("central_credentials", c.central_credentials, 4096);
  r.number("central_pull_minutes", c.central_pull_minutes, 1, 1440);
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
          {"idle_seconds", c.idle_seconds},
          {"first_question_idle_seconds", c.first_question_idle_seconds}, {"countdown_seconds", c.countdown_seconds},
          {"finish_seconds", c.finish_seconds}, {"questionnaires", c.questionnaires},
          {"default_lang", c.default_lang}, {"export_dir", c.export_dir},
          {"min_seconds_per_question", c.min_seconds_per_question}, {"utc_offset_minutes", c.utc_offset_minutes},
          {"backup_dir", c.backup_dir}, {"backup_interval_minutes", c.backup_interval_minutes},
          {"backup_keep", c.backup_keep}, {"opening_hours", c.opening_hours},
          {"speech_volume", c.speech_volume},
          {"minors", c.minors},

          {"central_url", c.central_url}, {"central_credentials", c.central_credentials},
          {"central_pull_minutes", c.central_pull_minutes}};
}
}  // namespace

namespace {
constexpr std::size_t kMaxConfigBytes = 1 << 20;

std::string where(const std::string& path, std::string_view text, std::size_t offset) {
  LineCol lc = line_col(text, offset);
  return path + ":" + std::to_string(lc.line) + ":" + std::to_string(lc.column);
}

// nlohmann's message without its "[json.exception.parse_error.101] parse error at
// line 1, column 5: " prefix (the position is given in our own terms).
std::string json_reason(const json::exception& e) {
  std::string what = e.what();
  if (auto c = what.find(", column "); c != std::string::npos && what.find(": ", c) != std::string::npos)
    what = what.substr(what.find(": ", c) + 2);
  else if (auto p = what.find("] "); p != std::string::npos)
    what = what.substr(p + 2);
  // "last read: '…'" may quote the very bytes that are not UTF-8: the position says where.
  if (auto l = what.find("; last read: "); l != std::string::npos) what.resize(l);
  return what;
}

// When the whole file does not parse, each top-level "key": value is parsed alone, so
// one bad value (1e400, a doubled comma, a broken string) costs only its own key.
// Returns the members that parse; reports every one that does not, by line and column.
json recover_members(const std::string& path, const std::string& text, std::vector<std::string>& errors) {
  json out = json::object();
  std::size_t i = text.find_first_not_of(" \t\r\n");
  if (i == std::string::npos || text[i] != '{') {
    errors.push_back(where(path, text, i == std::string::npos ? 0 : i) + ": not a JSON object");
    return out;
  }
  ++i;
  int depth = 0;
  std::size_t start = i;
  bool closed = false;
  for (; i <= text.size(); ++i) {
    char c = i < text.size() ? text[i] : '\0';
    if (c == '"') {
      for (++i; i < text.size() && text[i] != '"'; ++i)
        if (text[i] == '\\') ++i;
      continue;
    }
    if (c == '[' || c == '{') { ++depth; continue; }
    if ((c == ']' || c == '}') && depth > 0) { --depth; continue; }
    bool end_obj = c == '}' && depth == 0;
    if (!(c == ',' && depth == 0) && !end_obj && i < text.size()) continue;
    std::string member = text.substr(start, i - start);
    std::size_t first = member.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) {
      if (!(end_obj && out.empty() && errors.empty()) && !(end_obj && start > 0 && text[start - 1] == '{'))
        errors.push_back(where(path, text, start) + ": an empty member (a doubled or trailing comma?)");
    } else {
      try {
        json one = json::parse("{" + member + "}");
        for (auto& [k, v] : one.items()) out[k] = v;
      } catch (const json::parse_error& e) {
        std::size_t off = start + (e.byte > 1 ? e.byte - 2 : 0);
        errors.push_back(where(path, text, std::min(off, text.size())) + ": " + json_reason(e) + "; this setting is ignored");
      } catch (const json::exception& e) {
        errors.push_back(where(path, text, start + first) + ": " + json_reason(e) + "; this setting is ignored");
      }
    }
    start = i + 1;
    if (end_obj || i >= text.size()) { closed = end_obj; break; }
  }
  if (!closed) errors.push_back(where(path, text, text.size()) + ": the object is not closed with }");
  return out;
}
}  // namespace

ConfigLoad load_config(const std::string& path) {
  ConfigLoad out;
  std::string why;
  std::error_code ec;
  bool exists = std::filesystem::exists(path, ec);
  if (!exists && !ec) return out;  // no file: defaults
  out.file_found = true;
  auto text = read_file(path, &why, kMaxConfigBytes);
  if (!text) {
    out.errors.push_back(path + ": " + why);
    out.kiosk_refused = "the configuration file " + path + " cannot be read (" + why +
                        "), so this kiosk's id is unknown";
    return out;
  }
  json j;
  bool whole = false;
  std::string whole_error;
  JsonLimits limits;
  limits.max_bytes = kMaxConfigBytes;
  limits.max_depth = 8;
  limits.max_string = 8192;
  if (std::string lim = check_json_limits(*text, limits); !lim.empty()) {
    out.errors.push_back(path + ": refused before parsing: " + lim);
    out.kiosk_refused = "the configuration file " + path + " was refused (" + lim + ")";
    return out;
  }
  // A repeated key would win silently (the parser keeps the last): say where, and do
  // not trust a kiosk_id written twice.
  bool kiosk_twice = false;
  for (const DuplicateKey& d : find_duplicate_keys(*text)) {
    out.errors.push_back(where(path, *text, d.offset) + ": \"" + printable(d.key) +
                         "\" appears more than once in the same object; the last one was used");
    if (d.depth == 1 && d.key == "kiosk_id") kiosk_twice = true;
  }
  try {
    j = json::parse(*text);
    whole = j.is_object();
    if (!whole) whole_error = path + ":1:1: not a JSON object; using the defaults";
  } catch (const json::parse_error& e) {
    whole_error = where(path, *text, e.byte > 0 ? e.byte - 1 : 0) + ": " + json_reason(e);
  } catch (const json::exception& e) {
    whole_error = path + ": " + json_reason(e);
  }
  if (!whole) {
    std::vector<std::string> member_errors;
    j = recover_members(path, *text, member_errors);
    // The members say where more precisely; the whole parse's message only when they cannot.
    if (member_errors.empty() && !whole_error.empty()) out.errors.push_back(whole_error);
    out.errors.insert(out.errors.end(), member_errors.begin(), member_errors.end());
    if (!j.empty()) out.errors.push_back(path + ": kept the settings that could be read: " + [&] {
      std::string keys;
      for (const auto& [k, v] : j.items()) keys += (keys.empty() ? "" : ", ") + k;
      return keys;
    }());
  }
  Reader r{j, path, out.errors};
  std::size_t before = out.errors.size();
  read_settings(r, out.config);
  bool kiosk_bad = false;
  for (std::size_t e = before; e < out.errors.size(); ++e)
    if (out.errors[e].find(": kiosk_id: ") != std::string::npos) kiosk_bad = true;
  // Responses saved under another kiosk's id cannot be told apart later: when the
  // file meant to say which kiosk this is cannot be trusted, the kiosk does not start.
  if (kiosk_bad) out.kiosk_refused = "kiosk_id in " + path + " is not valid";
  else if (kiosk_twice) out.kiosk_refused = "kiosk_id appears more than once in " + path + ", so this kiosk's id is unknown";
  else if (!whole && !j.contains("kiosk_id"))
    out.kiosk_refused = path + " could not be read completely and kiosk_id was not among the settings read";
  static const char* known[] = {"kiosk_id", "hall_name", "district_title", "idle_seconds", "first_question_idle_seconds", "countdown_seconds",
                                "finish_seconds", "min_seconds_per_question", "utc_offset_minutes",
                                "backup_dir", "backup_interval_minutes", "backup_keep", "export_dir", "default_lang",
                                "questionnaires", "opening_hours", "speech_volume", "minors",
                                "central_url", "central_credentials", "central_pull_minutes"};
  for (const auto& [k, v] : j.items())
    if (std::find(std::begin(known), std::end(known), k) == std::end(known))
      r.fail(k, "unknown setting (ignored)");
  return out;
}

std::vector<std::string> unknown_questionnaires(const Config& c, const std::vector<std::string>& available) {
  std::vector<std::string> out;
  for (const auto& id : c.questionnaires)
    if (std::find(available.begin(), available.end(), id) == available.end())
      out.push_back("questionnaires: \"" + id + "\" is not a known questionnaire (known: " + [&] {
        std::string k;
        for (const auto& a : available) k += (k.empty() ? "" : ", ") + a;
        return k;
      }() + "); it is not offered");
  return out;
}

}  // namespace eco

namespace eco {

std::vector<std::string> apply_config_json(Config& c, const std::string& settings, const std::string& origin) {
  std::vector<std::string> errors;
  JsonLimits limits;
  limits.max_bytes = kMaxConfigBytes;
  limits.max_depth = 8;
  limits.max_string = 8192;
  if (std::string lim = check_json_limits(settings, limits); !lim.empty()) {
    errors.push_back(origin + ": refused before parsing: " + lim);
    return errors;
  }
  json j;
  try {
    j = json::parse(settings);
  } catch (const json::exception& e) {
    errors.push_back(origin + ": " + json_reason(e));
    return errors;
  }
  if (!j.is_object()) {
    errors.push_back(origin + ": not a JSON object");
    return errors;
  }
  Reader r{j, origin, errors};
  read_settings(r, c);
  return errors;
}

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
  auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty())
    if (std::string e = make_private_dirs(parent.string()); !e.empty()) return e;
  // 0600, fsynced before and after the rename: a power cut leaves the old or the new file.
  return write_file_safely(path, j.dump(2) + "\n");
}

}  // namespace eco
