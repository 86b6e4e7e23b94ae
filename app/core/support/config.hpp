// Kiosk configuration: a struct with defaults, read from a JSON file, every value
// range-checked. A bad value keeps its default and yields a message naming it.
#pragma once
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace eco {

// The longest quiet time a setting allows before "still there?" (and what a long page's
// reading time may lengthen it to).
inline constexpr int kIdleSecondsMax = 600;

struct Config {
  std::string kiosk_id = "kiosk-01";
  std::map<std::string, std::string> hall_name = {{"zh", "区政务服务中心"}, {"en", "District Service Hall"}};
  std::map<std::string, std::string> district_title = {
      {"zh", "黔江区创建国家生态文明建设示范区"},
      {"en", "Qianjiang: National Ecological Civilization Demonstration Zone"}};
  int idle_seconds = 60;        // quiet time before "still there?"
  // On the first question a resident has given nothing yet and the next person may be
  // waiting: "still there?" comes sooner there.
  int first_question_idle_seconds = 20;
  int countdown_seconds = 15;   // the overlay's countdown
  int finish_seconds = 30;      // the thanks screen returns to welcome after this long untouched
  std::vector<std::string> questionnaires = {"knowledge", "satisfaction", "green-travel"};
  std::string default_lang = "zh";
  std::string export_dir;       // "" = ~/EcoKiosk-exports
  double min_seconds_per_question = 2.0;  // faster completions are flagged (indicators)
  int utc_offset_minutes = 480;           // the district's clock for days and months (UTC+8)
  std::string backup_dir;                 // "" = next to the database, in backups/
  int backup_interval_minutes = 60;       // 0 = no automatic backups
  int backup_keep = 48;                   // newest backups kept
  std::string opening_hours;              // "" = always open; else "mon-fri 08:30-17:30, sat 09:00-12:00"
  int speech_volume = 80;                 // read-aloud loudness in percent; 0 turns read-aloud off
  // A resident who answers 18岁以下: "notice" shows a short notice (answers are kept and
  // can be left out of the indicators), "ask_parent" asks them to fetch a parent first.
  std::string minors = "notice";
  // Central sync (core/central): off while central_url is "". The URL names no user
  // or password; those are in the credentials file (0600), by default
  // central-credentials.json beside the configuration file.
  std::string central_url;                // postgresql://host:port/db?sslmode=verify-full&sslrootcert=...
  std::string central_credentials;        // "" = central-credentials.json beside config.json
  // How often a kiosk asks the center for published questionnaires and settings (and
  // once at start); what it got last is kept beside config.json for a restart offline.
  int central_pull_minutes = 5;

  static std::string default_path();  // $XDG_CONFIG_HOME/ecokiosk/config.json
};

struct ConfigLoad {
  Config config;
  std::vector<std::string> errors;  // "config.json: idle_seconds: 3 is outside 10..600"
  bool file_found = false;
  // Why the kiosk must not start ("" = it may): the file exists but its kiosk_id is
  // bad or could not be read, so responses would be stored under the wrong kiosk.
  std::string kiosk_refused;
};

// A missing file is not an error: the defaults apply. A file that does not parse is
// reported by line and column, and every setting that can still be read is kept.
ConfigLoad load_config(const std::string& path);
// Ids in c.questionnaires that are not among `available`, one message each.
std::vector<std::string> unknown_questionnaires(const Config& c, const std::vector<std::string>& available);

// Why url cannot be a central_url ("" when it can, and when it is empty: sync off).
std::string central_url_fault(std::string_view url);
// The name of one query parameter ("a=b": "a") with its %XX escapes decoded, as libpq
// reads it: "%70assword=x" is a password too.
std::string url_param_name(std::string_view param);
// The query parameters of a URL ("a=1&b=2" after its '?'), as they stand, empty ones
// included: views into url.
std::vector<std::string_view> url_query_params(std::string_view url);

// The same range checks for a Config built in code (the console's settings page).
std::vector<std::string> check_config(const Config& c);
// Settings from elsewhere (the center's, issue 17) laid over c with the same range
// checks as the file's: `settings` is a JSON object's text. A bad value keeps c's and
// yields a message starting with `origin`; returns the messages.
std::vector<std::string> apply_config_json(Config& c, const std::string& settings, const std::string& origin);
// Writes every setting as JSON (under a temporary name, then renamed). "" on success.
std::string save_config(const std::string& path, const Config& c);

}  // namespace eco
