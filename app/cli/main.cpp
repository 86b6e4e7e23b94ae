// ecokiosk: the kiosk (no subcommand) and the staff's command-line tools.
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/service_commands.hpp"
#include "core/storage/sqlite.hpp"
#include "core/storage/store.hpp"
#include "platform/service.hpp"
#include "platform/district_window.hpp"
#include "platform/kiosk_window.hpp"
#include "ui/common/atlas_cache.hpp"

namespace {
void add_common(CLI::App& app, eco::cli::Common& common) {
  app.add_option("--db", common.db, "SQLite database (default $XDG_DATA_HOME/ecokiosk/ecokiosk.db)");
  app.add_option("--data-dir", common.data_dir, "Folder holding questionnaires/ and assets/")->check(CLI::ExistingDirectory);
  app.add_option("--config", common.config, "Configuration file (default $XDG_CONFIG_HOME/ecokiosk/config.json)");
}
// For tests only: smaller steps when an older database is updated, so that a process
// killed part-way is killed between steps many times over (tests/db_update_xvfb.sh).
void migration_chunk_from_env() {
  const char* v = std::getenv("ECOKIOSK_MIGRATION_CHUNK");
  if (!v || !*v) return;
  char* end = nullptr;
  long n = std::strtol(v, &end, 10);
  if (*end == 0 && n >= 1 && n <= 1'000'000) eco::Store::migration_chunk = n;
  else std::cerr << "warning: ECOKIOSK_MIGRATION_CHUNK=" << v << " ignored (a whole number from 1 to 1000000)\n";
}
}  // namespace

