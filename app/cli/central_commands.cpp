// `ecokiosk central init`, `central add-kiosk` and `ecokiosk sync` (issue 16).
#include <filesystem>
#include <iostream>

#include "cli/central_failure.hpp"
#include "cli/commands.hpp"
#include "core/central/publish.hpp"
#include "core/central/credentials.hpp"
#include "core/central/schema.hpp"
#include "core/central/sync.hpp"
#include "core/storage/store.hpp"
#include "core/support/config.hpp"
#include "core/support/ids.hpp"

namespace eco::cli {

int central_init(const std::string& url, int target_version) {
  try {
    central::Conn admin(url);
    central::InitReport r =
        central::init_schema(admin, target_version > 0 ? target_version : central::kCentralSchemaVersion);
    if (r.from == r.to) std::cout << "central: schema version " << r.to << " already current; nothing to do\n";
    else if (r.from == 0) std::cout << "central: created schema version " << r.to << "\n";
    else std::cout << "central: migrated schema version " << r.from << " -> " << r.to << "\n";
    return 0;
  } catch (const central::PgError& e) {
    print_failure(e);
    return 1;
  }
}

int central_add_kiosk(const Common& c, const std::string& kiosk_id, const std::string& url, std::string kiosk_url) {
  if (std::string why = kiosk_id_fault(kiosk_id); !why.empty()) {
    std::cerr << "error: kiosk id " << why << "\n";
    return 2;
  }
  const std::string config_path = c.config_path();
  Config cfg;
  cfg.kiosk_id = kiosk_id;
  if (std::filesystem::exists(std::filesystem::symlink_status(config_path))) {
    ConfigLoad cl = load_config(config_path);
    for (const auto& e : cl.errors) std::cerr << "warning: " << e << "\n";
    if (!cl.kiosk_refused.empty()) {
      std::cerr << "error: " << cl.kiosk_refused << "; fix it before adding the kiosk to the center\n";
      return 1;
    }
    if (cl.config.kiosk_id != kiosk_id) {
      std::cerr << "error: " << config_path << " is kiosk \"" << cl.config.kiosk_id << "\", not \"" << kiosk_id
                << "\"; nothing was changed\n";
      return 1;
    }
    cfg = cl.config;
  }
  if (kiosk_url.empty()) kiosk_url = central::url_without_login(url);
  if (std::string why = central_url_fault(kiosk_url); !why.empty()) {
    std::cerr << "error: the kiosk's central_url " << why << " (give --kiosk-url)\n";
    return 2;
  }
  std::string cred_path = central::credentials_path(config_path, cfg.central_credentials);
  // Refused before the center is touched, so a planted link costs nothing.
  if (std::error_code ec; std::filesystem::is_symlink(std::filesystem::symlink_status(cred_path, ec))) {
    std::cerr << "error: " << cred_path << " is a link; not replaced and nothing was changed\n";
    return 1;
  }
  try {
    central::Conn admin(url);
    auto hall = [&](const char* lang) {
      auto it = cfg.hall_name.find(lang);
      return it == cfg.hall_name.end() ? std::string() : it->second;
    };
    central::KioskCredentials cr = central::add_kiosk(admin, kiosk_id, hall("zh"), hall("en"));
    if (std::string e = central::write_credentials(cred_path, cr); !e.empty()) {
      std::cerr << "error: " << e << " (the role " << cr.user << " exists; run add-kiosk again to give it a new password)\n";
      return 1;
    }
    cfg.central_url = kiosk_url;
    if (std::string e = save_config(config_path, cfg); !e.empty()) {
      std::cerr << "error: " << e << "\n";
      return 1;
    }
    std::cout << "central: kiosk \"" << kiosk_id << "\" logs in as " << cr.user << "\n  credentials: " << cred_path
              << " (0600)\n  central_url: " << kiosk_url << " (in " << config_path << ")\n";
    return 0;
  } catch (const central::PgError& e) {
    print_failure(e);
    return 1;
  }
}

int sync(const Common& c, int batch, int nice, bool idle) {
  const std::string config_path = c.config_path();
  ConfigLoad cl = load_config(config_path);
  for (const auto& e : cl.errors) std::cerr << "warning: " << e << "\n";
  if (!cl.kiosk_refused.empty()) {
    std::cerr << "error: " << cl.kiosk_refused << "\n";
    return 1;
  }
  if (cl.config.central_url.empty()) {
    std::cerr << "error: " << central::status_words(central::Status::off) << " in " << config_path << "\n";
    return 1;
  }
  std::string db = c.db_path();
  if (!std::filesystem::exists(db)) {
    std::cerr << "error: no database at " << db << "; nothing to send\n";
    return 1;
  }
  central::SyncSettings s;
  s.url = cl.config.central_url;
  s.credentials_path = central::credentials_path(config_path, cl.config.central_credentials);
  s.kiosk_id = cl.config.kiosk_id;
  s.batch = batch;
  // Like the kiosk: the center's questionnaires and settings are pulled, checked and kept
  // beside the configuration, and the heartbeat names the versions now offered.
  s.published_path = central::published_path(config_path);
  const QuestionnaireSet installed = load_questionnaire_dir(c.data_dir + "/questionnaires");
  central::SyncWorker* worker = nullptr;
  auto offer_of = [&](const central::Published& p) {
    central::KioskOffer o = central::build_offer(installed, cl.config, p);
    for (const auto& e : o.problems) std::cerr << "published: " << e << "\n";
    if (worker) worker->set_running(central::offered_versions(*o.set, o.config));
  };
  s.on_published = offer_of;
  central::SyncWorker w(db, s);
  worker = &w;
  if (auto kept = central::load_published(s.published_path, nullptr)) offer_of(*kept);
  else w.set_running(central::offered_versions(installed, cl.config));
  central::lower_thread_priority(nice);
  w.set_readers_idle(idle);
  central::SyncReport r = w.run_once();
  std::cout << "sync: sent " << r.sent << ", already there " << r.already << ", conflicts " << r.conflicts
            << ", abandoned sessions sent " << r.abandoned_sent << "; waiting " << r.waiting << "\n";
  if (r.passed_over > 0)
    std::cout << "passed over " << r.passed_over << " record(s) of other kiosk ids (brought by USB from another kiosk, "
              << "or saved here under an earlier kiosk_id): only that kiosk's own login sends them\n";
  if (r.pulled)
    std::cout << "published: " << (r.published_changed ? "new: " : "unchanged: ") << r.published << "\n";
  for (const auto& e : r.pull_problems) std::cerr << "published: " << e << "\n";
  // Exit 0 only when everything was sent as it is here: a conflict's version was not
  // taken (the center keeps its first copy and records this one for district IT).
  if (r.all_sent() && r.conflicts > 0) {
    std::cerr << "note: " << r.conflicts << " record(s) differ from the center's copies of the same ids; the center "
              << "kept its copies and recorded these as conflicts for district IT\n";
    return 3;
  }
  if (r.all_sent()) return 0;
  if (r.status != central::Status::ok)
    std::cerr << "error: " << central::status_words(r.status) << "\n  status: " << central::status_name(r.status)
              << "\n  " << r.detail << "\n  nothing unsent was marked sent\n";
  return 1;
}

}  // namespace eco::cli
