// The district console's commands (issue 17): `central add-user`, `central
// import-records`, `--central URL fleet` and `--central URL audit verify`.
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/central_failure.hpp"
#include "cli/commands.hpp"
#include "core/catalog/catalog.hpp"
#include "core/central/alerts.hpp"
#include "core/central/district.hpp"
#include "core/storage/store.hpp"
#include "core/support/text.hpp"
#include "core/support/time.hpp"

namespace eco::cli {

namespace {
std::optional<Catalog> catalog_of(const Common& c) {
  CatalogLoad cat = load_catalog(c.data_dir + "/assets/indicators.json");
  for (const auto& e : cat.errors) std::cerr << "error: " << e << "\n";
  return cat.catalog;
}

std::string strip_line_end(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

// The new account's password: from a file only its owner may read, or standard input
// (asked twice, without echo, at a terminal). Never from the command line, where
// `ps` and the shell's history would show it.
std::optional<std::string> read_password(const std::string& file) {
  if (!file.empty()) {
    struct stat st {};
    if (lstat(file.c_str(), &st) != 0) {
      std::cerr << "error: cannot read " << file << "\n";
      return std::nullopt;
    }
    if (!S_ISREG(st.st_mode)) {
      std::cerr << "error: " << file << " is not a regular file (a link is refused)\n";
      return std::nullopt;
    }
    if ((st.st_mode & 077) != 0) {
      std::cerr << "error: " << file << " may be read by others; chmod 600 it first\n";
      return std::nullopt;
    }
    std::ifstream in(file, std::ios::binary);
    std::string line;
    std::getline(in, line);
    return strip_line_end(line);
  }
  const bool tty = isatty(STDIN_FILENO);
  termios old {};
  auto ask = [&](const char* prompt) {
    std::string line;
    if (tty) {
      std::cerr << prompt << std::flush;
      tcgetattr(STDIN_FILENO, &old);
      termios quiet = old;
      quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
      tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    }
    std::getline(std::cin, line);
    if (tty) {
      tcsetattr(STDIN_FILENO, TCSANOW, &old);
      std::cerr << "\n";
    }
    return strip_line_end(line);
  };
  std::string pw = ask("password for the new account: ");
  if (tty && ask("the same password again: ") != pw) {
    std::cerr << "error: the two passwords differ; nothing was changed\n";
    return std::nullopt;
  }
  return pw;
}

std::string ms_text(TimeMs t) { return to_local_text(t, 480); }
}  // namespace

int central_init_units(const Common& c, const std::string& url) {
  auto cat = catalog_of(c);
  if (!cat) return 1;
  try {
    central::Conn admin(url);
    if (central::check_schema(admin).version < 5) return 0;  // an older center has no departments yet
    central::UnitsReport r = central::load_catalog_units(admin, *cat);
    std::cout << "central: " << cat->departments().size() << " departments from the catalog (" << r.departments
              << " new), " << r.leads << " indicator leads, " << r.task_links << " task links\n";
    return 0;
  } catch (const central::PgError& e) {
    print_failure(e);
    return 1;
  }
}

int central_add_user(const Common& c, const AddUserArgs& a) {
  auto kind = central::parse_account_kind(a.role);
  if (!kind) {
    std::cerr << "error: --role is department, propaganda or admin\n";
    return 2;
  }
  if (*kind == central::AccountKind::department && a.department.empty()) {
    std::cerr << "error: a department account needs --department (one of the catalog's units, e.g. 区林业局)\n";
    return 2;
  }
  if (*kind != central::AccountKind::department && !a.department.empty()) {
    std::cerr << "error: --department is only for --role department\n";
    return 2;
  }
  (void)c;
  auto pw = read_password(a.password_file);
  if (!pw) return 1;
  if (std::string why = central::password_fault(*pw); !why.empty()) {
    std::cerr << "error: " << why << "; nothing was changed\n";
    return 1;
  }
  try {
    central::Conn admin(a.url);
    central::SchemaState s = central::check_schema(admin);
    if (s.status != central::Status::ok) {
      std::cerr << "error: the center has " << s.words() << "\n";
      return 1;
    }
    central::add_user(admin, a.name, *kind, a.department, *pw);
    std::cout << "central: account \"" << a.name << "\" (" << a.role
              << (a.department.empty() ? "" : ", " + a.department) << ") may sign in with its password\n";
    return 0;
  } catch (const central::PgError& e) {
    std::cerr << "error: " << e.what() << "\n  nothing was changed\n";
    return 1;
  }
}

int central_import_records(const Common& c, const std::string& url, const std::string& file, std::string label) {
  auto cat = catalog_of(c);
  if (!cat) return 1;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) {
    std::cerr << "error: no kiosk database at " << file << "\n";
    return 1;
  }
  if (label.empty()) label = std::filesystem::path(file).filename().string();
  try {
    Store kiosk(file);
    central::Conn admin(url);
    central::SchemaState s = central::check_schema(admin);
    if (s.status != central::Status::ok) {
      std::cerr << "error: the center has " << s.words() << "\n";
      return 1;
    }
    central::ImportRecordsReport r = central::import_records(admin, kiosk, *cat, label);
    std::cout << "import-records: " << r.records << " indicator records and " << r.tasks
              << " task updates imported from " << label << "; already there " << r.records_already << " and "
              << r.tasks_already << "\n";
    for (const auto& s2 : r.skipped) std::cout << "skipped " << s2 << "\n";
    return 0;
  } catch (const central::PgError& e) {
    print_failure(e);
    std::cerr << "  nothing was imported\n";
    return 1;
  } catch (const DbError& e) {
    std::cerr << "error: " << file << ": " << e.what() << "\n";
    return 1;
  }
}

int central_audit_verify(const Common& c) {
  try {
    central::Conn conn(c.central);
    central::CentralAuditVerdict v = central::verify_central_audit(conn);
    std::cout << "central audit: " << v.count << " entries, newest hash " << (v.head_hash.empty() ? "-" : v.head_hash)
              << "\n";
    for (const auto& p : v.problems) std::cout << "BROKEN " << p << "\n";
    if (!v.intact) return 1;
    std::cout << "intact\n";
    return 0;
  } catch (const central::PgError& e) {
    print_failure(e);
    return 1;
  }
}

int fleet(const Common& c, const std::string& format, int days) {
  if (c.central.empty()) {
    std::cerr << "error: fleet reads the center: give --central URL\n";
    return 2;
  }
  try {
    central::Conn conn(c.central);
    std::vector<central::FleetRow> rows = central::read_fleet(conn, days);
    if (format == "json") {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& f : rows) {
        nlohmann::json j = {{"kiosk", f.kiosk},       {"hall_zh", f.hall_zh},
                            {"hall_en", f.hall_en},   {"silent", f.silent},
                            {"reported", f.reported}, {"waiting", f.waiting},
                            {"app_version", f.app_version}, {"questionnaires", f.questionnaires},
                            {"last_error", f.last_error},   {"per_day", f.per_day},
                            {"total", f.total}};
        j["last_contact"] = f.last_contact ? nlohmann::json(*f.last_contact) : nlohmann::json(nullptr);
        j["last_error_at"] = f.last_error_at ? nlohmann::json(*f.last_error_at) : nlohmann::json(nullptr);
        out.push_back(j);
      }
      std::cout << out.dump(2) << "\n";
      return 0;
    }
    for (const auto& f : rows) {
      std::cout << (f.silent ? "SILENT " : "       ") << f.kiosk << "  " << f.hall_zh << "\n        last contact "
                << (f.last_contact ? ms_text(*f.last_contact) : std::string("never")) << ", waiting "
                << (f.reported ? std::to_string(f.waiting) : std::string("?")) << ", app "
                << (f.app_version.empty() ? "?" : f.app_version) << ", questionnaires "
                << (f.questionnaires.empty() ? "?" : f.questionnaires) << "\n        per day";
      for (auto n : f.per_day) std::cout << " " << n;
      std::cout << " (total " << f.total << ")";
      if (!f.last_error.empty())
        std::cout << "\n        last error " << (f.last_error_at ? ms_text(*f.last_error_at) : "") << ": "
                  << f.last_error;
      std::cout << "\n";
    }
    return 0;
  } catch (const central::PgError& e) {
    print_failure(e);
    return 1;
  }
}

