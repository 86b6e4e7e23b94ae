// The SQLite store's answers to the metrics and survey-results queries of
// response_queries.hpp. Every WHERE clause here is built by one Where.
#include <sqlite3.h>

#include <algorithm>
#include <optional>
#include <unordered_map>
#include <variant>

#include "core/storage/store.hpp"
#include "core/storage/store_cells.hpp"

namespace eco {

namespace {

// A WHERE clause and its parameters, numbered in the order the conditions are added.
struct Where {
  std::string sql = " WHERE 1";
  std::vector<std::variant<std::int64_t, std::string>> args;
  Where& add(std::string_view condition, std::variant<std::int64_t, std::string> arg) {
    sql += " AND ";
    sql += condition;
    args.push_back(std::move(arg));
    return *this;
  }
  // time >= from, time < to, kiosk = kiosk, for each that is set.
  Where& period(const char* time, std::optional<std::int64_t> from, std::optional<std::int64_t> to) {
    if (from) add(std::string(time) + " >= ?", *from);
    if (to) add(std::string(time) + " < ?", *to);
    return *this;
  }
  void bind(Stmt& s) const {
    int i = 1;
    for (const auto& a : args) std::visit([&](const auto& v) { s.bind(i++, v); }, a);
  }
};

// Survey results: from, to and kiosk (by its text) on the given columns.
Where period_where(const ResponseFilter& f, const char* time, const char* kiosk) {
  Where w;
  w.period(time, f.from, f.to);
  if (!f.kiosk.empty()) w.add(std::string(kiosk) + " = ?", f.kiosk);
  return w;
}

}  // namespace

template <class F>
auto Store::cancellable(F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const DbError& e) {
    if (cancel_ && cancel_->load() && (e.code & 0xff) == SQLITE_INTERRUPT) throw QueryCancelled();
    throw;
  }
}

void Store::set_cancel(const std::atomic<bool>* flag) {
  cancel_ = flag;
  db_->set_cancel(flag);
}

void Store::read_consistently(const std::function<void()>& body) {
  if (reading_ || in_batch_) return body();  // already one transaction
  // In WAL mode a deferred transaction takes its snapshot at its first read, made at
  // once so that it is the database as of this call; saves from other connections go
  // on meanwhile and stay out of it.
  db_->exec("BEGIN");
  struct End {
    Db& db;
    bool& reading;
    ~End() {
      reading = false;
      // Nothing was written, so either ends it; it must end, or this connection's next
      // save would find a transaction already open.
      try {
        db.exec("COMMIT");
      } catch (...) {
        try { db.exec("ROLLBACK"); } catch (...) {}
      }
    }
  } end{*db_, reading_};
  reading_ = true;
  db_->scalar("SELECT 1 FROM sqlite_schema LIMIT 1");  // in every file, whatever its schema
  body();
}

// The metrics filter: questionnaire, version, dates and kiosk (a kiosk never seen
// matches nothing: label ids start at 1).
static Where metrics_where(Store& store, const ResponseFilter& f) {
  Where w;
  if (!f.questionnaire.empty()) w.add("questionnaire = ?", f.questionnaire);
  if (f.version) w.add("version = ?", std::int64_t{*f.version});
  w.period("completed_at", f.from, f.to);
  if (!f.kiosk.empty()) w.add("kiosk = ?", store.find_label("kiosk", f.kiosk).value_or(0));
  return w;
}

void Store::each_metrics(const ResponseFilter& f, const std::function<void(const MetricsRow&)>& fn) {
  Where w = metrics_where(*this, f);
  // Across questionnaires a full scan reads pages in order, which beats an index lookup
  // per row by 5x at a million rows; one questionnaire uses its index.
  Stmt s(*db_, std::string("SELECT ") + kMetricsRowColumns + " FROM response_metrics" +
                   (f.questionnaire.empty() ? " NOT INDEXED" : "") + w.sql);
  w.bind(s);
  std::vector<ItemOutcome> outcomes;
  cancellable([&] {
    MetricsRow m;
    while (s.step()) {
      metrics_row(s, outcomes, m);
      fn(m);
    }
  });
}

