// The admin console's state, headless: sign-in with the PIN, the overview's filters,
// the indicator being edited, forms, and the survey figures computed off the UI
// thread. Views read it and hand back ConsoleIntents, like the kiosk's screens.
#pragma once
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "core/support/i18n.hpp"
#include "core/central/sync.hpp"
#include "core/storage/admin_store.hpp"
#include "core/support/result.hpp"
#include "core/support/run_queue.hpp"
#include "core/support/time.hpp"
#include "core/support/config.hpp"
#include "core/analysis/dashboard.hpp"
#include "core/analysis/indicators.hpp"
#include "core/analysis/survey_results.hpp"
#include "core/input/text_entry.hpp"

namespace eco {

enum class ConsolePage { pin, overview, detail, departments, survey, audit, settings };

// What a console screen asks for: one small struct per request, and std::monostate
// for nothing. ConsoleModel::apply() takes one per frame.
namespace console_intent {
struct PinKey { char digit; };                // '0'..'9'
struct PinDelete {};
struct PinSubmit {};
struct ShowPage { ConsolePage page; };
struct OpenIndicator { std::string id; };
struct FilterDomain { std::string domain; };  // "" = all
struct FilterStatus { std::string status; };  // "" = all
struct FilterDept { std::string dept; };      // "" = all
struct ToggleStar {};
struct SortBy { std::string order; };         // no, status, updated, dept
struct RecordValue { std::string indicator; };  // "" = the one open; the values are in the form
struct SetTask { std::string task; TaskStatus status; };
struct Refresh {};
struct Cancel {};                              // the survey figures or an export under way
struct ChangePin {};
struct SaveSettings {};
struct SignOut {};
struct SelectQuestionnaire { std::string id; };
struct ExportFile { std::string format, questionnaire; };  // questionnaire "" = all
// The touch keyboard for a form field: open it on a field (by name), a key or stroke,
// done (the field takes the text) or cancel (the field keeps what it had).
struct InputOpen { std::string field; };
struct Input { input::InputIntent input; };
struct InputDone {};
struct InputCancel {};
}  // namespace console_intent

using ConsoleIntent =
    std::variant<std::monostate, console_intent::PinKey, console_intent::PinDelete, console_intent::PinSubmit,
                 console_intent::ShowPage, console_intent::OpenIndicator, console_intent::FilterDomain,
                 console_intent::FilterStatus, console_intent::FilterDept, console_intent::ToggleStar,
                 console_intent::SortBy, console_intent::RecordValue, console_intent::SetTask,
                 console_intent::Refresh, console_intent::Cancel, console_intent::ChangePin,
                 console_intent::SaveSettings, console_intent::SignOut, console_intent::SelectQuestionnaire,
                 console_intent::ExportFile, console_intent::InputOpen, console_intent::Input,
                 console_intent::InputDone, console_intent::InputCancel>;
inline bool none(const ConsoleIntent& in) { return std::holds_alternative<std::monostate>(in); }

// What staff asked the exporter for, and what it wrote.
struct ExportRequest {
  std::string format, questionnaire;
  ResponseFilter dates;
  std::string folder;
};
struct ExportDone {
  std::string path;
  std::int64_t rows = 0;
  std::vector<std::string> notes;  // ExportResult::notes
};
using Exporter = std::function<Result<ExportDone>(Store& store, const ExportRequest& request,
                                                  const std::atomic<bool>* cancel)>;

// The line the console shows: a string key, its argument, and whether it is an error.
struct ConsoleMessage {
  std::string key, arg;  // key "" = nothing to show
  bool error = false;
};

// What the forms hold while being filled in; the views edit these in place.
struct RecordForm {
  std::string as_of, value, state, source, evidence;
  int judged = -1;  // -1 not chosen, 0 not met, 1 met
};
struct TaskForm {
  std::string note;
};
struct SettingsForm {
  std::string kiosk_id, hall_zh, title_zh, export_dir, default_lang;
  int idle_seconds = 60, first_question_idle_seconds = 20, countdown_seconds = 15, finish_seconds = 30;
  int speech_volume = 80;
  bool offer[3] = {true, true, true};
  std::string new_pin, new_pin_again;
};

// How the overview can be sorted (the console shows each as T("console.sort.") + mode).
inline constexpr const char* kSortModes[] = {"no", "status", "updated", "dept"};

class ConsoleModel {
 public:
  static constexpr TimeMs kIdleMs = 3 * 60 * 1000;  // back to the kiosk after this long untouched

