// `ecokiosk setup`: the first start of a kiosk in a hall, done by its IT person.
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <iostream>
#include <map>
#include <string>

#include "cli/service_commands.hpp"
#include "core/storage/admin_store.hpp"
#include "core/catalog/catalog.hpp"
#include "core/support/config.hpp"
#include "core/support/opening_hours.hpp"
#include "core/storage/store.hpp"
#include "core/support/text.hpp"

namespace eco::cli {

namespace {

// One answer; an empty line keeps `current`. False at the end of input.
bool ask(const std::string& question, const std::string& current, std::string& out) {
  std::cerr << question;
  if (!current.empty()) std::cerr << " [" << current << "]";
  std::cerr << ": " << std::flush;
  std::string line;
  if (!std::getline(std::cin, line)) return false;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  out = line.empty() ? current : line;
  return true;
}

bool good_kiosk_id(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  for (char ch : id)
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '-' && ch != '_' && ch != '.') return false;
  return true;
}

int end_of_input() {
  std::cerr << "\nerror: setup stopped before every answer was given; nothing was changed\n";
  return 2;
}

// The hall's answers: kiosk id, names, opening hours. 0 when all are good, else the exit
// code (the reason said).
int ask_hall(const Config& cfg, Config& out) {
  std::string id, hall_zh, hall_en, hours;
  if (!ask("kiosk id (letters, digits, - _ .)", cfg.kiosk_id, id)) return end_of_input();
  if (!good_kiosk_id(id)) {
    std::cerr << "error: kiosk id \"" << id << "\" must be 1-64 letters, digits, '-', '_' or '.'; nothing was changed\n";
    return 2;
  }
  std::map<std::string, std::string> names = cfg.hall_name;
  if (!ask("hall name in Chinese", names["zh"], hall_zh)) return end_of_input();
  if (!ask("hall name in English", names["en"], hall_en)) return end_of_input();
  for (const auto* h : {&hall_zh, &hall_en})
    if (h->empty() || h->size() > 400 || !valid_utf8(*h)) {
      std::cerr << "error: a hall name must be 1-400 bytes of UTF-8 text; nothing was changed\n";
      return 2;
    }
  if (!ask("opening hours, e.g. mon-fri 08:30-17:30, sat 09:00-12:00 (\"always\": never dark)",
           cfg.opening_hours.empty() ? "always" : cfg.opening_hours, hours))
    return end_of_input();
  if (hours == "always") hours.clear();
  if (std::string why; !parse_opening_hours(hours, &why)) {
    std::cerr << "error: opening hours: " << why << "; nothing was changed\n";
    return 2;
  }
  out.kiosk_id = id;
  out.hall_name["zh"] = hall_zh;
  out.hall_name["en"] = hall_en;
  out.opening_hours = hours;
  return 0;
}

// The admin PIN, twice; empty keeps the one there is. 0 when good, else the exit code.
int ask_pin(bool had_pin, std::string& pin) {
  std::string again;
  if (!ask(had_pin ? "new admin PIN, 6-12 digits (empty keeps the current PIN)" : "admin PIN, 6-12 digits", "", pin))
    return end_of_input();
  if (pin.empty() && had_pin) return 0;
  if (!ask("the PIN again", "", again)) return end_of_input();
  if (pin.size() < 6 || pin.size() > 12 || pin.find_first_not_of("0123456789") != std::string::npos) {
    std::cerr << "error: the PIN must be 6 to 12 digits; nothing was changed\n";
    return 2;
  }
  if (pin != again) {
    std::cerr << "error: the two PIN entries differ; nothing was changed\n";
    return 2;
  }
  return 0;
}

bool has_pin(const std::string& db_path) {
  Store store(db_path);
  Catalog empty;
  return AdminStore(store, empty).has_pin();
}

}  // namespace

int setup(const Common& c) {
  if (installed_build() && geteuid() == 0 && c.db.empty()) {
    // As root the files would land in root's home and the kiosk would never see them.
    std::cerr << "error: run setup as the kiosk's user: sudo -u ecokiosk ecokiosk setup\n";
    return 2;
  }
  std::string config_path = c.config.empty() ? Config::default_path() : c.config;
  ConfigLoad cl = load_config(config_path);
  for (const auto& e : cl.errors) std::cerr << "warning: " << e << "\n";
  Config cfg = cl.config;
  if (int rc = ask_hall(cl.config, cfg)) return rc;
  std::string db_path = c.db_path(), pin;
  if (int rc = ask_pin(has_pin(db_path), pin)) return rc;

  for (const auto& e : check_config(cfg)) {
    std::cerr << "error: " << e << "; nothing was changed\n";
    return 2;
  }
  if (std::string err = save_config(config_path, cfg); !err.empty()) {
    std::cerr << "error: " << err << "\n";
    return 1;
  }
  chmod(config_path.c_str(), 0640);  // the hall's settings are not for every local user
  std::cout << "wrote " << config_path << "\n";
  if (pin.empty()) {
    std::cout << "admin PIN kept\n";
    return 0;
  }
  Store store(db_path);
  Catalog empty;
  // The same API as `set-pin` and the console, so the hash and the audit entry match.
  if (std::string err = AdminStore(store, empty).set_pin(pin, "setup (command line)"); !err.empty()) {
    std::cerr << "error: " << err << "\n";
    return 2;
  }
  std::cout << "admin PIN set in " << db_path << "\n";
  return 0;
}

}  // namespace eco::cli
