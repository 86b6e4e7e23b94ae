#include "cli/commands.hpp"
#include "core/support/time.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>

#include <nlohmann/json.hpp>

#include "core/support/text.hpp"
#include "core/support/config.hpp"
#include "core/storage/admin_store.hpp"
#include "core/storage/audit_anchor.hpp"
#include "core/catalog/catalog.hpp"
#include "core/storage/db_maintenance.hpp"
#include "core/storage/demo_data.hpp"
#include "core/output/export.hpp"
#include "core/support/i18n.hpp"
#include "core/analysis/indicators.hpp"
#include "core/storage/interchange.hpp"
#include "core/survey/questionnaire_loader.hpp"
#include "core/storage/store.hpp"
#include "core/central/alerts.hpp"
#include "core/central/central_queries.hpp"
#include "console/alert_check.hpp"
#include "console/district_model.hpp"

namespace eco::cli {

namespace fs = std::filesystem;

std::string Common::db_path() const { return db.empty() ? Store::default_path() : db; }
std::string Common::config_path() const { return config.empty() ? Config::default_path() : config; }

namespace {

// Opens the database; an update that counts every stored response (an older file, or
// indicator cells counted on another threshold or UTC offset than the settings')
// shows a progress bar on standard error. Ctrl-C during it loses nothing: each step is
// committed and the next open carries on.
std::unique_ptr<Store> open_store(const Common& c) {
  const std::string path = c.db_path();
  int shown = -1;
  auto bar = [&](std::string what) {
    return [&shown, what](std::int64_t done, std::int64_t total) {
      int pct = total > 0 ? static_cast<int>(100 * done / total) : 100;
      if (total == 0 || pct == shown) return;  // nothing to count: no bar
      if (shown < 0) std::cerr << what << " (once; safe to interrupt)\n";
      shown = pct;
      std::string line(static_cast<std::size_t>(pct / 4), '#');
      line.resize(25, '.');
      std::cerr << "\r[" << line << "] " << pct << "%" << std::flush;
    };
  };
  auto store = std::make_unique<Store>(path, bar("updating the database " + path));
  if (shown >= 0) std::cerr << "\n";
  shown = -1;
  // The settings' errors are told by the command that reads them; here only the clock.
  const Config cfg = load_config(c.config_path()).config;
  store->recount_cells({cfg.min_seconds_per_question, cfg.utc_offset_minutes},
                       bar("counting the indicators' cells again on the settings' threshold and UTC offset"));
  if (shown >= 0) std::cerr << "\n";
  return store;
}

// Questionnaires from the data folder plus any older definitions the database holds,
// so responses to a retired version can still be exported and imported.
QuestionnaireSet load_all(const Common& c, ResponseQueries* store, bool report) {
  QuestionnaireSet set = load_questionnaire_dir(c.questionnaire_dir());
  if (report)
    for (const auto& e : set.errors) std::cerr << "warning: " << e.to_string() << "\n";
  if (store)
    for (const auto& d : store->definitions()) {
      if (set.find(d.questionnaire, d.version)) continue;
      LoadResult r = load_questionnaire_text(d.definition, "database:" + d.questionnaire, "");
      if (r.questionnaire) set.add(std::move(*r.questionnaire), std::move(r.expanded_json));
    }
  return set;
}

Config load_cfg(const Common& c) {
  ConfigLoad cl = load_config(c.config_path());
  for (const auto& e : cl.errors) std::cerr << "warning: " << e << "\n";
  return cl.config;
}

// Days are the district's own (config utc_offset_minutes, China Standard Time by
// default): --from 2019-06-01 starts at local midnight, --to ends at the next one.
bool make_filter(const FilterArgs& a, int utc_offset_minutes, ResponseFilter& f) {
  f.questionnaire = a.questionnaire;
  f.kiosk = a.kiosk;
  f.version = a.version;
  DayRange days = parse_day_range(a.from, a.to, utc_offset_minutes);  // --to is inclusive: the whole day
  switch (days.fault) {
    case DayRangeFault::none: break;
    case DayRangeFault::bad_from:
      std::cerr << "error: --from \"" << a.from << "\" is not a date like 2019-06-21\n";
      return false;
    case DayRangeFault::bad_to:
      std::cerr << "error: --to \"" << a.to << "\" is not a date like 2019-12-31\n";
      return false;
    case DayRangeFault::reversed:
      std::cerr << "error: --to " << a.to << " is before --from " << a.from << "\n";
      return false;
  }
  f.from = days.from;
  f.to = days.to;
  return true;
}

// Commands that only read refuse a database that is not there: a mistyped --db would
// otherwise create an empty one (and its folders) and report 0 responses as if true.
bool database_exists(const Common& c) {
  std::string path = c.db_path();
  std::error_code ec;
  if (path == ":memory:" || fs::exists(path, ec)) return true;
  std::cerr << "error: no database at " << path << " (check --db)\n";
  return false;
}

// The responses a reading command works on: the kiosk's database, or with --central
// the center's PostgreSQL (every kiosk's). open() says why not and returns false.
struct Source {
  std::unique_ptr<Store> local;
  std::unique_ptr<central::CentralQueries> center;
  ResponseQueries* q = nullptr;
  bool open(const Common& c) {
    if (c.central.empty()) {
      if (!database_exists(c)) return false;
      local = open_store(c);
      q = local.get();
      return true;
    }
    try {
      center = std::make_unique<central::CentralQueries>(c.central);
      q = center.get();
      return true;
    } catch (const central::PgError& e) {
      print_center_error(e);
      return false;
    }
  }
  // Hall names: the center's for every kiosk; a kiosk's own from its configuration.
  std::map<std::string, std::string> halls(const Config& cfg, const std::string& lang) {
    std::map<std::string, std::string> out;
    if (center) out = center->hall_names(lang);
    else if (auto h = cfg.hall_name.find(lang); h != cfg.hall_name.end()) out[cfg.kiosk_id] = h->second;
    return out;
  }
  static void print_center_error(const central::PgError& e) {
    std::cerr << "error: " << central::status_words(e.status) << "\n  status: " << central::status_name(e.status)
              << "\n  detail: " << e.what() << "\n";
  }
};

}  // namespace

int validate(const Common& c, const std::vector<std::string>& files_in) {
  std::vector<std::string> files = files_in;
  if (files.empty()) {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(c.questionnaire_dir(), ec))
      if (e.path().extension() == ".json") files.push_back(e.path().string());
    std::sort(files.begin(), files.end());
    if (files.empty()) {
      std::cerr << "error: no questionnaires found in " << c.questionnaire_dir() << "\n";
      return 1;
    }
  }
  int bad = 0;
  for (const auto& f : files) {
    LoadResult r = load_questionnaire_file(f);
    if (r.questionnaire) {
      const auto& q = *r.questionnaire;
      std::size_t n = q.questions.size();
      std::cout << "ok    " << f << ": " << q.id << " v" << q.version << ", " << n << " questions";
      if (q.bank) std::cout << ", bank of " << q.bank->items.size() << " items (" << q.bank->draw << " drawn)";
      std::cout << ", hash " << q.content_hash.substr(0, 12) << "\n";
    } else {
      ++bad;
      std::cout << "FAIL  " << f << "\n";
      for (const auto& e : r.errors) std::cout << "  " << e.to_string() << "\n";
    }
  }
  std::cout << files.size() - static_cast<std::size_t>(bad) << " valid, " << bad << " refused\n";
  return bad ? 1 : 0;
}

