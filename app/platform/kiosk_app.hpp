// What the kiosk runs on, built in order before any window exists: configuration,
// questionnaires, strings, the catalog, the database (or why there is none), the
// resident's KioskModel and the staff ConsoleModel with its exporter. All of it lives
// on the UI thread; the console's worker and the backups open connections of their own.
#pragma once
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "console/console_model.hpp"
#include "core/catalog/catalog.hpp"
#include "core/input/pinyin_engine.hpp"
#include "core/input/recognizer.hpp"
#include "core/support/config.hpp"
#include "core/support/i18n.hpp"
#include "kiosk/kiosk_model.hpp"
#include "platform/kiosk_window.hpp"

namespace eco::ui {

struct KioskApp {
  // Loads configuration, questionnaires and strings (what the first font atlas needs);
  // problems go to stderr. `wake` is how a console worker's result wakes the window's
  // event loop.
  KioskApp(const WindowOptions& options, std::function<void()> wake);
  // Then the database (its start-up check reads the whole file), the catalog and the
  // models: run on a thread of its own while the window opens (kiosk_window.cpp),
  // touching nothing the font bake reads. update_pending: left for update_database.
  void open_store_and_models();
  ~KioskApp();
  KioskApp(const KioskApp&) = delete;
  KioskApp& operator=(const KioskApp&) = delete;

  // Opens (or, while the kiosk runs without one, reopens) the database. False when it
  // is still unavailable: store_problem says why, reopen_later whether to try again.
  // `progress` as Store's (an older file's update, run on a worker by update_database).
  bool open_db(const Store::MigrationProgress& progress = {});
  // The threshold and UTC offset the indicators (the exports') use: the counted cells'.
  CellQuery cell_clock() const { return {cfg.min_seconds_per_question, cfg.utc_offset_minutes}; }
  // The console for the open database (none without one), with its exporter.
  void make_console();

  // The on-screen input's engines. librime deploys its dictionaries on a thread of its
  // own, into a private folder beside the database (the tour: a temporary one), and is
  // ready seconds later. The kiosk starts both at first use (start_text_input: the first
  // text question or the console), not before its first frame: zinnia reads its whole
  // 26 MB model and librime parses its schema, which the welcome screen never needs.
  void start_pinyin();
  void open_handwriting();
  void start_text_input();  // once: both engines (the handwriting model on this thread)
  void wait_for_pinyin();  // the tour: pinyin ready before it is shown
  // Hands the engines to the models; `resident` and `staff` tell which candidates the
  // resident's input font and the console's font can draw (the fonts live in the frame).
  using Showable = std::function<bool(std::string_view)>;
  void attach_input(Showable resident, Showable staff);

  const WindowOptions& o;
  bool tour;  // the screenshot tour: an in-memory database and a fake clock
  Config cfg;
  std::string config_path, db_path;
  QuestionnaireSet set;        // installed, and the center's published versions kept from the last pull
  QuestionnaireSet installed;  // the questionnaires/ folder's alone (what the center's versions join)
  Strings strings;
  Catalog catalog;
  std::string refusal;          // the kiosk id cannot be trusted: shown instead of the survey
  std::string startup_warning;  // shown to staff in the console
  std::string store_problem;    // no database: shown to staff after the corner gesture
  bool reopen_later = false;    // a lock, a full disk...: tried again while the kiosk runs
  // The database is of an older schema: it is opened (and updated) only once the window
  // shows the update's progress (platform/database_update.hpp), not in the constructor.
  bool update_pending = false;
  std::unique_ptr<Store> store;
  TimeMs fake_now = 1'561'000'000'000;  // the tour's clock
  std::function<TimeMs()> clock;
  std::unique_ptr<KioskModel> model;
  std::unique_ptr<ConsoleModel> console;
  std::function<void()> wake;
  input::Recognizer recognizer;
  input::PinyinEngine pinyin;

  // The configuration the kiosk offers residents: the center's settings over cfg when
  // it kept a pulled set (load_published_set), else cfg. Fixed after the constructor.
  const Config& offered_config() const { return published_config_ ? *published_config_ : cfg; }

 private:
  void load_config_and_data();
  void load_published_set();
  std::vector<std::string> unknown_ids_;
  std::optional<Config> published_config_;  // the center's settings over cfg, from the last pull
  Showable staff_showable_;
  std::string rime_dir_;
  bool text_input_started_ = false;
  std::thread pinyin_thread_;  // last: joined before the engines go  // configured questionnaires that are not installed
};

// The console's exporter: the options from what the app knows (strings, configuration),
// the file named by questionnaire and minute. Runs on the console's worker thread.
Exporter make_exporter(const Strings& strings, const QuestionnaireSet& set, const Config& cfg,
                       std::function<TimeMs()> clock);

}  // namespace eco::ui
