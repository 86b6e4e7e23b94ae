#include "platform/kiosk_app.hpp"

#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <sstream>

#include "core/central/publish.hpp"
#include "core/output/export.hpp"
#include "core/storage/db_maintenance.hpp"
#include "core/storage/store.hpp"

namespace eco::ui {

KioskApp::KioskApp(const WindowOptions& options, std::function<void()> wake_loop)
    : o(options), tour(!options.screenshot_dir.empty()), wake(std::move(wake_loop)) {
  load_config_and_data();
  clock = tour ? std::function<TimeMs()>([this] { return fake_now; }) : std::function<TimeMs()>(now_ms);
}

void KioskApp::open_store_and_models() {
  // An older file, or cells counted on another threshold or UTC offset than the
  // settings' (changed since): counted again behind the update screen's progress bar.
  update_pending = !tour && migration_pending(db_path, cell_clock());
  if (!update_pending) open_db();
  for (const auto& e : unknown_ids_) startup_warning += (startup_warning.empty() ? "" : "  ·  ") + e;
  model = std::make_unique<KioskModel>(published_config_.value_or(cfg), set, store.get(), clock, tour ? 7 : 0);
  if (!store && !update_pending)
    model->set_store_problem(store_problem.empty() ? std::string("no database") : store_problem);
  CatalogLoad cat = load_catalog(o.data_dir + "/assets/indicators.json");
  for (const auto& e : cat.errors) std::cerr << "catalog: " << e << "\n";
  if (cat.catalog) catalog = std::move(*cat.catalog);
  make_console();
}

void KioskApp::load_config_and_data() {
  config_path = o.config.empty() ? Config::default_path() : o.config;
  ConfigLoad cl = load_config(config_path);
  for (const auto& e : cl.errors) std::cerr << "config: " << e << "\n";
  cfg = cl.config;
  if (!o.lang.empty()) cfg.default_lang = o.lang;
  set = load_questionnaire_dir(o.data_dir + "/questionnaires");
  for (const auto& e : set.errors) std::cerr << "questionnaire refused: " << e.to_string() << "\n";
  // A kiosk whose id cannot be trusted would store responses under the wrong kiosk: it
  // shows staff why on screen instead of serving residents.
  refusal = tour ? std::string() : cl.kiosk_refused;
  if (!refusal.empty()) {
    std::cerr << "error: the kiosk does not start: " << refusal << "\n";
    for (const auto& e : cl.errors) refusal += "\n" + e;
  }
  installed = set;
  if (!tour && !cfg.central_url.empty()) load_published_set();
  std::vector<std::string> known_ids;
  for (const auto& q : set.list) known_ids.push_back(q.id);
  unknown_ids_ = unknown_questionnaires(published_config_.value_or(cfg), known_ids);
  for (const auto& e : unknown_ids_) std::cerr << "config: " << e << "\n";
  std::vector<std::string> serr;
  strings.load_dir(o.data_dir + "/assets/i18n", serr);
  for (const auto& e : serr) std::cerr << "strings: " << e << "\n";
  db_path = tour ? std::string(":memory:") : (o.db.empty() ? Store::default_path() : o.db);
}

// The center's questionnaires and settings as last pulled (central/publish.hpp): a
// kiosk restarted while the center is unreachable runs them, checked again by the loader.
void KioskApp::load_published_set() {
  std::string why;
  std::optional<central::Published> p = central::load_published(central::published_path(config_path), &why);
  if (!p) {
    if (!why.empty()) std::cerr << "published: " << why << "; running the installed questionnaires\n";
    return;
  }
  central::KioskOffer offer = central::build_offer(installed, cfg, *p);
  for (const auto& e : offer.problems) std::cerr << "published: " << e << "\n";
  std::cerr << "published: running " << central::offered_versions(*offer.set, offer.config) << " (kept from "
            << to_iso_utc(p->pulled_at) << ")\n";
  set = *offer.set;
  published_config_ = offer.config;
}

bool KioskApp::open_db(const Store::MigrationProgress& progress) {
  try {
    OpenedStore opened = open_store_checked(db_path, now_ms(), progress);
    store = std::move(opened.store);
    // Each line in one write: this runs on the database update's worker while the
    // window's thread logs the progress (piecewise writes came out interleaved).
    if (store->recount_cells(cell_clock(), progress)) {
      std::ostringstream line;
      line << "indicator cells counted again on " << cfg.min_seconds_per_question << " s per question, UTC offset "
           << cfg.utc_offset_minutes << " min\n";
      std::cerr << line.str();
    }
    if (!opened.moved_aside.empty()) {
      startup_warning = strings.get(cfg.default_lang, T("console.db_moved_aside")) + " " + opened.moved_aside;
      std::cerr << "database was damaged (" + opened.problem + "); kept as " + opened.moved_aside + ", a fresh one started\n";
    }
    for (const auto& q : set.list)
      if (const std::string* e = set.expanded_json(q)) store->remember_definition(q, *e);
    // A session on screen when the power went or the process died counts as abandoned.
    if (std::int64_t n = store->recover_interrupted(now_ms()))
      std::cerr << std::to_string(n) + " interrupted session(s) recorded as abandoned\n";
  } catch (const std::exception& e) {
    // The kiosk still runs: answers stay in memory and saving is retried (KioskModel).
    // The file itself was left where it is (only real damage is ever moved aside).
    store_problem = e.what();
    // A newer program's database stays unreadable until the program is updated.
    auto* db_error = dynamic_cast<const DbError*>(&e);
    reopen_later = !(db_error && db_error->code == Store::kNewerSchemaCode);
    std::cerr << std::string("database unavailable (the file was left as it is; responses are kept in memory): ") + e.what() + "\n";
  }
  return store != nullptr;
}

void KioskApp::make_console() {
  if (!store) return;
  console = std::make_unique<ConsoleModel>(catalog, *store, db_path, set, cfg, config_path, clock, wake);
  console->exporter = make_exporter(strings, set, cfg, clock);
  // Staff write notes with the kiosk's input; the console's font has the common characters.
  if (staff_showable_) console->set_text_input(&recognizer, &pinyin, staff_showable_);
}

KioskApp::~KioskApp() {
  wait_for_pinyin();  // a deployment still running finishes first (seconds at most)
  if (tour && !rime_dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(rime_dir_, ec);
  }
}

void KioskApp::start_pinyin() {
  rime_dir_ = tour ? (std::filesystem::temp_directory_path() / ("ecokiosk-tour-rime-" + std::to_string(getpid()))).string()
                   : (std::filesystem::path(db_path).parent_path() / "rime").string();
  pinyin_thread_ = std::thread([this, dir = rime_dir_] {
    if (!pinyin.start({dir})) std::cerr << "pinyin input unavailable: " << pinyin.error() << "\n";
  });
}

void KioskApp::open_handwriting() {
  if (!recognizer.open()) std::cerr << "handwriting input unavailable: " << recognizer.error() << "\n";
}

void KioskApp::start_text_input() {
  if (text_input_started_) return;
  text_input_started_ = true;
  start_pinyin();
  open_handwriting();
}

void KioskApp::wait_for_pinyin() {
  if (pinyin_thread_.joinable()) pinyin_thread_.join();
}

void KioskApp::attach_input(Showable resident, Showable staff) {
  model->set_text_input(&recognizer, &pinyin, std::move(resident));
  staff_showable_ = std::move(staff);
  if (console) console->set_text_input(&recognizer, &pinyin, staff_showable_);
}

Exporter make_exporter(const Strings& strings, const QuestionnaireSet& set, const Config& cfg,
                       std::function<TimeMs()> clock) {
  return [&strings, &set, &cfg, clock](Store& s, const ExportRequest& req,
                                       const std::atomic<bool>* cancel) -> Result<ExportDone> {
    ExportOptions eo;
    eo.format = req.format;
    eo.questionnaire = req.questionnaire;
    eo.filter = req.dates;
    std::string stamp = to_iso_utc(clock() + cfg.utc_offset_minutes * 60000LL);
    stamp = stamp.substr(0, 10) + "-" + stamp.substr(11, 2) + stamp.substr(14, 2);
    const std::string& q = req.questionnaire;
    eo.out = req.folder + "/ecokiosk-" + (q.empty() ? std::string("all") : q) + "-" + stamp + "." + req.format;
    eo.min_seconds_per_question = cfg.min_seconds_per_question;
    eo.utc_offset_minutes = cfg.utc_offset_minutes;
    eo.strings = &strings;
    eo.lang = cfg.default_lang;
    eo.cancel = cancel;
    eo.replace = true;  // the name is ours (questionnaire and minute), not typed by staff
    eo.district = cfg.district_title;
    if (auto h = cfg.hall_name.find(eo.lang); h != cfg.hall_name.end()) eo.hall_names[cfg.kiosk_id] = h->second;
    ExportResult r = export_data(s, set, eo);
    if (!r.error.empty()) return Error{r.error};
    return ExportDone{r.files.empty() ? eo.out : r.files.front(), r.rows, r.notes};
  };
}

}  // namespace eco::ui