namespace {
int export_from(const Common& c, const ExportArgs& a, const Config& cfg, ResponseFilter f, Source& src);
}  // namespace

int export_data(const Common& c, const ExportArgs& a) {
  Config cfg = load_cfg(c);
  ResponseFilter f;
  if (!make_filter(a.filter, cfg.utc_offset_minutes, f)) return 2;
  Source src;
  if (!src.open(c)) return 1;
  try {
    return export_from(c, a, cfg, f, src);
  } catch (const central::PgError& e) {
    Source::print_center_error(e);
    return 1;
  }
}

namespace {
int export_from(const Common& c, const ExportArgs& a, const Config& cfg, ResponseFilter f, Source& src) {
  ResponseQueries& store = *src.q;
  QuestionnaireSet set = load_all(c, &store, false);
  if (src.center) {
    // The district's exports are audited at the center, before any row leaves it: an
    // export the center will not record is not made (PgError, reported by the caller).
    std::string out = a.out.empty() ? "-" : a.out;
    central::Conn conn(c.central);
    central::note_export(conn, "command line",
                         a.format + " to " + out + "; questionnaire " +
                             (a.filter.questionnaire.empty() ? "all" : a.filter.questionnaire) + ", from " +
                             (a.filter.from.empty() ? "-" : a.filter.from) + " to " +
                             (a.filter.to.empty() ? "-" : a.filter.to) + ", kiosk " +
                             (a.filter.kiosk.empty() ? "all" : a.filter.kiosk) +
                             (a.include_flagged ? ", flagged included" : ""));
  }
  if (a.format == "jsonl" && (a.out.empty() || a.out == "-")) {
    // To standard output: the interchange stream, every response.
    f.questionnaire = a.filter.questionnaire;
    std::string line;
    store.each(f, [&](const Response& r) {
      line = response_to_line(r);
      line.push_back('\n');
      std::cout.write(line.data(), static_cast<std::streamsize>(line.size()));
      return static_cast<bool>(std::cout);
    });
    return std::cout ? 0 : 1;
  }
  if (a.out.empty()) {
    std::cerr << "error: --out FILE is needed for --format " << a.format << "\n";
    return 2;
  }
  Strings strings;
  std::vector<std::string> errors;
  strings.load_dir(c.data_dir + "/assets/i18n", errors);
  std::optional<Population> pop;
  if (std::string p = c.data_dir + "/assets/population.json"; fs::exists(p)) {
    std::string err;
    pop = load_population(p, err);
    if (!pop) std::cerr << "warning: " << err << " (weighting skipped)\n";
  }
  ExportOptions o;
  o.format = a.format;
  o.out = a.out;
  o.questionnaire = a.filter.questionnaire;
  o.filter = f;
  o.filter.questionnaire.clear();
  o.include_flagged = a.include_flagged;
  o.replace = a.force;
  o.min_seconds_per_question = cfg.min_seconds_per_question;
  o.encoding = a.encoding;
  o.labels = a.labels;
  o.lang = a.lang;
  o.utc_offset_minutes = cfg.utc_offset_minutes;
  o.strings = &strings;
  o.population = pop ? &*pop : nullptr;
  o.district = cfg.district_title;
  o.hall_names = src.halls(cfg, a.lang);
  ExportResult r = export_data(store, set, o);
  if (!r.error.empty()) {
    std::cerr << "error: " << r.error << "\n";
    return 1;
  }
  for (const auto& file : r.files) std::cerr << "wrote " << file << "\n";
  std::cerr << "exported " << r.rows << " responses\n";
  for (const auto& note : r.notes) std::cerr << "note: " << note << "\n";
  if (!src.local) return 0;  // the center's exports are the district's (no kiosk's audit log holds them)
  try {
    // Exports of residents' answers are audited like the console's, with the chain's
    // head at that moment (a later cut in the log then shows against this entry).
    Catalog empty;
    AdminStore admin(*src.local, empty);
    admin.use_anchor(anchor_path_for(c.config_path(), c.db_path()));
    AuditHead h = admin.audit_head();
    admin.audit("export (command line)", "export",
                a.format + " " + std::to_string(r.rows) + " rows to " + a.out + "; audit head before this entry: " +
                    std::to_string(h.count) + " entries, newest hash " + h.last_hash);
  } catch (const DbError& e) {
    std::cerr << "warning: the export was not recorded in the audit log: " << e.what() << "\n";
  }
  return 0;
}

}  // namespace

