// The SQLite store: completed responses (one row per answer atom, so aggregation is
// plain SQL), abandoned sessions, and the questionnaire definitions responses refer to.
// It answers the engine-free queries of response_queries.hpp; its connection is its own
// (storage code that needs it goes through StoreAccess, store_access.hpp).
#pragma once
#include <array>
#include <functional>
#include <memory>
#include <map>
#include <tuple>
#include <unordered_map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/survey/response.hpp"
#include "core/support/time.hpp"
#include "core/storage/batch_counts.hpp"
#include "core/storage/response_queries.hpp"
#include "core/storage/sqlite.hpp"
#include "core/storage/staff_call.hpp"

namespace eco {

struct Questionnaire;

class Store;
class CellCounter;
// "" when db is an EcoKiosk database this program can open (schema 1..current), else
// why not ("newer than this program", "not an EcoKiosk database").
std::string ecokiosk_schema_problem(Db& db);

class Store final : public ResponseQueries {
 public:
  static constexpr int kSchemaVersion = 11;
  // DbError::code when the file comes from a newer program (not an SQLite code).
  static constexpr int kNewerSchemaCode = -1;

  // Opens or creates the database and brings its schema up to date.
  // Throws DbError with a message naming the file when that cannot be done.
  // A migration that fills a table from the stored responses (minutes on an old
  // database of a million) reports (responses done, of total) as it goes; it commits in
  // short steps, so an open that is killed or throws from `progress` loses nothing and
  // the next open carries on where it stopped.
  using MigrationProgress = std::function<void(std::int64_t done, std::int64_t total)>;
  explicit Store(const std::string& path, const MigrationProgress& progress = {});
  // Responses per step of such a migration: a few hundred milliseconds of work, so an
  // interruption costs little and the progress bar moves. Tests make it small.
  static inline std::int64_t migration_chunk = 20000;
  // Opens another kiosk's database for reading only: through SQLite, so what its -wal
  // holds is read too; nothing is migrated or written (the file must not change).
  // Throws DbError unless it is an EcoKiosk database of schema 1..kSchemaVersion.
  struct ReadOnly {};
  Store(const std::string& path, ReadOnly);

  // Counts the indicators' cells (metrics_cells) again on `clock` (the settings'
  // threshold and UTC offset) unless they are counted on it already; returns whether it
  // did. Until then a query on that clock reads every metrics row: right, but slower.
  // Done as migration 11's fill again (the schema steps back to 10 with the new clock
  // stored), so it takes the same short steps, reports through `progress` the same way,
  // and a kill or a throw from `progress` loses nothing: the next open carries on.
  // (migration_pending, db_maintenance.hpp, tells beforehand whether an open will.)
  bool recount_cells(const CellQuery& clock, const MigrationProgress& progress = {});

  // $XDG_DATA_HOME/ecokiosk/ecokiosk.db (~/.local/share when unset); creates the folder.
  static std::string default_path();

  int schema_version();

  enum class Saved { inserted, duplicate };
  // One transaction per response (unless inside a batch); a response whose id is
  // already stored is left as it was and reported as duplicate. Its metrics
  // (core/survey/metrics.hpp), worked out by the caller, are stored with it when given.
  Saved save(const Response& r, const std::optional<ResponseMetrics>& m = std::nullopt);

  std::int64_t fill_missing_metrics(const MetricsFn& score) override;
  ~Store() override;

  // Small dictionary of repeated strings (kiosk ids, demographic codes, item ids)
  // so the metrics table stays narrow. label_id creates one when missing.
  std::int64_t label_id(std::string_view kind, std::string_view value);
  const std::string& label_text(std::int64_t id) override;
  std::optional<std::int64_t> find_label(std::string_view kind, std::string_view value);
  void save_abandoned(const Abandoned& a);
  // 呼叫工作人员: kept for the console (newest first from staff_calls).
  void log_staff_call(const StaffCall& c);
  std::vector<StaffCall> staff_calls(int limit = 50);

  // The session on screen (updated as the resident moves on), cleared when it ends.
  void mark_in_progress(const Abandoned& where);
  void clear_in_progress(const std::string& uuid);
  // At start-up: sessions left on screen by a crash or power cut become abandoned.
  std::int64_t recover_interrupted(TimeMs now);

  // Many saves in one transaction, for imports and demo data. fn runs inside it;
  // an exception rolls the whole batch back. Each save in it has its own savepoint, so
  // a caller that catches a failed save keeps the batch's other responses; a caller
  // that never catches (import: a failed save ends the import) asks for whole_only and
  // saves without them (a fifth of a save's SQLite work was journalling the pages each
  // savepoint touched).
  enum class BatchFailure { per_save, whole_only };
  void batch(const std::function<void()>& fn, BatchFailure failure = BatchFailure::per_save);
  // A batch's hourly counts go this many rows to a statement (the rest one each): at 8,
  // SQLite's own work per statement was a sixth of writing them (demo data, issue 20).
  static constexpr int kCountRows = 128;

  // Stored once per (questionnaire, version, hash), so a database explains its own data.
  void remember_definition(const Questionnaire& q, const std::string& expanded_json);
  std::vector<StoredDefinition> definitions() override;

