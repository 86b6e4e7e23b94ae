// `ecokiosk doctor`: everything a hall's kiosk needs, checked the way the kiosk uses it,
// each as a green or red line with what to do about a red one.
#include <ft2build.h>
#include FT_FREETYPE_H
#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>

#include <nlohmann/json.hpp>

#include "cli/service_commands.hpp"
#include "core/central/credentials.hpp"
#include "core/central/schema.hpp"
#include "core/central/sync.hpp"
#include "core/speech/synth.hpp"
#include "core/storage/store.hpp"
#include "core/support/config.hpp"
#include "core/storage/db_maintenance.hpp"
#include "core/survey/questionnaire_loader.hpp"
#include "core/storage/sqlite.hpp"
#include "core/support/time.hpp"
#include "core/support/text.hpp"
#include "core/support/read_file.hpp"
#include "ui/common/fonts.hpp"

namespace eco::cli {

namespace fs = std::filesystem;

namespace {

enum class State { ok, fail, skipped };
struct Check {
  std::string name;
  State state = State::ok;
  std::string detail, fix;
};

// Every string value in a JSON document: the questionnaires, UI strings and catalog
// hold all the text the kiosk and its console draw.
void collect_strings(const nlohmann::json& j, std::string& out) {
  if (j.is_string()) out += j.get<std::string>();
  else if (j.is_structured())
    for (const auto& v : j) collect_strings(v, out);
}
void collect_file(const fs::path& p, std::string& out) {
  if (auto text = read_file(p.string())) {
    auto j = nlohmann::json::parse(*text, nullptr, false);
    if (!j.is_discarded()) collect_strings(j, out);
  }
}

std::vector<char32_t> code_points(const std::string& s) {
  std::set<char32_t> seen;
  for (std::size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    int n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    char32_t cp = n == 1 ? c : n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
    for (int k = 1; k < n && i + static_cast<std::size_t>(k) < s.size(); ++k)
      cp = (cp << 6) | (static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]) & 0x3F);
    i += static_cast<std::size_t>(n);
    if (cp >= 0x20 && cp != 0x7F) seen.insert(cp);  // control characters are never drawn
  }
  return {seen.begin(), seen.end()};
}

std::string utf8(char32_t cp) {
  std::string s;
  if (cp < 0x80) s += static_cast<char>(cp);
  else if (cp < 0x800) { s += static_cast<char>(0xC0 | (cp >> 6)); s += static_cast<char>(0x80 | (cp & 0x3F)); }
  else if (cp < 0x10000) {
    s += static_cast<char>(0xE0 | (cp >> 12)); s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    s += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    s += static_cast<char>(0xF0 | (cp >> 18)); s += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F)); s += static_cast<char>(0x80 | (cp & 0x3F));
  }
  return s;
}

Check check_questionnaires(const Common& c) {
  Check k{"questionnaires"};
  QuestionnaireSet set = load_questionnaire_dir(c.questionnaire_dir());
  if (set.list.empty() || !set.errors.empty()) {
    k.state = State::fail;
    k.detail = std::to_string(set.list.size()) + " loaded, " + std::to_string(set.errors.size()) + " refused in " +
               c.questionnaire_dir();
    if (!set.errors.empty()) k.detail += " (" + set.errors.front().to_string() + ")";
    k.fix = "run `ecokiosk validate` and correct or reinstall the questionnaires";
  } else {
    k.detail = std::to_string(set.list.size()) + " valid in " + c.questionnaire_dir();
  }
  return k;
}

Check check_config_file(const std::string& path, const ConfigLoad& cl) {
  Check k{"config"};
  if (!cl.file_found) {
    k.state = State::fail;
    k.detail = path + " not found (defaults in use, kiosk id kiosk-01)";
    k.fix = "run `ecokiosk setup` to set the kiosk id, hall name and PIN";
  } else if (!cl.errors.empty()) {
    k.state = State::fail;
    k.detail = cl.errors.front() + (cl.errors.size() > 1 ? " (and " + std::to_string(cl.errors.size() - 1) + " more)" : "");
    k.fix = "correct " + path + " (every key is listed in `man ecokiosk`)";
  } else {
    k.detail = path + ", kiosk id " + cl.config.kiosk_id;
  }
  return k;
}

