// The seam between the stored responses and the code that analyses and exports them:
// every question the analysis and output code asks, as a named query that returns
// plain data. The kiosk's SQLite store (store.hpp) answers them; a central store on
// another engine implements the same class. Nothing here names an engine: no SQL, no
// statement handles, no SQLite header. Failures throw std::runtime_error (the SQLite
// store's DbError is one); a query stopped by set_cancel throws QueryCancelled.
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/support/time.hpp"
#include "core/survey/metrics.hpp"
#include "core/survey/response.hpp"

namespace eco {

// Which responses a query covers. Each method says which fields it applies.
struct ResponseFilter {
  std::string questionnaire;  // "" = all
  std::optional<int> version;
  std::optional<TimeMs> from, to;  // completed_at in [from, to), UTC milliseconds
  std::string kiosk;               // "" = all
  std::string uuid;                // "" = all; else the one response with this id
};

// A questionnaire definition as it was when responses were saved with it.
struct StoredDefinition {
  std::string questionnaire;
  int version = 0;
  std::string content_hash;
  std::string definition;  // expanded JSON
};

// Labels: repeated strings (kiosk ids, demographic option ids, item ids) travel in
// metrics rows as small ids that only mean something to the store that gave them;
// label_text turns one back into its string. kNoLabel: the question was not answered.
inline constexpr std::int64_t kNoLabel = -1;

struct ItemOutcome {
  std::int64_t item = 0;  // label id of the knowledge item, satisfaction item or travel mode
  int value = 0;          // as ResponseMetrics::outcomes: 1/0 correct; rating + 128 if satisfied; trips
};

// One response's stored metrics (ResponseMetrics, worked out when it was saved) with
// what the indicators filter and break down by. The views are valid during the callback.
struct MetricsRow {
  std::int64_t response = 0;  // the response's row id, as each_with_id gives it
  std::string_view questionnaire;
  int version = 0;
  std::int64_t kiosk = kNoLabel, township = kNoLabel, age = kNoLabel, gender = kNoLabel;  // label ids
  TimeMs completed_at = 0;
  double duration_s = 0;
  int visible = 0;  // questions shown
  double score = 0;
  int correct = 0, drawn = 0;
  bool satisfied = false;
  std::int64_t trips = 0, green = 0;
  int flags = 0;  // MetricFlag bits, the duplicate flag included
  std::span<const ItemOutcome> outcomes;
};

// Respondents the indicators cannot tell apart, counted (issue 20: a million metrics
// rows reduce to a few thousand cells). Every respondent is in one cell of each of
// three groupings, and each of their item outcomes in one cell of the fourth:
//   demographic: township, age, gender          (the figure, its three breakdowns, raking)
//   kiosk:       kiosk, age                     (the kiosk breakdown)
//   day:         day, age                       (the month breakdown)
//   item:        age, item, value               (the item tables)
// each with what decides whether a respondent counts (fast, flags) and their values
// (score, drawn, satisfied, trips, green; the item cells leave those 0). Label ids as
// in MetricsRow; kNoLabel for a column outside the grouping. Age is in every grouping
// for the minors' exclusion.
enum class CellGrouping : int { demographic = 0, kiosk = 1, day = 2, item = 3 };
struct MetricsCell {
  CellGrouping grouping = CellGrouping::demographic;
  std::string_view questionnaire;
  std::int64_t township = kNoLabel, age = kNoLabel, gender = kNoLabel, kiosk = kNoLabel;
  std::int64_t day = 0;  // days since 1970-01-01 on the clock utc_offset_minutes ahead of UTC
  bool fast = false;     // answered faster than min_seconds_per_question per question shown
  int flags = 0;
  double score = 0;
  int drawn = 0;
  bool satisfied = false;
  std::int64_t trips = 0, green = 0;
  std::int64_t item = kNoLabel;
  int value = 0;
  std::int64_t n = 0;  // respondents (item cells: outcomes)
};
struct CellQuery {
  double min_seconds_per_question = 0;  // <= 0: nobody is too fast
  int utc_offset_minutes = 0;
};

struct TimeSpan {
  TimeMs first = 0, last = 0;
};

// Aggregates for the survey results page and the reports.
struct DayCountRow {
  std::string questionnaire, day;  // day: YYYY-MM-DD on the clock the query was given
  std::int64_t n = 0;
};
struct QuestionnaireCount {
  std::string questionnaire;
  std::int64_t n = 0;
};
struct AbandonedAtRow {
  std::string questionnaire, last_question;
  std::int64_t n = 0;
};
// How an answer is counted: kind respondents counts the people who answered the
// question; the others count answer atoms (one chosen option, one count-matrix row...).
enum class AnswerAtom : int { respondents = 0, choice = 1, choice_set = 2, integer = 3, count_row = 4, text = 5 };
struct AnswerCountRow {
  std::string questionnaire, question;
  AnswerAtom kind = AnswerAtom::respondents;
  std::string item;        // option id or count-matrix row; "" for integer, text and respondents
  std::int64_t n = 0;      // atoms (respondents for kind respondents)
  std::int64_t total = 0;  // sum of values: trips of a count row, or an integer answer
};

// Thrown by a query that set_cancel's flag stopped.
struct QueryCancelled : std::runtime_error {
  QueryCancelled() : std::runtime_error("query cancelled") {}
};

// Computes a response's metrics, or nullopt when its questionnaire is unknown.
using MetricsFn = std::function<std::optional<ResponseMetrics>(const Response&)>;

// Given each response of a stream with its row id; returns false to stop (each_with_id).
using ResponseRowFn = std::function<bool(std::int64_t, Response&)>;

class ResponseQueries {
 public:
  virtual ~ResponseQueries() = default;