  // db_path: the file the worker opens its own connection to (":memory:" runs inline).
  ConsoleModel(const Catalog& catalog, Store& store, std::string db_path, const QuestionnaireSet& set, Config cfg,
               std::string config_path, std::function<TimeMs()> clock = now_ms, std::function<void()> wake = {});
  ~ConsoleModel();

  void open();                // the kiosk's gesture: show the PIN pad
  bool take_exit();           // true once after sign-out or idle: the kiosk takes over again
  void apply(const ConsoleIntent& in);
  void touch();
  void tick();                // idle return, lock expiry, worker results
  TimeMs next_deadline() const;

  ConsolePage page() const { return page_; }
  bool signed_in() const { return signed_in_; }
  bool setting_first_pin() const { return first_pin_; }
  bool entering_setup_code() const { return setup_code_; }
  PinState pin_state() const { return pin_state_; }
  std::size_t pin_length() const { return pin_.size(); }
  const ConsoleMessage& note() const { return message_; }
  // The message as one line, "key" or "key|arg" (logs and tests).
  std::string message() const { return message_.arg.empty() ? message_.key : message_.key + "|" + message_.arg; }
  bool message_is_error() const { return message_.error; }
  TimeMs locked_until() const { return locked_until_; }
  int lock_seconds_left() const {
    TimeMs now = clock_();
    return locked_until_ > now ? static_cast<int>((locked_until_ - now + 999) / 1000) : 0;
  }

  const Catalog& catalog() const { return catalog_; }
  const Dashboard& dashboard() const { return dashboard_; }
  // Filters and sort applied; worked out again only when they or the dashboard change,
  // so the overview drawing it every frame allocates nothing.
  const std::vector<const DashboardRow*>& visible_rows() const;
  const DashboardRow* selected() const;
  const std::vector<IndicatorRecord>& selected_history() const { return history_; }
  std::vector<TaskUpdate> task_history(const std::string& task) { return admin_.task_history(task); }
  TaskStatus task_status(const std::string& task) const;
  const TaskUpdate* task_update(const std::string& task) const;  // the latest, or null
  // Read when the audit page opens (verifying the chain walks the whole log, so never per frame).
  const std::vector<AuditEntry>& audit_entries() const { return audit_; }
  bool audit_intact() const { return audit_intact_; }
  // The chain's head (entries, newest hash), the anchor's copy, and what is wrong.
  const AuditVerdict& audit_verdict() const { return audit_verdict_; }

  // Filters of the overview.
  std::string filter_domain, filter_status, filter_dept;  // "" = all
  bool star_only = false;
  std::string search;  // matched against number, name, lead department
  std::string sort = "no";  // one of kSortModes
  std::string dept_selected;  // department page
  std::string survey_selected = "knowledge";

  // Forms edited by the views.
  std::string user_name;  // who is recording; asked once per sign-in
  RecordForm form;
  TaskForm task_form;
  SettingsForm settings;

  // The on-screen input for staff at a touch screen with no keyboard: a form field
  // ("source", "evidence", "task_note", "user_name") is written on the kiosk's pad and
  // keys, then put back with 完成 (取消 leaves the field as it was).
  void set_text_input(const input::Recognizer* recognizer, input::PinyinEngine* pinyin,
                      std::function<bool(std::string_view)> showable = {});
  const input::TextEntry* text_entry() const { return input_field_.empty() ? nullptr : &entry_; }
  const std::string& input_field() const { return input_field_; }

  // Survey figures (worker thread).
  bool computing() const { return computing_; }
  double computing_seconds() const;
  const IndicatorReport* report() const { return report_ ? &*report_ : nullptr; }
  const SurveyResults* results() const { return results_ ? &*results_ : nullptr; }
  const Config& config() const { return cfg_; }
  std::string today() const;  // YYYY-MM-DD on the district's clock
  // Question and option text for the survey page (the id itself when unknown).
  const std::string& question_text(const std::string& questionnaire, const std::string& question,
                                   const std::string& lang) const;
  const std::string& option_text(const std::string& questionnaire, const std::string& question,
                                 const std::string& option, const std::string& lang) const;
  std::string last_export;  // path of the last export, shown in the console
  // The configured export folder, or ~/EcoKiosk-exports.
  std::string export_folder() const;