Check check_display() {
  Check k{"display"};
  const char* wl = std::getenv("WAYLAND_DISPLAY");
  const char* x = std::getenv("DISPLAY");
  if ((wl && *wl) || (x && *x)) {
    glfwSetErrorCallback(nullptr);
    if (glfwInit()) {
      GLFWmonitor* m = glfwGetPrimaryMonitor();
      const GLFWvidmode* mode = m ? glfwGetVideoMode(m) : nullptr;
      k.detail = std::string("window system reachable (") + (x && *x ? std::string("DISPLAY=") + x : "Wayland") + ")";
      if (mode) k.detail += ", screen " + std::to_string(mode->width) + "x" + std::to_string(mode->height);
      glfwTerminate();
    } else {
      k.state = State::fail;
      k.detail = "cannot open the window system named by DISPLAY/WAYLAND_DISPLAY";
      k.fix = "check the session (systemctl status ecokiosk) or unset DISPLAY to check the console instead";
    }
    return k;
  }
  // From a console or ssh: what cage will need when the unit starts it on tty1.
  bool drm = false;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/dev/dri", ec))
    if (e.path().filename().string().rfind("card", 0) == 0) drm = true;
  bool cage = access("/usr/bin/cage", X_OK) == 0;
  if (drm && cage) {
    k.detail = "no session here; /dev/dri has a graphics card and cage is installed";
  } else {
    k.state = State::fail;
    k.detail = std::string(drm ? "" : "no graphics card in /dev/dri") + (drm || cage ? "" : "; ") +
               (cage ? "" : "cage is not installed");
    k.fix = cage ? "check the graphics driver (ls /dev/dri; dmesg | grep drm)" : "apt install cage xwayland";
  }
  return k;
}

Check check_fonts(const Common& c, const Config& cfg, const std::string& font) {
  Check k{"fonts"};
  ui::FontFile ff = ui::find_cjk_font(font);
  if (ff.path.empty() || !fs::exists(ff.path)) {
    k.state = State::fail;
    k.detail = font.empty() ? "no Chinese font found through fontconfig" : "font file " + font + " not found";
    k.fix = font.empty() ? "apt install fonts-noto-cjk" : "give --font an existing file, or omit it";
    return k;
  }
  std::string text;
  std::error_code ec;
  for (const char* dir : {"/questionnaires", "/questionnaires/blocks", "/assets/i18n"})
    for (const auto& e : fs::directory_iterator(c.data_dir + dir, ec))
      if (e.path().extension() == ".json") collect_file(e.path(), text);
  collect_file(c.data_dir + "/assets/indicators.json", text);
  for (const auto& [l, s] : cfg.hall_name) text += s;
  for (const auto& [l, s] : cfg.district_title) text += s;
  FT_Library lib = nullptr;
  FT_Face face = nullptr;
  if (FT_Init_FreeType(&lib) || FT_New_Face(lib, ff.path.c_str(), ff.index, &face)) {
    if (lib) FT_Done_FreeType(lib);
    k.state = State::fail;
    k.detail = ff.path + " cannot be read as a font";
    k.fix = "reinstall the font package (apt install --reinstall fonts-noto-cjk)";
    return k;
  }
  std::vector<char32_t> cps = code_points(text), missing;
  for (char32_t cp : cps)
    if (FT_Get_Char_Index(face, cp) == 0) missing.push_back(cp);
  FT_Done_Face(face);
  FT_Done_FreeType(lib);
  if (missing.empty()) {
    k.detail = ff.path + " has all " + std::to_string(cps.size()) + " characters the kiosk shows";
  } else {
    k.state = State::fail;
    k.detail = ff.path + " lacks " + std::to_string(missing.size()) + " of " + std::to_string(cps.size()) +
               " characters:";
    for (std::size_t i = 0; i < missing.size() && i < 12; ++i) k.detail += " " + utf8(missing[i]);
    k.fix = "install fonts-noto-cjk, or reword the text that uses them";
  }
  return k;
}