  // The queries of response_queries.hpp.
  using ResponseQueries::count;
  std::int64_t count(const ResponseFilter& f) override;
  std::int64_t abandoned_count(const std::string& questionnaire = "") override;
  bool contains(const std::string& uuid) override;
  void each_with_id(const ResponseFilter& f, const ResponseRowFn& fn) override;
  void each_metrics(const ResponseFilter& f, const std::function<void(const MetricsRow&)>& fn) override;
  std::vector<std::int64_t> excluded_responses(double min_seconds_per_question) override;
  std::optional<TimeSpan> completed_span(const ResponseFilter& f) override;
  std::vector<DayCountRow> responses_per_day(const ResponseFilter& f, int utc_offset_minutes) override;
  std::vector<QuestionnaireCount> flagged_per_questionnaire(const ResponseFilter& f) override;
  std::vector<AbandonedAtRow> abandoned_at(const ResponseFilter& f) override;
  std::vector<AnswerCountRow> answer_counts(const ResponseFilter& f) override;
  void set_cancel(const std::atomic<bool>* flag) override;
  void read_consistently(const std::function<void()>& body) override;
  // The indicators' cells: read from metrics_cells (schema 11) when they answer the
  // query (no date or kiosk filter, the clock they were counted on), else counted from
  // the rows as the default does.
  bool counts_cells(const ResponseFilter& f, const CellQuery& q) override;
  void each_metrics_cell(const ResponseFilter& f, const CellQuery& q,
                         const std::function<void(const MetricsCell&)>& fn) override;
  // The same two answers by reading every response: what the hourly counts replace
  // where they can (see hours_answer), and what tests compare them with.
  std::vector<DayCountRow> responses_per_day_by_scan(const ResponseFilter& f, int utc_offset_minutes);
  std::vector<QuestionnaireCount> flagged_per_questionnaire_by_scan(const ResponseFilter& f);

  // Folds the write-ahead log into the database file (before a copy is moved into place).
  void checkpoint();
  // Append-only triggers found missing at open (dropped outside the program) and
  // recreated; core/admin_store reports them.
  const std::vector<std::string>& restored_guards() const { return restored_guards_; }

 private:
  friend struct StoreAccess;  // the connection, for the other storage code and tests
  Db& db() { return *db_; }
  // Runs a query; one that the cancel flag interrupted throws QueryCancelled.
  template <class F> auto cancellable(F&& f) -> decltype(f());
  const std::atomic<bool>* cancel_ = nullptr;
  void migrate(const MigrationProgress& progress);
  void restore_guards();
  std::vector<std::string> restored_guards_;
  void save_metrics(std::int64_t rid, const Response& r, const ResponseMetrics& m);
  void reset_after_failure();
  using CountRef = HourCountRef;
  void insert_answers(std::int64_t rid, const Response& r);
  // insert_answers' rows and counts, and the texts it masked: members, so their buffers
  // serve every save (an allocation each per response was 3% of an import's CPU).
  struct AnswerRow {
    std::string_view qid;
    int kind;
    std::string_view item;
    std::optional<std::int64_t> value;
    const std::string* text;
  };
  std::vector<AnswerRow> answer_rows_;
  std::vector<std::pair<CountRef, std::int64_t>> answer_counts_;
  std::vector<std::string> masked_;
  std::string drawn_json_;
  void write_count(const CountRef& k, std::int64_t n, std::int64_t total);
  static void bind_count(Stmt& s, int base, const CountRef& k, std::int64_t n, std::int64_t total);
  // One more response (n) or flagged response in its hour (response_counts, schema 8).
  void count_response(const Response& r, std::int64_t n, std::int64_t flagged);
  // A batch's answer counts, written once at its end (batch_counts.hpp).
  BatchCounts pending_counts_;
  // A batch's response counts by (questionnaire, hour, kiosk): responses and flagged
  // ones, likewise written once at its end instead of an upsert per response.
  std::map<std::tuple<std::string, std::int64_t, std::string>, std::pair<std::int64_t, std::int64_t>> pending_responses_;
  void write_pending_counts();
  void load_labels();
  void forget_labels();
  std::unique_ptr<Db> db_;
  std::unordered_map<std::string, std::int64_t> label_ids_;  // kind + '\x1f' + value
  std::unordered_map<std::int64_t, std::string> label_texts_;
  std::unique_ptr<Stmt> insert_metrics_, find_duplicate_, insert_label_, find_label_, label_text_, count_answer_,
      count_response_, clear_in_progress_, count_answers_;
  std::unique_ptr<Stmt> insert_response_, find_uuid_;
  static constexpr int kAnswerRows = 8;  // answer rows at most per statement
  // [k] inserts k answer rows: a response's last few rows go in one statement, not one each.
  std::array<std::unique_ptr<Stmt>, kAnswerRows + 1> insert_answers_;
  std::unique_ptr<Stmt> savepoint_, release_, rollback_to_;  // a batch's per-response savepoint, prepared once
  bool in_batch_ = false;
  bool reading_ = false;  // inside read_consistently: one read transaction, nothing written
  bool batch_savepoints_ = true;  // false in a BatchFailure::whole_only batch
  // In a batch: in_progress held no row when it began. The batch holds the write lock
  // from its BEGIN IMMEDIATE, so no other connection can add one, and a save skips its
  // DELETE there; this connection's own mark_in_progress turns the skip off.
  bool batch_no_in_progress_ = false;
  std::unique_ptr<CellCounter> cells_;      // null when read-only
  std::vector<ItemOutcome> cell_outcomes_;  // save_metrics' outcomes as label ids, kept for their buffer
  bool hours_answer(const ResponseFilter& f, int utc_offset_minutes);
  std::optional<bool> has_response_counts_;
};

}  // namespace eco