int main(int argc, char** argv) {
  const auto started = std::chrono::steady_clock::now();  // the kiosk's start-up is timed from here
  eco::platform::use_journal_levels_if_connected();
  migration_chunk_from_env();
  CLI::App app{"EcoKiosk: touch-screen survey kiosk and indicator dashboard"};
  app.set_version_flag("--version", "ecokiosk 0.1.0");
  eco::cli::Common common;
  const char* env_data = std::getenv("ECOKIOSK_DATA_DIR");
  common.data_dir = env_data && *env_data ? env_data : ECOKIOSK_DEFAULT_DATA_DIR;
  add_common(app, common);
  app.add_option("--central", common.central,
                 "indicators, export: over every kiosk, from the central PostgreSQL at this URL (postgresql://USER@HOST/DB)");

  std::string windowed, tour_dir, lang, font;
  bool timing = false, hide_cursor = false;
  app.add_flag("--hide-cursor", hide_cursor, "Draw no pointer (touch screens)");
  app.add_option("--windowed", windowed, "Run in a WxH window instead of fullscreen (development)");
  app.add_option("--screenshot-tour", tour_dir, "Render the main screens to PNG files in DIR and exit");
  int tour_text_size = -1;
  bool tour_contrast = false;
  app.add_option("--tour-text-size", tour_text_size, "Screenshot tour: every resident screen in text size 0, 1 or 2 (no console)")
      ->check(CLI::Range(0, 2));
  app.add_flag("--tour-high-contrast", tour_contrast, "Screenshot tour: in the high-contrast theme");
  app.add_option("--lang", lang, "Start language")->check(CLI::IsMember({"zh", "en"}));
  app.add_option("--font", font, "Font file to use instead of fontconfig's Noto Sans CJK SC");
  app.add_flag("--timing", timing, "Print font-atlas and first-frame timings");
  std::string font_cache = eco::ui::default_font_cache_dir();
  app.add_option("--font-cache", font_cache,
                 "Folder for baked font atlases kept between starts, or 'off' (default: $CACHE_DIRECTORY, "
                 "$XDG_CACHE_HOME/ecokiosk or ~/.cache/ecokiosk)");

  eco::cli::SayArgs sa;
  auto* say = app.add_subcommand("say", "Write what the kiosk reads aloud for a question as a WAV file");
  say->add_option("--questionnaire", sa.questionnaire, "Questionnaire id")->required();
  say->add_option("--question", sa.question, "Question id (default: every question in turn)");
  say->add_option("--lang", sa.lang, "zh or en (default: the configured language)")->check(CLI::IsMember({"zh", "en"}));
  say->add_option("--out", sa.out, "WAV file to write (replaced if it exists)");
  say->add_flag("--print", sa.print, "Print the text handed to the synthesizer, one utterance a line");
  say->add_flag("--list", sa.list, "List the questionnaire's question ids (shared blocks and bank items included)");

  std::vector<std::string> validate_files;
  auto* validate = app.add_subcommand("validate", "Check questionnaire files; non-zero exit when any is refused");
  validate->add_option("files", validate_files, "Files (default: every questionnaires/*.json)");

  eco::cli::ExportArgs ea;
  auto* exp = app.add_subcommand("export", "Write stored responses to a file");
  exp->add_option("--format", ea.format, "xlsx, csv, jsonl, html, pdf, sav (SPSS) or dta (Stata)")
      ->check(CLI::IsMember({"xlsx", "csv", "jsonl", "html", "pdf", "sav", "dta"}));
  exp->add_flag("--labels", ea.labels, "CSV: option labels instead of codes");
  exp->add_option("--out", ea.out, "Output file (jsonl: standard output when omitted)");
  exp->add_option("--questionnaire", ea.filter.questionnaire, "Only this questionnaire id");
  exp->add_option("--version-of", ea.filter.version, "Only this questionnaire version");
  exp->add_option("--from", ea.filter.from, "First day, YYYY-MM-DD (district time)");
  exp->add_option("--to", ea.filter.to, "Last day, YYYY-MM-DD (district time), inclusive");
  exp->add_option("--kiosk", ea.filter.kiosk, "Only this kiosk id");
  exp->add_flag("--include-flagged", ea.include_flagged, "Keep flagged responses (xlsx, csv, html; jsonl always has all)");
  exp->add_flag("--force", ea.force, "Replace files that already exist at --out");
  exp->add_option("--encoding", ea.encoding, "CSV encoding: utf-8 (with BOM) or gb18030")
      ->check(CLI::IsMember({"utf-8", "gb18030"}));
  exp->add_option("--lang", ea.lang, "Language of the report (html, pdf) and the workbook's labels")->check(CLI::IsMember({"zh", "en"}));

  std::vector<std::string> import_files;
  auto* imp = app.add_subcommand("import", "Merge JSON Lines files or database files from kiosks into the database");
  imp->add_option("files", import_files, "JSON Lines or EcoKiosk database files")->required();

  eco::cli::IndicatorArgs ia;
  auto* ind = app.add_subcommand("indicators", "Indicators 35, 39 and 40 from the stored responses");
  ind->add_option("--from", ia.filter.from, "First day, YYYY-MM-DD (district time)");
  ind->add_option("--to", ia.filter.to, "Last day, YYYY-MM-DD (district time), inclusive");
  ind->add_option("--kiosk", ia.filter.kiosk, "Only this kiosk id");
  ind->add_option("--version-of", ia.filter.version, "Only this questionnaire version");
  ind->add_flag("--include-flagged", ia.include_flagged, "Keep responses flagged too fast, straight-lining or duplicate");
  ind->add_flag("--exclude-minors", ia.exclude_minors, "Leave out respondents who answered under 18 (counted as minors_left_out)");
  ind->add_option("--format", ia.format, "text or json")->check(CLI::IsMember({"text", "json"}));
  ind->add_option("--lang", ia.lang, "Language of the text form")->check(CLI::IsMember({"zh", "en"}));
  ind->add_option("--min-seconds", ia.min_seconds, "Seconds per visible question below which a response is too fast")
      ->check(CLI::Range(0.0, 60.0));
  ind->add_option("--min-cell-n", ia.min_cell_n, "Breakdown cells with fewer respondents are marked unreliable")
      ->check(CLI::Range(1, 100000));
  ind->add_option("--population", ia.population, "Population margins for weighting (default assets/population.json)");
  ind->add_flag("--no-weighting", ia.no_weighting, "Skip the weighted estimates");

  std::string backup_to, restore_from;
  auto* bak = app.add_subcommand("backup", "Online backup of the database (dated, rotated) or to --to FILE");
  bool backup_force = false;
  bak->add_option("--to", backup_to, "Write the backup to this file instead of the backup folder");
  bak->add_flag("--force", backup_force, "Replace an existing file at --to (never one with a -wal or -shm beside it)");
  auto* res = app.add_subcommand("restore", "Replace the database with a backup (the current one is kept aside)");
  res->add_option("backup", restore_from, "Backup file")->required()->check(CLI::ExistingFile);
  auto* pin = app.add_subcommand("set-pin", "Set the admin PIN (read from standard input); the staff override, audited");
  auto* code = app.add_subcommand("setup-code", "Print a one-time code that lets the console set the first PIN");
  auto* audit = app.add_subcommand("audit", "The audit log");
  audit->require_subcommand(1);
  auto* verify = audit->add_subcommand("verify", "Check the hash chain and its anchor: exit 0 intact, 1 broken");

  std::int64_t responses = 1000;
  std::uint64_t seed = 1;
  auto* demo = app.add_subcommand("demo-data", "Fill the database with synthetic responses (kiosk \"demo\")");
  demo->add_option("--responses", responses, "How many")->check(CLI::Range(std::int64_t{1}, std::int64_t{100000000}));
  demo->add_option("--seed", seed, "Random seed");
  std::string demo_kiosk = "demo";
  demo->add_option("--kiosk", demo_kiosk, "Kiosk id the responses carry (default demo)");

  std::string central_url, kiosk_id, kiosk_url;
  auto* central = app.add_subcommand("central", "The district's central PostgreSQL store");
  central->require_subcommand(1);
  auto* cinit = central->add_subcommand("init", "Create or migrate the central schema and its roles");
  cinit->add_option("--url", central_url, "postgresql://ADMIN@HOST:PORT/DB (district IT's login)")->required();
  auto* cadd = central->add_subcommand("add-kiosk", "Give a kiosk its own login; write its credentials and central_url into --config");
  cadd->add_option("id", kiosk_id, "The kiosk's id (as in its config.json)")->required();
  cadd->add_option("--url", central_url, "postgresql://ADMIN@HOST:PORT/DB (district IT's login)")->required();
  cadd->add_option("--kiosk-url", kiosk_url, "The URL the kiosk uses (default: --url without user and password)");
  int central_target = 0, sync_batch = 1000;
  cinit->add_option("--schema-version", central_target, "Migrate only up to this version (tests of an older center)")
      ->check(CLI::Range(1, 1000));
  eco::cli::AddUserArgs ua;
  auto* cuser = central->add_subcommand("add-user", "A personal account for the district console (password from stdin or --password-file)");
  cuser->add_option("name", ua.name, "The login name (a-z, 0-9, _ . -), e.g. lin.forestry")->required();
  cuser->add_option("--url", ua.url, "postgresql://ADMIN@HOST:PORT/DB (district IT's login, or an admin account)")->required();
  cuser->add_option("--role", ua.role, "department, propaganda or admin")
      ->check(CLI::IsMember({"department", "propaganda", "admin"}));
  cuser->add_option("--department", ua.department, "The catalog's unit the account works for, e.g. 区林业局");
  cuser->add_option("--password-file", ua.password_file, "Read the password from this 0600 file instead of stdin");
  std::string import_db, import_label;
  auto* cimport = central->add_subcommand("import-records", "Bring indicator records and task updates typed on a kiosk to the center");
  cimport->add_option("kiosk_db", import_db, "The kiosk's database file")->required();
  cimport->add_option("--url", central_url, "postgresql://ADMIN@HOST:PORT/DB (district IT's login)")->required();
  cimport->add_option("--from-label", import_label, "Where they came from, as the records will say (default: the file's name)");
  std::vector<std::string> publish_files, setting_args;
  std::string withdraw_id, settings_hall, settings_kiosk;
  int withdraw_version = 0;
  auto* cpub = central->add_subcommand("publish", "Publish questionnaire files to every kiosk (checked by the kiosk's loader first)");
  cpub->add_option("files", publish_files, "Questionnaire files (JSON, includes beside them in blocks/)")->required();
  cpub->add_option("--url", central_url, "postgresql://ADMIN@HOST:PORT/DB (an admin account, or district IT)")->required();
  auto* cwd = central->add_subcommand("withdraw", "Stop offering a published questionnaire version (from each kiosk's next resident on)");
  cwd->add_option("questionnaire", withdraw_id, "The questionnaire's id, e.g. satisfaction")->required();
  cwd->add_option("version", withdraw_version, "Its version")->required()->check(CLI::Range(1, 1000000));
  cwd->add_option("--url", central_url, "postgresql://ADMIN@HOST:PORT/DB (an admin account, or district IT)")->required();
  auto* cset = central->add_subcommand("settings", "A hall's or a kiosk's settings from the center: key=value (empty value clears)");
  cset->add_option("--hall", settings_hall, "The hall (its Chinese name, as given to add-kiosk)");
  cset->add_option("--kiosk", settings_kiosk, "One kiosk (its id); its settings beat its hall's");
  cset->add_option("assignments", setting_args,
                   "hall_zh=… hall_en=… idle_seconds=N first_question_idle_seconds=N countdown_seconds=N "
                   "finish_seconds=N questionnaires=a,b default_lang=zh|en");
  cset->add_option("--url", central_url, "postgresql://ADMIN@HOST:PORT/DB (an admin account, or district IT)")->required();
  auto* clist = central->add_subcommand("published", "List the published questionnaire versions (withdrawn ones too)");
  clist->add_option("--url", central_url, "postgresql://USER@HOST:PORT/DB")->required();
  std::string fleet_format = "text";
  int fleet_days = 7;
  auto* fleet = app.add_subcommand("fleet", "Every kiosk at the center (--central URL): hall, last contact, versions, waiting");
  fleet->add_option("--format", fleet_format, "text or json")->check(CLI::IsMember({"text", "json"}));
  fleet->add_option("--days", fleet_days, "Responses per day over this many days")->check(CLI::Range(1, 366));
  eco::cli::AlertArgs al;
  auto* alerts = app.add_subcommand("alerts", "Survey indicators below target with confidence (--central URL)");
  alerts->require_subcommand(1);
  auto* acheck = alerts->add_subcommand("check", "Raise an alert for each indicator below target with confidence (idempotent)");
  acheck->add_option("--days", al.days, "The window: the last this many days")->check(CLI::Range(1, 366));
  acheck->add_option("--min-n", al.min_n, "Fewer respondents in a scope raise no alert")->check(CLI::Range(1, 100000));
  auto* alist = alerts->add_subcommand("list", "The alerts this login may see, open first");
  alist->add_flag("--all", al.all, "Acknowledged ones too");
  alist->add_option("--format", al.format, "text or json")->check(CLI::IsMember({"text", "json"}));
  auto* aack = alerts->add_subcommand("ack", "Acknowledge an alert with a note, as the responsible department");
  aack->add_option("id", al.id, "The alert's number (alerts list)")->required()->check(CLI::PositiveNumber);
  aack->add_option("--note", al.note, "What the department will do")->required();
  eco::ui::DistrictWindowOptions dw;
  std::string console_size;
  auto* console = app.add_subcommand("console", "The district console (a desktop window) on the center: --central URL");
  console->add_option("--size", console_size, "Window size WxH (default 1366x768)");
  console->add_option("--screenshots", dw.screenshot_dir, "Sign in as --user (password on stdin), draw every page to PNG files here, exit");
  console->add_option("--user", dw.user, "The account for --screenshots");
  auto* sync = app.add_subcommand("sync", "Send waiting responses to the central store now; exit 0 when all are there, 3 when some conflicted with the center's copies, 1 on failure");
  sync->add_option("--batch", sync_batch, "Responses per central transaction")->check(CLI::Range(1, 10000));
  int sync_nice = 0;
  sync->add_option("--nice", sync_nice, "Lower this run's priority to this nice value, as the kiosk's own sync thread does (10)")
      ->check(CLI::Range(0, 19));
  bool sync_idle = false;
  sync->add_flag("--idle", sync_idle, "Read and encode the batches in Linux's idle scheduling class, as the kiosk's own sync does");

  auto* setup = app.add_subcommand("setup", "First start: kiosk id, hall name and admin PIN, read from standard input");
  eco::cli::DoctorArgs da;
  auto* doctor = app.add_subcommand("doctor", "Check everything the kiosk needs; exit 0 only when all pass");
  doctor->add_option("--skip", da.skip, "Leave out a check (e.g. audio)");
  doctor->add_option("--font", da.font, "Font file to check instead of fontconfig's choice");
  doctor->add_option("--min-free-mb", da.min_free_mb, "Free space needed beside the database")->check(CLI::Range(0.0, 1e7));


  // README puts --db, --config and --data-dir after any command too: each command
  // takes them as well (bound to the same settings), so either side works.
  for (CLI::App* sub : app.get_subcommands({})) add_common(*sub, common);
  add_common(*verify, common);
  add_common(*cinit, common);
  add_common(*cadd, common);
  add_common(*cuser, common);
  add_common(*cimport, common);
  for (CLI::App* sub : {acheck, alist, aack}) add_common(*sub, common);
  for (CLI::App* sub : {cpub, cwd, cset, clist}) add_common(*sub, common);
  // A usage error names the option (CLI11's message) and shows that command's usage.
  app.failure_message([](const CLI::App* a, const CLI::Error& e) {
    return std::string("error: ") + e.what() + "\n\n" + a->help();
  });

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version exit 0; every usage error exits 2, as README says.
    return app.exit(e) == 0 ? 0 : 2;
  }
  eco::cli::apply_installed_defaults(common);
  try {
    auto usage_on_2 = [](int rc, const CLI::App* sub) {
      if (rc == 2) std::cerr << "\n" << sub->help();  // the command's own usage errors too
      return rc;
    };
    if (*validate) return usage_on_2(eco::cli::validate(common, validate_files), validate);
    if (*say) return usage_on_2(eco::cli::say(common, sa), say);
    if (*exp) return usage_on_2(eco::cli::export_data(common, ea), exp);
    if (*imp) return usage_on_2(eco::cli::import_data(common, import_files), imp);
    if (*ind) return usage_on_2(eco::cli::indicators(common, ia), ind);
    if (*bak) return usage_on_2(eco::cli::backup(common, backup_to, backup_force), bak);
    if (*res) return usage_on_2(eco::cli::restore(common, restore_from), res);
    if (*pin) return usage_on_2(eco::cli::set_pin(common), pin);
    if (*code) return usage_on_2(eco::cli::setup_code(common), code);
    if (*verify && !common.central.empty()) return usage_on_2(eco::cli::central_audit_verify(common), verify);
    if (*verify) return usage_on_2(eco::cli::audit_verify(common), verify);
    if (*demo) return usage_on_2(eco::cli::demo_data(common, responses, seed, demo_kiosk), demo);
    if (*cinit) {
      int rc = eco::cli::central_init(central_url, central_target);
      return usage_on_2(rc != 0 ? rc : eco::cli::central_init_units(common, central_url), cinit);
    }
    if (*cuser) return usage_on_2(eco::cli::central_add_user(common, ua), cuser);
    if (*cimport)
      return usage_on_2(eco::cli::central_import_records(common, central_url, import_db, import_label), cimport);
    if (*acheck) return usage_on_2(eco::cli::alerts_check(common, al), acheck);
    if (*alist) return usage_on_2(eco::cli::alerts_list(common, al), alist);
    if (*aack) return usage_on_2(eco::cli::alerts_ack(common, al), aack);
    if (*cpub) return usage_on_2(eco::cli::central_publish(central_url, publish_files), cpub);
    if (*cwd) return usage_on_2(eco::cli::central_withdraw(central_url, withdraw_id, withdraw_version), cwd);
    if (*cset)
      return usage_on_2(eco::cli::central_settings(central_url, settings_hall, settings_kiosk, setting_args), cset);
    if (*clist) return usage_on_2(eco::cli::central_published(central_url), clist);
    if (*fleet) return usage_on_2(eco::cli::fleet(common, fleet_format, fleet_days), fleet);
    if (*console) {
      if (common.central.empty()) {
        std::cerr << "error: console needs --central URL (the center, without a login: you sign in in the window)\n";
        return 2;
      }
      if (!console_size.empty() && (std::sscanf(console_size.c_str(), "%dx%d", &dw.width, &dw.height) != 2 ||
                                    dw.width < 640 || dw.height < 480 || dw.width > 7680 || dw.height > 4320)) {
        std::cerr << "error: --size takes WIDTHxHEIGHT within 640x480..7680x4320, e.g. 1366x768\n";
        return 2;
      }
      if (!dw.screenshot_dir.empty() && dw.user.empty()) {
        std::cerr << "error: --screenshots needs --user\n";
        return 2;
      }
      dw.url = common.central;
      dw.data_dir = common.data_dir;
      eco::cli::console_analysis(common, dw.analysis);
      dw.font = font;
      dw.font_cache = font_cache == "off" ? std::string() : font_cache;
      if (!lang.empty()) dw.lang = lang;
      return eco::ui::run_district_console(dw);
    }
    if (*cadd) return usage_on_2(eco::cli::central_add_kiosk(common, kiosk_id, central_url, kiosk_url), cadd);
    if (*sync) return usage_on_2(eco::cli::sync(common, sync_batch, sync_nice, sync_idle), sync);
    if (*setup) return usage_on_2(eco::cli::setup(common), setup);
    if (*doctor) {
      if (da.font.empty()) da.font = font;  // `ecokiosk --font F doctor` checks F too
      return usage_on_2(eco::cli::doctor(common, da), doctor);
    }
    eco::ui::WindowOptions wo;
    if (!windowed.empty() && std::sscanf(windowed.c_str(), "%dx%d", &wo.width, &wo.height) != 2) {
      std::cerr << "error: --windowed takes WIDTHxHEIGHT, e.g. 1280x800\n";
      return 2;
    }
    if (!windowed.empty() && (wo.width < 640 || wo.height < 480 || wo.width > 7680 || wo.height > 4320)) {
      std::cerr << "error: --windowed " << windowed << " is outside 640x480..7680x4320\n";
      return 2;
    }
    wo.screenshot_dir = tour_dir;
    wo.tour_text_size = tour_text_size;
    wo.tour_high_contrast = tour_contrast;
    wo.lang = lang;
    wo.font = font;
    wo.font_cache = font_cache == "off" ? std::string() : font_cache;
    wo.db = common.db;
    wo.data_dir = common.data_dir;
    wo.config = common.config;
    wo.print_timing = timing;
    wo.hide_cursor = hide_cursor;
    wo.started = started;
    return eco::ui::run_kiosk(wo);
  } catch (const eco::DbError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
}