// The cells carry questionnaire and version, not a response's time or kiosk.
static bool cells_filter(const ResponseFilter& f) { return !f.from && !f.to && f.kiosk.empty() && f.uuid.empty(); }

bool Store::counts_cells(const ResponseFilter& f, const CellQuery& q) {
  // Asked of the file, not of this connection's counter: another process may have
  // recounted the cells on another clock since this one opened.
  return cells_filter(f) && cells_ && cancellable([&] { return cells_answer(*db_, q); });
}

void Store::each_metrics_cell(const ResponseFilter& f, const CellQuery& q,
                              const std::function<void(const MetricsCell&)>& fn) {
  if (!cells_filter(f) || !cells_) return ResponseQueries::each_metrics_cell(f, q, fn);
  cancellable([&] {
    // The check and the read in one snapshot: a recount starting between them would
    // leave the cells half counted.
    std::optional<Transaction> snapshot;
    if (sqlite3_get_autocommit(db_->raw())) snapshot.emplace(*db_, false);
    if (cells_answer(*db_, q))
      read_counted_cells(*db_, f, fn);
    else
      ResponseQueries::each_metrics_cell(f, q, fn);
    if (snapshot) snapshot->commit();
  });
}

std::vector<std::int64_t> Store::excluded_responses(double min_seconds_per_question) {
  std::vector<std::int64_t> out;
  Stmt s(*db_,
         "SELECT response FROM response_metrics WHERE (flags & 2) != 0 OR duration_s < visible * ? ORDER BY response");
  s.bind(1, min_seconds_per_question);
  cancellable([&] {
    while (s.step()) out.push_back(s.i64(0));
  });
  return out;
}

std::optional<TimeSpan> Store::completed_span(const ResponseFilter& f) {
  Where w = metrics_where(*this, f);
  Stmt s(*db_, "SELECT min(completed_at), max(completed_at) FROM response_metrics" + w.sql);
  w.bind(s);
  return cancellable([&]() -> std::optional<TimeSpan> {
    if (!s.step() || s.is_null(0)) return std::nullopt;
    return TimeSpan{s.i64(0), s.i64(1)};
  });
}

// The hourly response counts (schema 8) answer exactly when the period starts and
// ends on whole hours and the district's clock is a whole number of hours from UTC
// (China's is 8): then every hour falls wholly inside or outside the period and into
// one local day. Otherwise, or in a read-only older file, the responses are scanned.
bool Store::hours_answer(const ResponseFilter& f, int utc_offset_minutes) {
  if (!has_response_counts_)
    has_response_counts_ = db_->scalar("SELECT count(*) FROM sqlite_master WHERE name = 'response_counts'") > 0;
  return *has_response_counts_ && utc_offset_minutes % 60 == 0 && (!f.from || *f.from % 3600000 == 0) &&
         (!f.to || *f.to % 3600000 == 0);
}

static ResponseFilter in_hours(const ResponseFilter& f) {
  ResponseFilter h = f;
  if (f.from) h.from = *f.from / 3600000;
  if (f.to) h.to = *f.to / 3600000;
  return h;
}

std::vector<DayCountRow> Store::responses_per_day(const ResponseFilter& f, int utc_offset_minutes) {
  if (!hours_answer(f, utc_offset_minutes)) return responses_per_day_by_scan(f, utc_offset_minutes);
  Where w = period_where(in_hours(f), "hour", "kiosk");
  Stmt s(*db_, "SELECT questionnaire, date(hour * 3600 + " + std::to_string(utc_offset_minutes * 60) +
                   ", 'unixepoch'), sum(n) FROM response_counts" + w.sql + " GROUP BY 1, 2 HAVING sum(n) > 0 ORDER BY 1, 2");
  w.bind(s);
  std::vector<DayCountRow> out;
  cancellable([&] {
    while (s.step()) out.push_back({std::string(s.text(0)), std::string(s.text(1)), s.i64(2)});
  });
  return out;
}