int alerts_list(const Common& c, const AlertArgs& a) {
  if (c.central.empty()) {
    std::cerr << "error: alerts are the center's: give --central URL\n";
    return 2;
  }
  try {
    central::Conn conn(c.central);
    std::vector<central::Alert> list = central::list_alerts(conn, !a.all);
    if (a.format == "json") {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& x : list) {
        nlohmann::json items = nlohmann::json::array();
        for (const auto& i : x.items)
          items.push_back({{"item", i.item}, {"zh", i.zh}, {"en", i.en}, {"n", i.n}, {"pct", i.pct}});
        nlohmann::json j = {{"id", x.id},         {"indicator", x.indicator}, {"scope", x.scope},
                            {"hall_zh", x.hall_zh}, {"hall_en", x.hall_en},   {"department", x.department},
                            {"window_days", x.window_days}, {"target", x.target}, {"value", x.value},
                            {"ci", {x.lo, x.hi}}, {"n", x.n},               {"items", items},
                            {"raised_at", x.raised_at}, {"raised_by", x.raised_by}, {"checked_at", x.checked_at},
                            {"acked_by", x.acked_by}, {"ack_note", x.ack_note}};
        j["acked_at"] = x.acked_at ? nlohmann::json(*x.acked_at) : nlohmann::json(nullptr);
        out.push_back(j);
      }
      std::cout << out.dump(2) << "\n";
      return 0;
    }
    if (list.empty()) std::cout << (a.all ? "no alerts\n" : "no open alerts\n");
    for (const auto& x : list) {
      char fig[160];
      std::snprintf(fig, sizeof fig, "%.1f%% [%.1f, %.1f], n = %lld, target %.0f%%, last %d days", x.value, x.lo, x.hi,
                    static_cast<long long>(x.n), x.target, x.window_days);
      std::cout << "#" << x.id << " " << (x.acked_at ? "ACKNOWLEDGED " : "OPEN ") << "indicator " << x.indicator << ", "
                << (x.scope.empty() ? std::string("district") : x.scope + " " + x.hall_zh) << ", " << x.department
                << "\n    " << fig << "; raised " << ms_text(x.raised_at) << " by " << x.raised_by << "\n";
      for (std::size_t i = 0; i < x.items.size() && i < 5; ++i) {
        char row[64];
        std::snprintf(row, sizeof row, "%.1f%% (n = %lld)", x.items[i].pct, static_cast<long long>(x.items[i].n));
        std::cout << "    " << x.items[i].item << (x.items[i].zh.empty() ? "" : " " + x.items[i].zh) << " " << row << "\n";
      }
      if (x.acked_at)
        std::cout << "    acknowledged " << ms_text(*x.acked_at) << " by " << x.acked_by << ": " << printable(x.ack_note)
                  << "\n";
    }
    return 0;
  } catch (const central::PgError& e) {
    print_failure(e);
    return 1;
  }
}

int alerts_ack(const Common& c, const AlertArgs& a) {
  if (c.central.empty()) {
    std::cerr << "error: alerts are the center's: give --central URL\n";
    return 2;
  }
  if (a.note.find_first_not_of(" \t\r\n") == std::string::npos) {
    std::cerr << "error: --note is needed: what the department will do about it\n";
    return 2;
  }
  try {
    central::Conn conn(c.central);
    central::ack_alert(conn, a.id, a.note);
    std::cout << "alert " << a.id << " acknowledged (recorded in the center's audit)\n";
    return 0;
  } catch (const central::PgError& e) {
    print_failure(e);
    return 1;
  }
}

}  // namespace eco::cli