int import_data(const Common& c, const std::vector<std::string>& files) {
  auto opened = open_store(c);
  Store& store = *opened;
  QuestionnaireSet set = load_all(c, &store, true);
  ImportReport total;
  int unreadable = 0;
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    if (!in) {
      std::cerr << "error: cannot open " << f << "\n";
      ++unreadable;
      continue;
    }
    ImportReport rep;
    if (is_sqlite_file(f)) {
      in.close();
      import_database(f, store, set, rep);  // another kiosk's database file
    } else {
      import_jsonl(in, f, store, set, rep);
    }
    // Never raw: a file's text must not fake summary lines or drive the terminal.
    for (const auto& p : rep.problems) std::cerr << "refused " << printable(p) << "\n";
    if (rep.problems_more > 0) std::cerr << "… and " << rep.problems_more << " more\n";
    std::cout << f << ": " << rep.lines << " lines, " << rep.added() << " new, " << rep.already()
              << " already there, " << rep.conflicts() << " conflicting, " << rep.refused() << " refused\n";
    for (const auto& [k, v] : rep.kiosks) {
      auto& t = total.kiosks[k];
      t.added += v.added;
      t.already += v.already;
      t.refused += v.refused;
      t.conflicts += v.conflicts;
    }
  }
  if (files.size() > 1 || !total.kiosks.empty()) {
    std::cout << "per kiosk:\n";
    for (const auto& [k, v] : total.kiosks)
      std::cout << "  " << printable(k) << ": " << v.added << " new, " << v.already << " already there, " << v.conflicts
                << " conflicting, " << v.refused << " refused\n";
    std::cout << "total: " << total.added() << " new, " << total.already() << " already there, "
              << total.conflicts() << " conflicting, " << total.refused() << " refused\n";
  }
  return unreadable ? 1 : 0;
}