std::vector<DayCountRow> Store::responses_per_day_by_scan(const ResponseFilter& f, int utc_offset_minutes) {
  Where w = period_where(f, "r.completed_at", "r.kiosk");
  Stmt s(*db_, "SELECT r.questionnaire, date(r.completed_at / 1000 + " + std::to_string(utc_offset_minutes * 60) +
                   ", 'unixepoch'), count(*) FROM responses r" + w.sql + " GROUP BY 1, 2 ORDER BY 1, 2");
  w.bind(s);
  std::vector<DayCountRow> out;
  cancellable([&] {
    while (s.step()) out.push_back({std::string(s.text(0)), std::string(s.text(1)), s.i64(2)});
  });
  return out;
}

std::vector<QuestionnaireCount> Store::flagged_per_questionnaire(const ResponseFilter& f) {
  if (!hours_answer(f, 0)) return flagged_per_questionnaire_by_scan(f);
  Where w = period_where(in_hours(f), "hour", "kiosk");
  Stmt s(*db_, "SELECT questionnaire, sum(flagged) FROM response_counts" + w.sql +
                   " GROUP BY 1 HAVING sum(flagged) > 0");
  w.bind(s);
  std::vector<QuestionnaireCount> out;
  cancellable([&] {
    while (s.step()) out.push_back({std::string(s.text(0)), s.i64(1)});
  });
  return out;
}

std::vector<QuestionnaireCount> Store::flagged_per_questionnaire_by_scan(const ResponseFilter& f) {
  Where w = period_where(f, "r.completed_at", "r.kiosk");
  Stmt s(*db_, "SELECT r.questionnaire, count(*) FROM response_metrics m JOIN responses r ON r.id = m.response" +
                   w.sql + " AND m.flags != 0 GROUP BY 1");
  w.bind(s);
  std::vector<QuestionnaireCount> out;
  cancellable([&] {
    while (s.step()) out.push_back({std::string(s.text(0)), s.i64(1)});
  });
  return out;
}

std::vector<AbandonedAtRow> Store::abandoned_at(const ResponseFilter& f) {
  Where w = period_where(f, "abandoned_at", "kiosk");
  Stmt s(*db_, "SELECT questionnaire, last_question, count(*) FROM abandoned" + w.sql + " GROUP BY 1, 2");
  w.bind(s);
  std::vector<AbandonedAtRow> out;
  cancellable([&] {
    while (s.step()) out.push_back({std::string(s.text(0)), std::string(s.text(1)), s.i64(2)});
  });
  return out;
}

std::vector<AnswerCountRow> Store::answer_counts(const ResponseFilter& f) {
  // From the hourly counts kept at save time (schema 5), summed here: the table is
  // keyed by hour first (schema 10), so SQL's GROUP BY by question would sort half a
  // million rows (1.0 s over a million responses) where a hash map takes a pass.
  ResponseFilter hours = f;
  if (f.from) hours.from = *f.from / 3600000;
  if (f.to) hours.to = (*f.to + 3599999) / 3600000;
  Where w = period_where(hours, "hour", "kiosk");
  Stmt s(*db_, "SELECT questionnaire, question, kind, item, n, total FROM answer_counts" + w.sql);
  w.bind(s);
  std::unordered_map<std::string, std::size_t> at;  // questionnaire, question, kind, item -> out index
  std::vector<AnswerCountRow> out;
  std::string key;
  cancellable([&] {
    while (s.step()) {
      key.assign(s.text(0)).append(1, '\x1f').append(s.text(1)).append(1, '\x1f');
      key.append(std::to_string(s.i64(2))).append(1, '\x1f').append(s.text(3));
      auto [it, added] = at.try_emplace(key, out.size());
      if (added)
        out.push_back({std::string(s.text(0)), std::string(s.text(1)), static_cast<AnswerAtom>(s.i64(2)),
                       std::string(s.text(3)), 0, 0});
      out[it->second].n += s.i64(4);
      out[it->second].total += s.i64(5);
    }
  });
  std::sort(out.begin(), out.end(), [](const AnswerCountRow& a, const AnswerCountRow& b) {
    return std::tie(a.questionnaire, a.question, a.kind, a.item) < std::tie(b.questionnaire, b.question, b.kind, b.item);
  });
  return out;
}

}  // namespace eco
