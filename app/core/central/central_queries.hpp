// The center's answers to the engine-free queries of core/storage/response_queries.hpp,
// so compute_indicators, the survey results and every export run unchanged over all
// kiosks' responses in PostgreSQL (`ecokiosk --central URL indicators|export`).
//
// Semantics follow the kiosk's SQLite store (store_queries.cpp) exactly: the same
// filters and day boundaries, rows in the same order (arrival order stands for saved
// order: responses.rid), the same exclusions. Large results stream through a cursor,
// a few thousand rows at a time. Labels are numbered here, per connection, as they are
// first seen. Read with a reader's or the district IT's login; only the latter may
// fill in metrics a kiosk did not send.
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/central/pg.hpp"
#include "core/storage/response_queries.hpp"

namespace eco::central {

class CentralQueries final : public ResponseQueries {
 public:
  // Connects (url may carry the login; libpq's PGPASSWORD and ~/.pgpass apply) and
  // checks the schema. Throws PgError with its status when either fails.
  explicit CentralQueries(const std::string& url);
  // With libpq keywords on top of the URL (the console's user and password).
  CentralQueries(const std::string& url, const std::vector<std::pair<std::string, std::string>>& extra);
  ~CentralQueries() override;

  using ResponseQueries::count;
  std::int64_t count(const ResponseFilter& f) override;
  std::int64_t abandoned_count(const std::string& questionnaire) override;
  bool contains(const std::string& uuid) override;
  void each_with_id(const ResponseFilter& f, const ResponseRowFn& fn) override;
  std::vector<StoredDefinition> definitions() override;
  std::int64_t fill_missing_metrics(const MetricsFn& score) override;
  void each_metrics(const ResponseFilter& f, const std::function<void(const MetricsRow&)>& fn) override;
  void each_metrics_cell(const ResponseFilter& f, const CellQuery& q,
                         const std::function<void(const MetricsCell&)>& fn) override;
  bool counts_cells(const ResponseFilter& f, const CellQuery& q) override;
  std::vector<std::int64_t> excluded_responses(double min_seconds_per_question) override;
  std::optional<TimeSpan> completed_span(const ResponseFilter& f) override;
  const std::string& label_text(std::int64_t id) override;
  std::vector<DayCountRow> responses_per_day(const ResponseFilter& f, int utc_offset_minutes) override;
  std::vector<QuestionnaireCount> flagged_per_questionnaire(const ResponseFilter& f) override;
  std::vector<AbandonedAtRow> abandoned_at(const ResponseFilter& f) override;
  std::vector<AnswerCountRow> answer_counts(const ResponseFilter& f) override;
  void set_cancel(const std::atomic<bool>* flag) override { cancel_ = flag; }
  void read_consistently(const std::function<void()>& body) override;

  // Kiosk id -> hall name in lang ("zh" or "en"), for the kiosks that have one.
  std::map<std::string, std::string> hall_names(const std::string& lang);

 private:
  // Runs sql through a cursor, handing each batch of rows to fn until it returns false.
  void stream(const std::string& sql, const Params& params, const std::function<bool(const Result&, int)>& fn);
  // Runs body inside a read transaction: its own, opened by `begin` (committed after,
  // rolled back on a throw), unless one is already open, which then covers it.
  void in_transaction(const std::function<void()>& body, const char* begin = "BEGIN");
  void check_cancel() const;
  std::int64_t label(std::string_view kind, std::string_view value);
  std::int64_t opt_label(const Result& r, int i, int col, std::string_view kind);
  // each_metrics_cell from the cells counted as metrics arrived (metrics_cells), or from
  // the rows grouped now (any filter, any clock).
  void read_counted_cells(const ResponseFilter& f, const std::function<void(const MetricsCell&)>& fn);
  void cell_columns(const Result& r, int i, MetricsCell& c, std::string& questionnaire);
  void group_cells_now(const ResponseFilter& f, const CellQuery& q, const std::function<void(const MetricsCell&)>& fn);
  std::optional<CellQuery> cell_clock_;  // the threshold and clock metrics_cells counts on
  std::unique_ptr<Conn> c_;
  const std::atomic<bool>* cancel_ = nullptr;
  int cursors_ = 0;
  bool in_txn_ = false;
  bool reading_ = false;  // inside read_consistently: one REPEATABLE READ transaction
  // Label ids by kind, then text: looked up by string_view (no string built per row).
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using LabelMap = std::unordered_map<std::string, std::int64_t, Hash, std::equal_to<>>;
  std::map<std::string, LabelMap, std::less<>> label_ids_;
  std::vector<std::string> label_texts_;  // by id - 1
};

}  // namespace eco::central