int indicators(const Common& c, const IndicatorArgs& a) {
  if (c.central.empty() && !database_exists(c)) return 1;
  Config cfg = load_cfg(c);
  IndicatorOptions o;
  if (!make_filter(a.filter, cfg.utc_offset_minutes, o.filter)) return 2;
  o.include_flagged = a.include_flagged;
  o.exclude_minors = a.exclude_minors;
  o.min_seconds_per_question = a.min_seconds.value_or(cfg.min_seconds_per_question);
  o.min_cell_n = a.min_cell_n;
  o.utc_offset_minutes = cfg.utc_offset_minutes;
  // Targets come from the catalog (assets/indicators.json), the one source of them.
  CatalogLoad cat = load_catalog(c.data_dir + "/assets/indicators.json");
  for (const auto& e : cat.errors) std::cerr << "warning: catalog: " << e << " (default targets used)\n";
  if (cat.catalog)
    for (const auto& d : cat.catalog->indicators)
      if (!d.rule.survey.empty()) o.targets[d.no] = d.rule.value;
  std::optional<Population> pop;
  if (!a.no_weighting) {
    std::string path = a.population.empty() ? c.data_dir + "/assets/population.json" : a.population;
    bool must = !a.population.empty();
    if (must || fs::exists(path)) {
      std::string err;
      pop = load_population(path, err);
      if (!pop) {
        std::cerr << "error: population margins: " << err << "\n";
        return 2;
      }
      o.population = &*pop;
    }
  }
  Source src;
  if (!src.open(c)) return 1;
  IndicatorReport r;
  QuestionnaireSet set;
  try {
    set = load_all(c, src.q, false);
    o.hall_names = src.halls(cfg, a.lang);
    r = compute_indicators(*src.q, set, o);
  } catch (const central::PgError& e) {
    Source::print_center_error(e);
    return 1;
  }
  if (a.format == "json") {
    std::cout << indicators_json(r).dump(2) << "\n";
    return 0;
  }
  Strings strings;
  std::vector<std::string> errors;
  strings.load_dir(c.data_dir + "/assets/i18n", errors);
  for (const auto& e : errors) std::cerr << "warning: " << e << "\n";
  std::cout << indicators_text(r, set, strings, a.lang);
  return 0;
}

namespace {
std::string fixed1(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.1f", v);
  return b;
}
}  // namespace

void console_analysis(const Common& c, DistrictAnalysis& a) {
  Config cfg = load_cfg(c);
  a.data_dir = c.data_dir;
  a.min_seconds_per_question = cfg.min_seconds_per_question;
  a.utc_offset_minutes = cfg.utc_offset_minutes;
  a.open = [](const std::string& url, const std::string& user, const std::string& password) {
    return std::unique_ptr<ResponseQueries>(std::make_unique<central::CentralQueries>(
        url, std::vector<std::pair<std::string, std::string>>{
                 {"user", user}, {"password", password}, {"connect_timeout", "10"}}));
  };
}

