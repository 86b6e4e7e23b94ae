// Questionnaires and settings from the center (issue 17): `central publish FILE…`,
// `central withdraw ID VERSION`, `central settings --hall H|--kiosk K key=value…` and
// `central published`. Files are checked by the kiosk's own loader before anything is
// sent; what an account may do is the engine's business (schema_publish.cpp).
#include <iostream>

#include "cli/central_failure.hpp"
#include "cli/commands.hpp"
#include "core/central/publish.hpp"
#include "core/support/time.hpp"

namespace eco::cli {

int central_publish(const std::string& url, const std::vector<std::string>& files) {
  // Every file first: one refused file stops them all, before the center hears of any.
  std::vector<central::PublishCheck> checked;
  bool refused = false;
  for (const auto& f : files) {
    central::PublishCheck c = central::check_for_publish(f);
    if (!c.ok()) {
      refused = true;
      std::cerr << "refused: " << f << "\n";
      for (const auto& e : c.errors) std::cerr << "  " << e << "\n";
    }
    checked.push_back(std::move(c));
  }
  if (refused) {
    std::cerr << "error: nothing was published (fix the file" << (files.size() > 1 ? "s" : "")
              << " above; `ecokiosk validate FILE` shows the same checks)\n";
    return 1;
  }
  try {
    central::Conn admin(url);
    std::vector<std::string> said;
    {
      central::Txn t(admin);  // all the files or none
      for (const auto& c : checked)
        said.push_back(central::publish(admin, c));
      t.commit();
    }
    for (std::size_t i = 0; i < checked.size(); ++i) {
      const auto& c = checked[i];
      std::string what = said[i] == "published"    ? "published"
                         : said[i] == "reinstated" ? "published again (it had been withdrawn)"
                                                   : "already published with this content; nothing changed";
      std::cout << c.questionnaire << " version " << c.version << " (" << c.content_hash.substr(0, 12) << "): " << what
                << "\n";
    }
    std::cout << "kiosks take it at their next pull, from the next resident on\n";
    return 0;
  } catch (const central::PgError& e) {
    print_failure(e);
    std::cerr << "  nothing was published\n";
    return 1;
  }
}

int central_withdraw(const std::string& url, const std::string& questionnaire, int version) {
  try {
    central::Conn admin(url);
    std::string r = central::withdraw(admin, questionnaire, version);
    std::cout << questionnaire << " version " << version
              << (r == "withdrawn" ? ": withdrawn; kiosks stop offering it from the next resident on (a survey under "
                                     "way finishes on it)"
                                   : ": was already withdrawn; nothing changed")
              << "\n";
    return 0;
  } catch (const central::PgError& e) {
    print_failure(e);
    return 1;
  }
}

int central_settings(const std::string& url, const std::string& hall, const std::string& kiosk,
                     const std::vector<std::string>& assignments) {
  if (hall.empty() == kiosk.empty()) {
    std::cerr << "error: give one of --hall HALL (its Chinese name, as given to add-kiosk) or --kiosk ID\n";
    return 2;
  }
  central::SettingsParse sp = central::parse_settings(assignments);
  if (!sp.errors.empty()) {
    for (const auto& e : sp.errors) std::cerr << "error: " << e << "\n";
    std::cerr << "  nothing was changed\n";
    return 1;
  }
  const std::string scope = hall.empty() ? "kiosk" : "hall", name = hall.empty() ? kiosk : hall;
  try {
    central::Conn admin(url);
    central::set_settings(admin, scope, name, sp.changes);
    central::Result r = admin.exec("SELECT key, value::text, set_by FROM kiosk_settings WHERE scope = $1 AND name = $2 "
                                   "ORDER BY key",
                                   {scope, name});
    std::cout << scope << " " << name << ": " << (r.rows() ? "" : "no settings of its own") << "\n";
    for (int i = 0; i < r.rows(); ++i)
      std::cout << "  " << r.text(i, 0) << " = " << r.text(i, 1) << "  (set by " << r.text(i, 2) << ")\n";
    if (!sp.changes.empty()) std::cout << "kiosks take it at their next pull, from the next resident on\n";
    return 0;
  } catch (const central::PgError& e) {
    print_failure(e);
    std::cerr << "  nothing was changed\n";
    return 1;
  }
}

int central_published(const std::string& url) {
  try {
    central::Conn conn(url);
    for (const auto& p : central::list_published(conn)) {
      std::cout << p.questionnaire << " version " << p.version << " (" << p.content_hash.substr(0, 12)
                << ") published by " << p.published_by << " " << to_iso_utc(p.published_at);
      if (p.withdrawn_at) std::cout << ", WITHDRAWN by " << p.withdrawn_by << " " << to_iso_utc(p.withdrawn_at);
      std::cout << "\n";
    }
    return 0;
  } catch (const central::PgError& e) {
    print_failure(e);
    return 1;
  }
}

}  // namespace eco::cli
