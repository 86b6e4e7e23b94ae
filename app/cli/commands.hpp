// The subcommands of `ecokiosk`. Each returns the process exit code and prints
// its own messages; main.cpp only parses the command line and dispatches.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace eco {
struct DistrictAnalysis;
}

namespace eco::cli {

struct Common {
  std::string db;        // "" = Store::default_path()
  std::string data_dir;  // holds questionnaires/ and assets/
  std::string config;    // "" = Config::default_path()
  std::string central;   // indicators, export: read the center's PostgreSQL at this URL instead of --db
  std::string db_path() const;
  std::string config_path() const;
  std::string questionnaire_dir() const { return data_dir + "/questionnaires"; }
};

struct FilterArgs {
  std::string questionnaire, kiosk, from, to;
  std::optional<int> version;
};

struct ExportArgs {
  FilterArgs filter;
  std::string format = "xlsx", out, encoding = "utf-8", lang = "zh";
  bool include_flagged = false;
  bool force = false;  // replace existing files at --out
  bool labels = false;  // csv: option labels instead of codes
};

struct IndicatorArgs {
  FilterArgs filter;
  bool include_flagged = false;
  bool exclude_minors = false;  // leave out respondents under 18
  std::string format = "text";
  std::string lang = "zh";
  std::optional<double> min_seconds;  // default: configuration
  int min_cell_n = 30;
  std::string population;             // default: assets/population.json when present
  bool no_weighting = false;
};

int validate(const Common& c, const std::vector<std::string>& files);
int export_data(const Common& c, const ExportArgs& a);
int import_data(const Common& c, const std::vector<std::string>& files);
int indicators(const Common& c, const IndicatorArgs& a);
// The folder backups go to: the configured one, or backups/ beside the database.
std::string backup_folder(const Common& c, const std::string& configured);
int backup(const Common& c, const std::string& to, bool force = false);
int restore(const Common& c, const std::string& from);
// The staff override: sets the PIN whatever the database holds; audited.
int set_pin(const Common& c);
// Prints a one-time code that lets the console offer first-PIN setup (stored as a hash).
int setup_code(const Common& c);
// Exit 0 when the audit chain is intact and matches its anchor, 1 (saying what and where) when not.
int audit_verify(const Common& c);
int demo_data(const Common& c, std::int64_t responses, std::uint64_t seed, const std::string& kiosk = "demo");

// The central store (app/cli/central_commands.cpp). url: the district IT's login.
int central_init(const std::string& url, int target_version = 0);
// Creates the kiosk's role and writes its credentials and central_url beside c.config_path().
int central_add_kiosk(const Common& c, const std::string& kiosk_id, const std::string& url, std::string kiosk_url);
// The district console (app/cli/district_commands.cpp). After `central init`: the
// catalog's departments, indicator leads and task links into the center.
int central_init_units(const Common& c, const std::string& url);
struct AddUserArgs {
  std::string name, url, role = "department", department, password_file;
};
int central_add_user(const Common& c, const AddUserArgs& a);
int central_import_records(const Common& c, const std::string& url, const std::string& file, std::string label);
// `--central URL audit verify`: the engine-written chain; exit 0 intact, 1 broken.
int central_audit_verify(const Common& c);
// `--central URL fleet`: every kiosk, its hall, contact, versions, what waits.
int fleet(const Common& c, const std::string& format, int days);
// `--central URL alerts check|list|ack` (issue 17): check raises an alert for each survey
// indicator below target with confidence over the last --days days, district-wide and
// per kiosk's hall (idempotent: a timer may run it hourly); list shows what the login
// may see; ack acknowledges with a note as the responsible department.
struct AlertArgs {
  int days = 30;
  int min_n = 30;    // check: fewer respondents in a scope raise nothing
  bool all = false;  // list: acknowledged ones too
  std::string format = "text";
  std::int64_t id = 0;
  std::string note;
};
int alerts_check(const Common& c, const AlertArgs& a);
// The district console's survey pages: the center's responses through CentralQueries (as
// `--central URL indicators`), the configuration's exclusion threshold and clock.
void console_analysis(const Common& c, DistrictAnalysis& a);
int alerts_list(const Common& c, const AlertArgs& a);
int alerts_ack(const Common& c, const AlertArgs& a);
// Questionnaires and settings from the center (app/cli/publish_commands.cpp). url: an
// admin account's or district IT's login.
int central_publish(const std::string& url, const std::vector<std::string>& files);
int central_withdraw(const std::string& url, const std::string& questionnaire, int version);
int central_settings(const std::string& url, const std::string& hall, const std::string& kiosk,
                     const std::vector<std::string>& assignments);
int central_published(const std::string& url);
// Sends what waits; exit 0 only when nothing is left.
// nice > 0: the run's priority is lowered to it first, idle: its readers in SCHED_IDLE
// (to measure it as the kiosk's own sync runs).
int sync(const Common& c, int batch = 1000, int nice = 0, bool idle = false);

struct SayArgs {
  std::string questionnaire, question, lang, out;  // lang "" = the configured default
  bool print = false;  // also print the text handed to the synthesizer
  bool list = false;   // only list the question ids
};
// Writes what the kiosk reads aloud for a question (or, without one, for every question
// of the questionnaire in turn) as a WAV file (say.cpp).
int say(const Common& c, const SayArgs& a);

}  // namespace eco::cli