int alerts_check(const Common& c, const AlertArgs& a) {
  if (c.central.empty()) {
    std::cerr << "error: alerts are the center's: give --central URL\n";
    return 2;
  }
  Config cfg = load_cfg(c);
  AlertCheckOptions o;
  o.window_days = a.days;
  o.min_n = a.min_n;
  o.indicators.min_seconds_per_question = cfg.min_seconds_per_question;
  o.indicators.utc_offset_minutes = cfg.utc_offset_minutes;
  CatalogLoad cat = load_catalog(c.data_dir + "/assets/indicators.json");
  for (const auto& e : cat.errors) std::cerr << "warning: catalog: " << e << " (default targets used)\n";
  if (cat.catalog)
    for (const auto& d : cat.catalog->indicators)
      if (!d.rule.survey.empty()) o.indicators.targets[d.no] = d.rule.value;
  Source src;
  if (!src.open(c)) return 1;
  try {
    central::Conn conn(c.central);
    central::Result k = conn.exec("SELECT kiosk, hall_zh, hall_en FROM kiosks ORDER BY kiosk");
    for (int i = 0; i < k.rows(); ++i) o.kiosks[k.text(i, 0)] = {k.text(i, 1), k.text(i, 2)};
    QuestionnaireSet set = load_all(c, src.q, false);
    AlertCheckReport r = check_alerts(*src.q, conn, set, o, now_ms());
    for (const auto& b : r.below)
      std::cout << "below " << b.indicator << " " << (b.scope.empty() ? std::string("district") : b.scope) << ": "
                << fixed1(b.value) << "% [" << fixed1(b.lo) << ", " << fixed1(b.hi) << "] n=" << b.n << ", target "
                << fixed1(b.target) << "%\n";
    std::cout << "alerts check: " << r.scopes << " scopes over " << a.days << " days, " << r.raised << " raised, "
              << r.still_open << " already open or acknowledged\n";
    return 0;
  } catch (const central::PgError& e) {
    Source::print_center_error(e);
    return 1;
  }
}

std::string backup_folder(const Common& c, const std::string& configured) {
  if (!configured.empty()) return configured;
  return (fs::path(c.db_path()).parent_path() / "backups").string();
}

int backup(const Common& c, const std::string& to, bool force) {
  if (!database_exists(c)) return 1;
  // A refused target is said before anything is written (the audit entry below too).
  if (!to.empty())
    if (std::string e = backup_target_problem(to, force); !e.empty()) {
      std::cerr << "error: " << e << "\n";
      return 1;
    }
  Config cfg = load_cfg(c);
  auto opened = open_store(c);
  Store& store = *opened;
  {
    // The backup carries the chain's head as its newest entry, so a later cut in the
    // live log shows against any backup made before it.
    Catalog empty;
    AdminStore admin(store, empty);
    admin.use_anchor(anchor_path_for(c.config_path(), c.db_path()));
    AuditHead h = admin.audit_head();
    admin.audit("backup (command line)", "backup", "audit head before this entry: " + std::to_string(h.count) +
                                                       " entries, newest hash " + h.last_hash);
  }
  std::string written, err;
  if (!to.empty()) {
    err = backup_database(store, to, force);
    written = to;
  } else {
    err = backup_rotate(store, backup_folder(c, cfg.backup_dir), cfg.backup_keep, now_ms(), &written);
  }
  if (!err.empty()) {
    std::cerr << "error: " << err << "\n";
    return 1;
  }
  std::cout << "backed up " << c.db_path() << " to " << written << "\n";
  return 0;
}

int restore(const Common& c, const std::string& from) {
  std::string aside;
  std::string err = restore_database(from, c.db_path(), now_ms(), &aside);
  if (!err.empty()) {
    std::cerr << "error: " << err << "\n";
    return 1;
  }
  if (!aside.empty()) std::cout << "the database before the restore was kept as " << aside << "\n";
  std::cout << "restored " << from << " to " << c.db_path() << "\n";
  Store check(c.db_path());  // migrates an older backup to the current schema
  std::cout << check.count() << " responses\n";
  // The restored log is shorter than the anchored one by design: staff say so here,
  // in the log itself, and the anchor moves to the restored head.
  Catalog empty;
  AdminStore admin(check, empty);
  admin.use_anchor(anchor_path_for(c.config_path(), c.db_path()));
  if (std::string e = admin.reanchor("restored from " + from); !e.empty()) std::cerr << "warning: " << e << "\n";
  return 0;
}

