// The district console's state, headless (issue 17): sign-in with a personal account
// (a libpq connection as that login: the engine authenticates), the department's
// indicators and tasks, the fleet and the audit. Every database call runs on one worker
// thread that owns the connection; results come back through a RunQueue drained by
// tick() on the UI thread, so a slow or unreachable center never stalls a frame. What
// the account may do is the engine's to decide: the model hides what the role cannot
// do, and shows the engine's refusal when asked anyway.
#pragma once
#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "core/catalog/catalog.hpp"
#include "core/analysis/indicators.hpp"
#include "core/central/accounts.hpp"
#include "core/central/alerts.hpp"
#include "core/central/district.hpp"
#include "core/central/publish.hpp"
#include "core/storage/record_queries.hpp"
#include "core/support/i18n.hpp"
#include "core/support/run_queue.hpp"
#include "core/survey/questionnaire_loader.hpp"

namespace eco {

enum class DistrictPage { sign_in, mine, fleet, audit, alerts, results, exports, accounts, publish };

namespace district_intent {
struct SignIn {};  // user and password from the form
struct SignOut {};
struct ShowPage { DistrictPage page; };
struct OpenIndicator { std::string id; };
struct Record {};  // the form, for the indicator open
struct SetTask { std::string task; TaskStatus status; };
struct Refresh {};
struct AckAlert { std::int64_t id; };  // with alert_note
struct Export {};        // the export form
struct CancelExport {};
struct AddAccount {};    // the account form
struct SetAccountEnabled { std::string name; bool enabled; };
struct Publish {};  // the file in publish_path
struct Withdraw { std::string questionnaire; int version; };
}  // namespace district_intent

using DistrictIntent =
    std::variant<std::monostate, district_intent::SignIn, district_intent::SignOut, district_intent::ShowPage,
                 district_intent::OpenIndicator, district_intent::Record, district_intent::SetTask,
                 district_intent::Refresh, district_intent::AckAlert, district_intent::Export,
                 district_intent::CancelExport, district_intent::AddAccount, district_intent::SetAccountEnabled,
                 district_intent::Publish, district_intent::Withdraw>;

struct DistrictForm {
  std::string as_of, value, state, source, evidence;
  int judged = -1;  // -1 not chosen, 0 not met, 1 met
};

// What the console's export page offers (as `export --format`, but the JSON Lines stream).
inline constexpr const char* kDistrictExportFormats[] = {"xlsx", "csv", "sav", "dta", "pdf", "html"};

struct DistrictExportForm {
  std::string format = "xlsx";  // xlsx, csv, sav, dta, pdf, html (as `export --format`)
  std::string out;              // the file ("" = ~/ecokiosk-<today>.<format>)
  bool include_flagged = false;
};
struct DistrictAccountForm {
  std::string name, department, password;
  central::AccountKind kind = central::AccountKind::department;
};

// The center's responses for the survey pages, opened as the signed-in login on a second
// connection. The command line passes central::CentralQueries: nothing here names the
// engine (tests/test_architecture.cpp), so the figures are compute_indicators' own.
using CenterQueriesOpener = std::function<std::unique_ptr<ResponseQueries>(
    const std::string& url, const std::string& user, const std::string& password)>;
struct DistrictAnalysis {
  CenterQueriesOpener open;
  std::string data_dir;  // questionnaires/, assets/i18n (the exports' labels)
  double min_seconds_per_question = 2.0;
  int utc_offset_minutes = 480;
  int alert_window_days = 30;
};

class DistrictModel {
 public:
  // url: the center (postgresql://HOST:PORT/DB?sslmode=verify-full…), without a login.
  DistrictModel(const Catalog& catalog, std::string url, std::function<void()> wake = {});
  ~DistrictModel();
  DistrictModel(const DistrictModel&) = delete;
  DistrictModel& operator=(const DistrictModel&) = delete;

  // Before sign-in: lets the propaganda department see results, export and raise alerts.
  void set_analysis(DistrictAnalysis a) { analysis_ = std::move(a); }

  void apply(const DistrictIntent& in);
  void tick();  // the worker's results (UI thread)
  bool busy() const { return pending_ > 0; }

  // Forms, edited in place by the screens.
  std::string user, password;
  DistrictForm form;
  std::string task_note;
  std::string alert_note;  // the acknowledgement's note
  DistrictExportForm export_form;
  DistrictAccountForm account_form;
  std::string publish_path;  // the questionnaire file to publish (checked by the kiosk's loader first)
  bool alerts_all = false;  // the alerts page: acknowledged ones too
  central::AuditFilter audit_filter;  // the audit page's filters; Refresh applies them