// The database: present, sound, writable; and the PIN inside it.
void check_database(const std::string& path, std::vector<Check>& out) {
  Check db{"database"}, pin{"pin"};
  fs::path folder = fs::path(path).parent_path();
  if (folder.empty()) folder = ".";
  if (!fs::exists(path)) {
    if (access(folder.c_str(), W_OK) == 0) {
      db.detail = path + " not created yet; its folder is writable";
    } else {
      db.state = State::fail;
      db.detail = "cannot create " + path + ": the folder is not writable by this user";
      db.fix = "chown ecokiosk " + folder.string() + " (or run as the kiosk's user: sudo -u ecokiosk ...)";
    }
    pin.state = State::fail;
    pin.detail = "no database yet, so no PIN";
    pin.fix = "run `ecokiosk setup` (or `ecokiosk set-pin`)";
    out.push_back(db);
    out.push_back(pin);
    return;
  }
  if (access(folder.c_str(), W_OK) != 0 || access(path.c_str(), W_OK) != 0) {
    // SQLite writes its journal beside the file, so the folder must be writable too.
    db.state = State::fail;
    db.detail = path + " or its folder is not writable by this user: responses could not be saved";
    db.fix = "chown -R ecokiosk " + folder.string() + " && chmod 0700 " + folder.string();
    pin.state = State::skipped;
    pin.detail = "the database could not be opened for writing";
    out.push_back(db);
    out.push_back(pin);
    return;
  }
  try {
    Db d(path, false, false);
    std::string qc;
    {
      Stmt s(d, "PRAGMA quick_check");
      if (s.step()) qc = std::string(s.text(0));
    }
    if (qc != "ok") {
      std::replace(qc.begin(), qc.end(), '\n', ' ');
      db.state = State::fail;
      db.detail = path + " fails its integrity check: " + utf8_truncate(qc, 160);
      db.fix = "stop the kiosk and `ecokiosk restore` the newest backup";
    } else {
      d.exec("BEGIN IMMEDIATE");  // takes the write lock as a save would, then lets go
      d.exec("ROLLBACK");
      db.detail = path + " passes its integrity check and is writable (" +
                  std::to_string(d.scalar("SELECT count(*) FROM sqlite_master WHERE name='responses'") ? 
                                 d.scalar("SELECT count(*) FROM responses") : 0) + " responses)";
    }
    bool has = false;
    try {
      has = d.scalar("SELECT pin_hash IS NOT NULL FROM admin_auth WHERE id=1") != 0;
    } catch (const DbError&) {
    }
    if (has) {
      pin.detail = "set";
    } else {
      pin.state = State::fail;
      pin.detail = "no admin PIN: staff cannot open the console";
      pin.fix = "run `ecokiosk setup` (or `ecokiosk set-pin`)";
    }
  } catch (const DbError& e) {
    db.state = State::fail;
    db.detail = utf8_truncate(e.what(), 200);
    db.fix = "check the file's owner and permissions, or `ecokiosk restore` the newest backup";
    pin.state = State::skipped;
    pin.detail = "the database could not be read";
  }
  out.push_back(db);
  out.push_back(pin);
}

Check check_disk(const std::string& db_path, double min_free_mb) {
  Check k{"disk"};
  fs::path folder = fs::path(db_path).parent_path();
  while (!folder.empty() && !fs::exists(folder)) folder = folder.parent_path();
  struct statvfs st {};
  if (statvfs(folder.empty() ? "." : folder.c_str(), &st) != 0) {
    k.state = State::fail;
    k.detail = "cannot read the free space of " + folder.string();
    k.fix = "check that the disk is mounted";
    return k;
  }
  double free_mb = static_cast<double>(st.f_bavail) * static_cast<double>(st.f_frsize) / (1024.0 * 1024.0);
  k.detail = std::to_string(static_cast<long long>(free_mb)) + " MB free on " + folder.string();
  if (free_mb < min_free_mb) {
    k.state = State::fail;
    k.detail += " (needs " + std::to_string(static_cast<long long>(min_free_mb)) + " MB)";
    k.fix = "delete old exports or move backups (backup_dir) to a larger disk";
  }
  return k;
}

Check check_backups(const Common& c, const Config& cfg) {
  Check k{"backups"};
  std::string folder = backup_folder(c, cfg.backup_dir);
  if (cfg.backup_interval_minutes == 0) {
    k.state = State::fail;
    k.detail = "automatic backups are off (backup_interval_minutes is 0)";
    k.fix = "set backup_interval_minutes (60 is the default) in the configuration";
    return k;
  }
  if (!fs::exists(c.db_path())) {
    k.state = State::skipped;
    k.detail = "no database yet";
    return k;
  }
  auto list = list_backups(folder);
  if (list.empty()) {
    k.state = State::fail;
    k.detail = "no backups in " + folder;
    k.fix = "run `ecokiosk backup` now; the running kiosk makes one every " +
            std::to_string(cfg.backup_interval_minutes) + " minutes";
    return k;
  }
  std::error_code ec;
  auto t = fs::last_write_time(list.back(), ec);
  double age_min = std::chrono::duration<double>(fs::file_time_type::clock::now() - t).count() / 60.0;
  double limit = 2.0 * cfg.backup_interval_minutes + 15;  // one missed round is a warning sign, two is red
  k.detail = "newest " + fs::path(list.back()).filename().string() + ", " +
             std::to_string(static_cast<long long>(age_min)) + " minutes old, " + std::to_string(list.size()) + " kept";
  if (ec || age_min > limit) {
    k.state = State::fail;
    k.detail += " (older than " + std::to_string(static_cast<long long>(limit)) + " minutes)";
    k.fix = "check the journal (journalctl -u ecokiosk | grep backup) and free space; run `ecokiosk backup`";
  }
  return k;
}