  // Export hook, set by the app; it runs on the worker thread with the worker's own
  // connection and returns the file written and its rows, or why it failed.
  Exporter exporter;
  std::string export_from, export_to;  // YYYY-MM-DD on the district's clock, "" = open
  std::string export_kiosk;            // the hall (kiosk id) to export, "" = every hall
  // Kiosks seen in the survey figures, for choosing a hall on screen.
  std::vector<std::string> export_kiosks() const;
  // "District Service Hall (kiosk-01)" for this kiosk's own id, else the id.
  std::string hall_label(const std::string& kiosk, const std::string& lang) const;
  // Mount points of removable drives (USB sticks under /media or /run/media).
  static std::vector<std::string> removable_drives(const std::string& mounts_file = "/proc/mounts");
  std::string export_target;  // "" = the configured export folder

  // Central sync as the worker last recorded it (read from the database while the
  // settings page is open, every few seconds, never per frame).
  bool sync_configured() const { return !cfg_.central_url.empty(); }
  // A kiosk that reports to the center keeps no indicator records or task updates of
  // its own: the center holds the one copy (issue 17), written from the district
  // console under each department's account. The kiosk's role may not write them there.
  bool records_at_center() const { return sync_configured(); }
  const central::SyncState& sync_state() const { return sync_state_; }
  void refresh_sync_state();

 private:
  void apply_signed_out(const ConsoleIntent& in);
  void show_page(ConsolePage p);
  void open_indicator(const std::string& id);
  void record_value(const std::string& indicator);
  void set_task(const console_intent::SetTask& t);
  void change_pin();
  void sign_out();
  void input_open(const std::string& name);
  void input_close();
  void sign_in(const std::string& pin);
  void refresh_pin_state();
  void rebuild();
  void start_refresh();
  void run_job(const std::function<void(Store&)>& job);
  void say(std::string key, bool error, std::string arg = {});
  void load_settings_form();
  void save_settings();

  const Catalog& catalog_;
  Store& store_;
  std::string db_path_;
  const QuestionnaireSet& set_;
  Config cfg_;
  std::string config_path_;
  std::function<TimeMs()> clock_;
  std::function<void()> wake_;
  AdminStore admin_;

  ConsolePage page_ = ConsolePage::pin;
  bool active_ = false, exit_ = false, signed_in_ = false, first_pin_ = false;
  std::string pin_, first_pin_value_;
  ConsoleMessage message_;
  TimeMs last_touch_ = 0, locked_until_ = 0;
  std::string selected_;
  std::vector<IndicatorRecord> history_;
  std::vector<AuditEntry> audit_;
  bool audit_intact_ = true;
  AuditVerdict audit_verdict_;
  PinState pin_state_ = PinState::none;
  bool setup_code_ = false;
  Dashboard dashboard_;
  std::uint64_t dashboard_serial_ = 0;  // counts rebuilds of dashboard_
  struct RowsKey {
    std::string domain, status, dept, search, sort;
    bool star = false;
    std::uint64_t serial = ~std::uint64_t{0};
  };
  mutable RowsKey rows_key_;  // what rows_ was worked out from
  mutable std::vector<const DashboardRow*> rows_;
  std::map<std::string, TaskStatus> task_states_;
  std::map<std::string, TaskUpdate> task_updates_;

  // Worker: computes the indicators and survey results (or an export) on its own
  // connection and posts a closure to ui_queue_; tick() drains it on the UI thread.
  std::thread worker_;
  std::atomic<bool> cancel_{false};
  void start_export(const std::string& format, const std::string& questionnaire);
  void take_figures(std::optional<IndicatorReport> rep, std::optional<SurveyResults> res, std::string err);
  void take_export(Result<ExportDone> done);
  void job_finished();
  bool computing_ = false;
  TimeMs computing_since_ = 0;
  std::optional<IndicatorReport> report_;
  std::optional<SurveyResults> results_;
  central::SyncState sync_state_;
  TimeMs next_sync_read_ = 0;
  input::TextEntry entry_;
  std::string input_field_;
  std::string* field(const std::string& name);
  RunQueue ui_queue_;  // last: its closures reach the members above

 public:
  // Tests: blocks until the worker has posted (true) or the time is up; tick() takes it.
  bool wait_for_worker(std::chrono::milliseconds limit) { return ui_queue_.wait(limit); }
};

}  // namespace eco