  DistrictPage page() const { return page_; }
  bool signed_in() const { return account_.has_value(); }
  const std::optional<central::Account>& account() const { return account_; }
  const Catalog& catalog() const { return catalog_; }
  // The department's indicators (led) and tasks (responsible or cooperating), in
  // catalog order; empty for propaganda and admins.
  const std::vector<std::string>& my_indicators() const { return mine_; }
  const std::vector<std::pair<std::string, bool>>& my_tasks() const { return tasks_; }
  bool leads(const std::string& indicator) const;
  const std::string& open_indicator() const { return open_; }
  const IndicatorRecord* latest(const std::string& indicator) const;
  const TaskUpdate* task_update(const std::string& task) const;
  const std::vector<central::FleetRow>& fleet() const { return fleet_; }
  const std::vector<central::CentralAuditEntry>& audit() const { return audit_; }
  // The alerts the account may see (its department's; every one for propaganda and
  // admins), open first; loaded at sign-in so the tab can show how many are open.
  const std::vector<central::Alert>& alerts() const { return alerts_; }
  int open_alerts() const;
  // The district's survey results (propaganda), as `--central URL indicators` computes
  // them, with the kiosk (hall) breakdown; nullopt until loaded.
  const std::optional<IndicatorReport>& results() const { return results_; }
  // Kiosk id -> {hall_zh, hall_en}.
  const std::map<std::string, std::pair<std::string, std::string>>& halls() const { return halls_; }
  bool may_see_results() const;      // propaganda, when the console can open the responses
  bool may_manage_accounts() const;  // admins
  bool may_publish() const;          // admins (the engine grants ecokiosk_publish to them only)
  // What is published (every version, withdrawn ones too), loaded with the publish page.
  const std::vector<central::PublishedRow>& published() const { return published_; }
  // The export running on the worker: since when; what it wrote when done.
  bool exporting() const { return export_started_ != 0; }
  TimeMs export_started() const { return export_started_; }
  const std::vector<std::string>& export_files() const { return export_files_; }
  std::int64_t export_rows() const { return export_rows_; }
  std::string default_export_path() const;
  const std::vector<central::AccountRow>& accounts() const { return accounts_; }
  const std::vector<std::string>& departments() const { return departments_; }
  // What the page may show: the fleet to propaganda and admins, the whole audit to admins.
  bool may_see_fleet() const;

  // "key" or "key|arg" (tests, logs); the screens show key in words and arg as it is.
  std::string message() const { return arg_.empty() ? key_ : key_ + "|" + arg_; }
  const std::string& message_key() const { return key_; }
  const std::string& message_arg() const { return arg_; }
  bool message_is_error() const { return error_; }

  // Tests: waits until the worker has posted (true) or the time is up; tick() takes it.
  bool wait_for_worker(std::chrono::milliseconds limit) { return queue_.wait(limit); }
  // Tests and the screenshot tour: runs until nothing is pending (or the time is up).
  bool settle(std::chrono::milliseconds limit);

 private:
  using Job = std::function<void(std::unique_ptr<central::Conn>&)>;
  void submit(Job job);
  void say(std::string key, bool error, std::string arg = {});
  void fail(const central::PgError& e);
  void refused(const central::PgError& e, const char* key);
  // An admin's change on the worker: `work` runs on the signed-in connection and posts
  // its own result; a refusal is posted as refused(e, refused_key).
  void submit_change(const char* refused_key, std::function<void(central::Conn&)> work);
  void sign_in();
  void sign_out();
  void load_page(DistrictPage p);
  void record();
  void set_task(const district_intent::SetTask& t);
  void ack_alert(std::int64_t id);
  void start_export();
  void add_account();
  void set_account_enabled(const district_intent::SetAccountEnabled& e);
  void publish_file();
  void withdraw(const district_intent::Withdraw& w);
  void load_alerts(bool raise);
  // Worker thread only: the second connection and the questionnaires.
  void open_analysis(const std::string& url, const std::string& user, const std::string& password);
  void loop();

  const Catalog& catalog_;
  std::string url_;
  DistrictPage page_ = DistrictPage::sign_in;
  std::optional<central::Account> account_;
  std::vector<std::string> mine_;
  std::vector<std::pair<std::string, bool>> tasks_;
  std::map<std::string, IndicatorRecord> latest_;
  std::map<std::string, TaskUpdate> task_updates_;
  std::vector<central::FleetRow> fleet_;
  std::vector<central::CentralAuditEntry> audit_;
  std::vector<central::Alert> alerts_;
  std::optional<IndicatorReport> results_;
  std::map<std::string, std::pair<std::string, std::string>> halls_;
  std::vector<central::AccountRow> accounts_;
  std::vector<std::string> departments_;
  std::vector<central::PublishedRow> published_;
  TimeMs export_started_ = 0;
  std::vector<std::string> export_files_;
  std::int64_t export_rows_ = 0;
  DistrictAnalysis analysis_;
  // Worker thread only.
  std::unique_ptr<ResponseQueries> rq_;
  QuestionnaireSet set_;
  Strings export_strings_;
  std::atomic<bool> cancel_export_{false};
  std::string open_;
  std::string key_, arg_;
  bool error_ = false;
  int pending_ = 0;

  // The worker: one thread, one connection, jobs in order.
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> jobs_;
  bool stopping_ = false;
  std::thread worker_;
  RunQueue queue_;  // last: its closures reach the members above
};

}  // namespace eco