int set_pin(const Common& c) {
  // Read from standard input so the PIN never appears in the process list or history.
  std::string pin, again;
  std::cerr << "new admin PIN (6-12 digits): ";
  std::getline(std::cin, pin);
  std::cerr << "again: ";
  std::getline(std::cin, again);
  if (pin != again) {
    std::cerr << "error: the two entries differ; nothing was changed\n";
    return 1;
  }
  Catalog empty;
  auto opened = open_store(c);
  Store& store = *opened;
  AdminStore admin(store, empty);
  admin.use_anchor(anchor_path_for(c.config_path(), c.db_path()));
  // The staff override: works whatever the database says, and is audited.
  std::string warning;
  std::string err = admin.set_pin(pin, "set-pin (command line)", &warning);
  if (!err.empty()) {
    std::cerr << "error: " << err << "\n";
    return 1;
  }
  if (!warning.empty()) std::cerr << "warning: " << warning << "\n";
  std::cout << "admin PIN set (recorded in the audit log)\n";
  return 0;
}

int setup_code(const Common& c) {
  Catalog empty;
  auto opened = open_store(c);
  Store& store = *opened;
  AdminStore admin(store, empty);
  admin.use_anchor(anchor_path_for(c.config_path(), c.db_path()));
  std::string code;
  if (std::string err = admin.issue_setup_code(code); !err.empty()) {
    std::cerr << "error: " << err << "\n";
    return 1;
  }
  std::cout << "one-time setup code: " << code << "\n"
            << "valid for 24 hours and for one use: on the kiosk, hold the top-left corner for 3 seconds, "
               "enter this code, then choose the admin PIN\n";
  return 0;
}

int audit_verify(const Common& c) {
  if (!database_exists(c)) return 1;
  Catalog empty;
  auto opened = open_store(c);
  Store& store = *opened;
  AdminStore admin(store, empty);
  std::string anchor = anchor_path_for(c.config_path(), c.db_path());
  bool had_anchor = fs::exists(anchor);
  admin.use_anchor(anchor);
  AuditVerdict v = admin.verify_audit_all();
  std::cout << "database: " << c.db_path() << "\n"
            << "audit log: " << v.head.count << " entries, newest hash " << v.head.last_hash << "\n";
  if (v.anchored)
    std::cout << "anchor " << anchor << ": " << v.anchored->count << " entries, newest hash "
              << v.anchored->last_hash << (had_anchor || !v.intact ? "" : " (created now: nothing to compare yet)") << "\n";
  for (const auto& p : v.problems) std::cout << "BROKEN " << p << "\n";
  if (!v.intact) {
    // Entries made by the guards' restoration are themselves logged for the record.
    if (!store.restored_guards().empty())
      admin.audit("audit verify (command line)", "guards_restored", "recreated at open: " + [&] {
        std::string g;
        for (const auto& n : store.restored_guards()) g += (g.empty() ? "" : ", ") + n;
        return g;
      }());
    return 1;
  }
  std::cout << "intact\n";
  return 0;
}

int demo_data(const Common& c, std::int64_t responses, std::uint64_t seed, const std::string& kiosk) {
  auto opened = open_store(c);
  Store& store = *opened;
  QuestionnaireSet set = load_all(c, nullptr, true);
  if (set.list.empty()) {
    std::cerr << "error: no valid questionnaires in " << c.questionnaire_dir() << "\n";
    return 1;
  }
  DemoOptions o;
  o.responses = responses;
  o.seed = seed;
  o.kiosk = kiosk;
  std::int64_t n = fill_demo_data(store, set, o, [&](std::int64_t done) {
    if (responses >= 20000) std::cerr << "\r" << done << " / " << responses << std::flush;
  });
  if (responses >= 20000) std::cerr << "\n";
  std::cout << "saved " << n << " demo responses (kiosk \"" << kiosk << "\") to " << c.db_path() << "\n";
  return 0;
}

}  // namespace eco::cli