  // ---- responses (all filter fields apply) ----
  virtual std::int64_t count(const ResponseFilter& f) = 0;
  std::int64_t count() { return count(ResponseFilter{}); }
  // Abandoned sessions, of one questionnaire or ("") all.
  virtual std::int64_t abandoned_count(const std::string& questionnaire) = 0;
  virtual bool contains(const std::string& uuid) = 0;
  // Streams responses with their row ids in saved order; fn returns false to stop. The
  // response is the reader's own, refilled whole for the next row, so fn may take it
  // (swap or move from it) where a copy would cost an allocation per field and answer.
  virtual void each_with_id(const ResponseFilter& f, const ResponseRowFn& fn) = 0;
  void each(const ResponseFilter& f, const std::function<bool(const Response&)>& fn) {
    each_with_id(f, [&](std::int64_t, const Response& r) { return fn(r); });
  }
  // Every questionnaire definition responses were saved with, by questionnaire and version.
  virtual std::vector<StoredDefinition> definitions() = 0;

  // ---- metrics ----
  // Stores the metrics of responses that have none (older databases, saves without a
  // questionnaire), as `score` computes them; responses it gives nullopt for are left.
  // Returns how many were filled in.
  virtual std::int64_t fill_missing_metrics(const MetricsFn& score) = 0;
  // Streams the metrics rows the filter lets through (questionnaire, version, from, to,
  // kiosk apply; uuid does not), in no particular order.
  virtual void each_metrics(const ResponseFilter& f, const std::function<void(const MetricsRow&)>& fn) = 0;
  // Row ids, ascending, of the responses the exports leave out: duplicates and those
  // answered faster than min_seconds_per_question per question shown.
  virtual std::vector<std::int64_t> excluded_responses(double min_seconds_per_question) = 0;
  // First and last completed_at among the metrics rows the filter lets through (as
  // each_metrics); nullopt when there are none.
  virtual std::optional<TimeSpan> completed_span(const ResponseFilter& f) = 0;
  // The metrics rows each_metrics would give (the same filter fields), counted into
  // MetricsCells, in no particular order. This default counts each_metrics' rows; an
  // engine that can group where the rows are overrides it (core/storage/metrics_cells.cpp).
  virtual void each_metrics_cell(const ResponseFilter& f, const CellQuery& q,
                                 const std::function<void(const MetricsCell&)>& fn);
  // True when each_metrics_cell(f, q) reads cells the engine counted ahead (as responses
  // arrived), so that the indicators are best computed from cells; false (the default)
  // when it would have to count them from the rows, which streaming each_metrics beats.
  virtual bool counts_cells(const ResponseFilter& /*f*/, const CellQuery& /*q*/) { return false; }
  virtual const std::string& label_text(std::int64_t id) = 0;

  // ---- survey results: from, to and kiosk apply; questionnaire, version, uuid do not ----
  // Completed responses per questionnaire and day on a clock utc_offset_minutes ahead
  // of UTC, ordered by questionnaire and day.
  virtual std::vector<DayCountRow> responses_per_day(const ResponseFilter& f, int utc_offset_minutes) = 0;
  // Responses with any stored flag (straight-lining, duplicate) per questionnaire.
  virtual std::vector<QuestionnaireCount> flagged_per_questionnaire(const ResponseFilter& f) = 0;
  // Abandoned sessions per questionnaire and last question reached (from/to on the
  // time they were abandoned).
  virtual std::vector<AbandonedAtRow> abandoned_at(const ResponseFilter& f) = 0;
  // Answer counts per questionnaire, question, kind and item. Counts are kept by UTC
  // hour, so from is rounded down and to up to a whole hour (exact for whole-hour zones).
  virtual std::vector<AnswerCountRow> answer_counts(const ResponseFilter& f) = 0;

  // While set, a running query checks the flag now and then and throws QueryCancelled
  // once it is true. nullptr clears it. Set and cleared by the thread that queries.
  virtual void set_cancel(const std::atomic<bool>* flag) = 0;

  // Runs body so that every query in it sees the responses as they were when it began:
  // an export's summary, rows and counts agree while kiosks or an import go on saving.
  // Nothing is written inside (fill_missing_metrics does nothing there: call it before).
  // A nested call shares the outer one's view.
  virtual void read_consistently(const std::function<void()>& body) = 0;
};

// Sets a cancel flag for a scope.
class CancelScope {
 public:
  CancelScope(ResponseQueries& q, const std::atomic<bool>* flag) : q_(q), on_(flag != nullptr) {
    if (on_) q_.set_cancel(flag);
  }
  ~CancelScope() {
    if (on_) q_.set_cancel(nullptr);
  }
  CancelScope(const CancelScope&) = delete;
  CancelScope& operator=(const CancelScope&) = delete;

 private:
  ResponseQueries& q_;
  bool on_;
};

}  // namespace eco