// Months are 0-based in struct tm; __DATE__ is "Nov 29 2026".
std::time_t build_day() {
  static const char* months = "JanFebMarAprMayJunJulAugSepOctNovDec";
  std::string d = __DATE__;
  std::tm tm{};
  tm.tm_mon = static_cast<int>(std::string(months).find(d.substr(0, 3)) / 3);
  tm.tm_mday = std::atoi(d.substr(4, 2).c_str());
  tm.tm_year = std::atoi(d.substr(7, 4).c_str()) - 1900;
  return timegm(&tm);
}

Check check_clock(const Config& cfg) {
  Check k{"clock"};
  TimeMs now = now_ms();
  TimeMs built = static_cast<TimeMs>(build_day()) * 1000;
  k.detail = to_local_text(now, cfg.utc_offset_minutes) + " district time";
  if (now < built - 86400000LL || now > 4102444800000LL) {  // before this program was built, or after 2100
    k.state = State::fail;
    k.detail += ": impossible (this program was built " + std::string(__DATE__) + ")";
    k.fix = "set the time (timedatectl set-time / set-ntp true); responses are stamped with it";
    return k;
  }
  if (fs::exists("/run/systemd/timesync/synchronized")) k.detail += ", synchronized";
  return k;
}

Check check_audio() {
  Check k{"audio"};
  std::error_code ec;
  int outputs = 0;
  for (const auto& e : fs::directory_iterator("/dev/snd", ec)) {
    std::string n = e.path().filename().string();
    if (n.rfind("pcmC", 0) == 0 && n.back() == 'p') ++outputs;
  }
  // The kiosk loads espeak-ng only at the first reading (issue 20): checked here instead.
  if (std::string e = speech::synth_init(); !e.empty()) {
    k.state = State::fail;
    k.detail = e;
    k.fix = "apt-get install --reinstall libespeak-ng1 espeak-ng-data";
  } else if (outputs) {
    k.detail = std::to_string(outputs) + " sound output device(s) in /dev/snd; espeak-ng and its voices load";
  } else {
    k.state = State::fail;
    k.detail = "no sound output device";
    k.fix = "connect the speakers and check `aplay -l`; or `ecokiosk doctor --skip audio` on a silent kiosk";
  }
  return k;
}

// What to do about each way the center can fail (core/central/pg.hpp's statuses).
std::string central_fix(central::Status st, const std::string& cred_path) {
  using central::Status;
  switch (st) {
    case Status::refused: return "check the network cable and that the center is up (ask district IT); the kiosk keeps its responses and retries";
    case Status::dns: return "check the host name in central_url and the kiosk's DNS (resolvectl query HOST)";
    case Status::tls: return "copy the district CA's certificate to the path sslrootcert names in central_url, and dial the name on the center's certificate";
    case Status::tls_expired: return "district IT must renew the center's certificate; nothing is lost meanwhile";
    case Status::auth:
      return "district IT runs `ecokiosk central add-kiosk ID --url ... --config " + cred_path.substr(0, cred_path.rfind('/') + 1) +
             "config.json` again (a new password), or `chmod 600 " + cred_path + "` when the file is readable by others";
    case Status::not_initialised: return "district IT runs `ecokiosk central init --url ...` once on the center";
    case Status::schema_older: return "district IT runs `ecokiosk central init --url ...` with this version to migrate the center";
    case Status::schema_newer: return "update this kiosk's ecokiosk package: the center is newer";
    default: return "see `journalctl -u ecokiosk | grep central` and run `ecokiosk sync` for details";
  }
}

// central_url set? A sound credentials file (0600, no link)? The center reachable with
// them, at this program's schema? How many responses wait to be sent?
Check check_central(const Common& c, const std::string& config_path, const Config& cfg) {
  Check k{"central-store"};
  if (cfg.central_url.empty()) {
    k.state = State::skipped;
    k.detail = "not configured (central_url is empty): responses stay on this kiosk and go by USB";
    return k;
  }
  if (std::string why = central_url_fault(cfg.central_url); !why.empty()) {
    k.state = State::fail;
    k.detail = "central_url: " + why;
    k.fix = "correct central_url in " + config_path + " (district IT's add-kiosk writes it)";
    return k;
  }
  std::string waiting;
  if (fs::exists(c.db_path())) {
    try {
      Store store(c.db_path(), Store::ReadOnly{});
      central::SyncState st = central::read_sync_state(store, cfg.kiosk_id);
      waiting = std::to_string(st.waiting) + " waiting to be sent";
      waiting += st.last_contact ? ", last contact " + to_local_text(st.last_contact, cfg.utc_offset_minutes)
                                 : ", never in contact yet";
    } catch (const std::exception& e) {
      waiting = std::string("waiting count unknown (") + e.what() + ")";
    }
  }
  const std::string cred_path = central::credentials_path(config_path, cfg.central_credentials);
  central::Status st = central::Status::ok;
  std::string words;
  int version = 0;
  std::string refusal;  // PgError::sqlstate: check_login_kiosk's own refusals have their own fix
  central::CredentialsRead cr = central::read_credentials(cred_path);
  if (!cr.error.empty()) {
    st = central::Status::auth;
    words = cr.error;
  } else {
    try {
      central::Conn pg(cfg.central_url, {{"user", cr.cr.user}, {"password", cr.cr.password}, {"connect_timeout", "5"}});
      central::SchemaState ss = central::check_schema(pg);
      version = ss.version;
      if (ss.status != central::Status::ok) {
        st = ss.status;
        words = "the center has " + ss.words();
      } else {
        central::check_login_kiosk(pg, cfg.kiosk_id);  // as the sync does before it sends
      }
    } catch (const central::PgError& e) {
      st = e.status;
      words = e.what();
      refusal = e.sqlstate;
    }
  }
  if (st != central::Status::ok) {
    // libpq's messages run over several lines; the check is one.
    std::replace(words.begin(), words.end(), '\n', ' ');
    while (!words.empty() && words.back() == ' ') words.pop_back();
    k.state = State::fail;
    k.detail = central::status_words(st) + " (status " + central::status_name(st) + ": " + words + ")";
    if (!waiting.empty()) k.detail += "; " + waiting;
    if (refusal == central::kKioskIdMismatch)
      k.fix = "set kiosk_id in " + config_path + " back to the kiosk this login belongs to (named above); an add-kiosk "
              "for a new id would leave what waits under the old one unsent";
    else if (refusal == central::kKioskIdUnknown)
      k.fix = "district IT runs `ecokiosk central add-kiosk " + cfg.kiosk_id + " --url ... --config " + config_path +
              "`: a kiosk logs in with its own credentials";
    else
      k.fix = central_fix(st, cred_path);
    return k;
  }
  k.detail = "reachable as " + cr.cr.user + ", schema version " + std::to_string(version);
  if (!waiting.empty()) k.detail += "; " + waiting;
  return k;
}

}  // namespace

int doctor(const Common& c, const DoctorArgs& a) {
  std::string config_path = c.config.empty() ? Config::default_path() : c.config;
  ConfigLoad cl = load_config(config_path);
  const Config& cfg = cl.config;
  std::vector<Check> checks;
  checks.push_back(check_config_file(config_path, cl));
  checks.push_back(check_questionnaires(c));
  checks.push_back(check_display());
  checks.push_back(check_fonts(c, cfg, a.font));
  check_database(c.db_path(), checks);
  checks.push_back(check_disk(c.db_path(), a.min_free_mb));
  checks.push_back(check_backups(c, cfg));
  checks.push_back(check_clock(cfg));
  checks.push_back(check_audio());
  checks.push_back(check_central(c, config_path, cfg));
  for (auto& k : checks)
    if (std::find(a.skip.begin(), a.skip.end(), k.name) != a.skip.end()) {
      k.state = State::skipped;
      k.detail = "skipped (--skip)";
    }

  bool color = isatty(1);
  auto paint = [&](const char* code, const std::string& s) { return color ? "\033[" + std::string(code) + "m" + s + "\033[0m" : s; };
  int failed = 0;
  for (const auto& k : checks) {
    if (k.state == State::ok) std::cout << paint("32", "[ ok ]");
    else if (k.state == State::fail) std::cout << paint("31", "[FAIL]"), ++failed;
    else std::cout << paint("33", "[skip]");
    std::cout << " " << k.name << ": " << k.detail << "\n";
    if (k.state == State::fail) std::cout << "       fix: " << k.fix << "\n";
  }
  std::cout << (failed ? std::to_string(failed) + " problem(s) found" : std::string("all checks passed")) << "\n";
  return failed ? 1 : 0;
}

}  // namespace eco::cli
