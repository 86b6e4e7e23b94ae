#include "core/storage/migration_fill.hpp"
#include "core/storage/store_cells.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <system_error>
#include <thread>
#include <unordered_map>
#include <vector>

namespace eco::migration_fill {

namespace {

// A step is a window of whole hours of completion time, not a range of response ids:
// the counts are keyed by hour, so one window's rows are no other window's and each
// step appends to its table instead of adding to rows all over it. (Ids are in time
// order on a kiosk, but not in an import of several kiosks' files or in demo data; by
// id, a million-response file took two and a half minutes.) Upserts all the same, so
// the counts are right however the windows fall.
constexpr std::int64_t kHourMs = 3'600'000;
constexpr std::int64_t kFirst = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t kLast = std::numeric_limits<std::int64_t>::max();

struct Window {
  std::string questionnaire;
  std::int64_t from_ms, to_ms;  // inclusive both
};

// Migration 5: the window's answers summed in a hash map, written in the table's key
// order. SQLite's GROUP BY sorted every answer row first, which cost more than all the
// rest.
struct AnswerKey {
  std::int64_t hour = 0;
  std::string kiosk, question;
  std::int64_t kind = 0;
  std::string item;
  bool operator==(const AnswerKey& o) const {
    return hour == o.hour && kind == o.kind && question == o.question && item == o.item && kiosk == o.kiosk;
  }
  bool operator<(const AnswerKey& o) const {  // answer_counts' key, questionnaire being fixed
    return std::tie(hour, kiosk, question, kind, item) < std::tie(o.hour, o.kiosk, o.question, o.kind, o.item);
  }
};
struct AnswerKeyHash {
  std::size_t operator()(const AnswerKey& k) const {
    std::hash<std::string_view> h;
    std::size_t x = h(k.question) * 31 + h(k.item);
    return (x * 1000003u ^ h(k.kiosk)) * 1000003u ^ static_cast<std::size_t>(k.hour * 8 + k.kind);
  }
};

// One window's answer counts in answer_counts' key order, for each questionnaire.
using Summed = std::vector<std::pair<AnswerKey, std::pair<std::int64_t, std::int64_t>>>;
using WindowCounts = std::vector<Summed>;  // in the order of Hours::questionnaires

// Sums windows' answers on a connection of its own: the writer's or a reader thread's.
class AnswerReader {
 public:
  explicit AnswerReader(Db& db)
      : rows_(db,
              "SELECT r.kiosk, r.completed_at / 3600000, a.response, a.question, a.kind, a.item, coalesce(a.value, 0) "
              "FROM responses r JOIN answers a ON a.response = r.id "
              "WHERE r.questionnaire = ?1 AND r.completed_at >= ?2 AND r.completed_at <= ?3") {}

  // Stops early (the result then unused) once `stop` is set.
  Summed read(const Window& w, const std::atomic<bool>* stop = nullptr) {
    counts_.clear();
    rows_.bind(1, w.questionnaire).bind(2, w.from_ms).bind(3, w.to_ms);
    std::int64_t response = -1;
    std::vector<std::string> answered;  // the questions of this response counted so far (kind 0)
    AnswerKey k;
    for (std::uint32_t row = 1; rows_.step(); ++row) {
      if (stop && row % 4096 == 0 && stop->load()) break;
      if (rows_.i64(2) != response) {  // kiosk and hour are the response's
        response = rows_.i64(2);
        answered.clear();
        k.kiosk.assign(rows_.text(0));
        k.hour = rows_.i64(1);
      }
      k.question.assign(rows_.text(3));
      if (std::find(answered.begin(), answered.end(), k.question) == answered.end()) {
        answered.push_back(k.question);
        k.kind = 0;  // one more respondent answered the question
        k.item.clear();
        add(k, 0);
      }
      k.kind = rows_.i64(4);
      k.item.assign(rows_.text(5));
      add(k, rows_.i64(6));
    }
    rows_.reset();
    Summed out;
    out.reserve(counts_.size());
    for (auto& e : counts_) out.emplace_back(e.first, e.second);
    counts_.clear();
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    return out;
  }

 private:
  void add(const AnswerKey& k, std::int64_t value) {
    auto it = counts_.find(k);
    if (it == counts_.end()) it = counts_.emplace(k, std::pair<std::int64_t, std::int64_t>{0, 0}).first;
    it->second.first += 1;
    it->second.second += value;
  }
  Stmt rows_;
  std::unordered_map<AnswerKey, std::pair<std::int64_t, std::int64_t>, AnswerKeyHash> counts_;
};

class AnswerWriter {
 public:
  explicit AnswerWriter(Db& db)
      : write_(db,
               "INSERT INTO answer_counts(questionnaire, question, kind, item, hour, kiosk, n, total) "
               "VALUES(?,?,?,?,?,?,?,?) ON CONFLICT DO UPDATE SET n = n + excluded.n, total = total + excluded.total") {}
  void write(const std::string& questionnaire, const Summed& rows) {
    for (const auto& [key, sums] : rows) {
      write_.bind(1, questionnaire).bind(2, key.question).bind(3, key.kind).bind(4, key.item).bind(5, key.hour)
          .bind(6, key.kiosk).bind(7, sums.first).bind(8, sums.second);
      write_.run();
    }
  }

 private:
  Stmt write_;
};

// Migration 8: a window holds few rows per hour, so SQLite's own grouping is cheap. The
// grouping reads (on a reader thread's connection too, as 5 and 11 do: on the writer
// alone it was two and a half seconds of a million-response file's update with the
// other core idle); the writer only adds the few rows up.
struct ResponseCountRow {
  std::int64_t hour;
  std::string kiosk;
  std::int64_t n, flagged;
};
using ResponseCountRows = std::vector<ResponseCountRow>;

class ResponseCountReader {
 public:
  explicit ResponseCountReader(Db& db)
      : rows_(db,
              "SELECT r.completed_at / 3600000, r.kiosk, count(*), coalesce(sum(m.flags != 0), 0) "
              "FROM responses r LEFT JOIN response_metrics m ON m.response = r.id "
              "WHERE r.questionnaire = ?1 AND r.completed_at >= ?2 AND r.completed_at <= ?3 GROUP BY 1, 2") {}
  ResponseCountRows read(const Window& w) {
    ResponseCountRows out;
    rows_.bind(1, w.questionnaire).bind(2, w.from_ms).bind(3, w.to_ms);
    while (rows_.step()) out.push_back({rows_.i64(0), std::string(rows_.text(1)), rows_.i64(2), rows_.i64(3)});
    rows_.reset();
    return out;
  }

 private:
  Stmt rows_;
};

class ResponseCountWriter {
 public:
  explicit ResponseCountWriter(Db& db)
      : write_(db,
               "INSERT INTO response_counts(questionnaire, hour, kiosk, n, flagged) VALUES(?,?,?,?,?) "
               "ON CONFLICT DO UPDATE SET n = n + excluded.n, flagged = flagged + excluded.flagged") {}
  void write(const std::string& questionnaire, const ResponseCountRows& rows) {
    for (const auto& r : rows) {
      write_.bind(1, questionnaire).bind(2, r.hour).bind(3, r.kiosk).bind(4, r.n).bind(5, r.flagged);
      write_.run();
    }
  }

 private:
  Stmt write_;
};

// What a window's rows sum to: its answer counts (migration 5), its response counts (8)
// or its counted cells (11), the cells of all questionnaires in one tally.
struct WindowSums {
  WindowCounts answers;
  std::vector<ResponseCountRows> responses;  // in the order of Hours::questionnaires
  std::optional<CellTally> cells;
};

// What the fill of `version` reads, on the writer's connection or a reader thread's.
class WindowReader {
 public:
  // cells: the clock migration 11 counts on (its CellCounter's); unused for 5 and 8.
  WindowReader(Db& db, int version, const CellQuery& cells) : clock_(cells) {
    if (version == 5) answers_.emplace(db);
    else if (version == 8) responses_.emplace(db);
    else metrics_.emplace(db);
  }
  WindowSums read(const std::vector<std::string>& questionnaires, std::int64_t from, std::int64_t to,
                  const std::atomic<bool>* stop = nullptr) {
    WindowSums out;
    if (answers_) {
      for (const std::string& q : questionnaires) out.answers.push_back(answers_->read(Window{q, from, to}, stop));
    } else if (responses_) {
      for (const std::string& q : questionnaires) out.responses.push_back(responses_->read(Window{q, from, to}));
    } else {
      out.cells.emplace(clock_, true);
      for (const std::string& q : questionnaires) metrics_->read(*out.cells, q, from, to, stop);
    }
    return out;
  }

 private:
  CellQuery clock_;
  std::optional<AnswerReader> answers_;
  std::optional<ResponseCountReader> responses_;
  std::optional<StoredMetricsReader> metrics_;
};

// Reading a window's rows is nearly all of the fill, and it only reads: threads with
// read-only connections of their own sum the next windows while this one writes and
// commits the current, in order, so a stop or kill still loses at most one step. At most
// threads + 1 windows are summed ahead, which bounds the memory held. (The counted cells
// of migration 11 were summed on the writer alone at first: a third of a schema-4 file's
// update, one core busy and the other idle.)
class ReadAhead {
 public:
  ReadAhead(const std::string& path, int version, const CellQuery& cells,
            std::vector<std::pair<std::int64_t, std::int64_t>> windows, std::vector<std::string> questionnaires,
            unsigned threads)
      : version_(version), cells_(cells), windows_(std::move(windows)), questionnaires_(std::move(questionnaires)),
        ahead_(threads + 1), done_(windows_.size()) {
    // A thread the system will not start is one fewer reader; with none, take() says so
    // and the writer reads every window itself.
    for (unsigned i = 0; i < threads; ++i) {
      try {
        threads_.emplace_back([this, path] { work(path); });
      } catch (const std::system_error&) {
        break;
      }
    }
    if (threads_.empty()) failed_ = true;
  }
  ~ReadAhead() {
    {
      std::lock_guard l(m_);
      stop_ = true;
    }
    cv_.notify_all();
    for (auto& t : threads_) t.join();
  }
  ReadAhead(const ReadAhead&) = delete;
  ReadAhead& operator=(const ReadAhead&) = delete;

  // The next window's sums when it is the one [from, to]; nullopt otherwise (another
  // process moved the mark: the caller reads it itself).
  std::optional<WindowSums> take(std::int64_t from, std::int64_t to) {
    if (taken_ >= windows_.size() || windows_[taken_] != std::pair{from, to}) return std::nullopt;
    std::unique_lock l(m_);
    cv_.wait(l, [&] { return done_[taken_].has_value() || failed_; });
    if (failed_) return std::nullopt;  // the caller reads it, and meets the error itself if it is the file's
    WindowSums out = std::move(*done_[taken_]);
    done_[taken_].reset();
    ++taken_;
    l.unlock();
    cv_.notify_all();
    return out;
  }

 private:
  void work(const std::string& path) {
    try {
      Db db(path, false, true);
      db.exec("PRAGMA mmap_size=2147418112");
      db.set_cancel(&stop_);
      WindowReader reader(db, version_, cells_);
      for (;;) {
        std::size_t j;
        {
          std::unique_lock l(m_);
          cv_.wait(l, [&] { return stop_ || next_ >= windows_.size() || next_ < taken_ + ahead_; });
          if (stop_ || next_ >= windows_.size()) return;
          j = next_++;
        }
        WindowSums sums = reader.read(questionnaires_, windows_[j].first, windows_[j].second, &stop_);
        {
          std::lock_guard l(m_);
          if (stop_) return;
          done_[j] = std::move(sums);
        }
        cv_.notify_all();
      }
    } catch (...) {
      {
        std::lock_guard l(m_);
        failed_ = true;
      }
      cv_.notify_all();
    }
  }

  const int version_;
  const CellQuery cells_;
  const std::vector<std::pair<std::int64_t, std::int64_t>> windows_;
  const std::vector<std::string> questionnaires_;
  const std::size_t ahead_;  // windows summed and not yet taken, at most
  std::mutex m_;
  std::condition_variable cv_;
  std::vector<std::optional<WindowSums>> done_;
  std::size_t next_ = 0;   // the next window a thread takes up
  std::size_t taken_ = 0;  // the next window the writer takes
  std::atomic<bool> stop_{false};
  bool failed_ = false;
  std::vector<std::thread> threads_;
};

struct Filled {
  int version;
  const char* table;
};
constexpr Filled kFilled[] = {{5, "answer_counts"}, {8, "response_counts"}, {11, "metrics_cells"}};

const Filled* filled(int version) {
  for (const Filled& f : kFilled)
    if (f.version == version) return &f;
  return nullptr;
}

// Responses per hour of completion (all questionnaires), and the questionnaires: read
// from the index on (questionnaire, completed_at), in its order, and grouped here. SQLite
// cannot see that completed_at / 3600000 keeps that order, so its GROUP BY sorted every
// response first (a second of a million-response file's update, once for each fill).
struct Hours {
  std::vector<std::pair<std::int64_t, std::int64_t>> n;  // (hour, responses), hours ascending
  std::vector<std::string> questionnaires;
  std::int64_t total = 0;
};
Hours count_hours(Db& db) {
  Hours h;
  std::map<std::int64_t, std::int64_t> by_hour;
  Stmt s(db, "SELECT questionnaire, completed_at FROM responses ORDER BY questionnaire, completed_at");
  std::int64_t hour = 0, run = 0;  // a run of responses of one questionnaire in one hour
  auto end_run = [&] {
    if (run) by_hour[hour] += run;
    run = 0;
  };
  while (s.step()) {
    // Truncated as SQLite's completed_at / 3600000 in the reading queries is (still in
    // order: truncation never decreases), so the windows built on these hours agree.
    const std::int64_t at = s.i64(1) / 3600000;
    if (h.questionnaires.empty() || h.questionnaires.back() != s.text(0)) {
      end_run();
      h.questionnaires.emplace_back(s.text(0));
    } else if (at != hour) {
      end_run();
    }
    hour = at;
    ++run;
    ++h.total;
  }
  end_run();
  h.n.assign(by_hour.begin(), by_hour.end());
  return h;
}

// The step from the mark `from`: whole hours, at least `chunk` responses. `first` is
// the number of hours before it (all of them when every hour is counted), `done` their
// responses, `after` the responses counted once it is done, `to` its last millisecond.
struct Step {
  std::size_t first = 0;
  std::int64_t done = 0, after = 0, to = kLast;
};
Step step_from(const Hours& hours, std::int64_t from, std::int64_t chunk) {
  Step s;
  while (s.first < hours.n.size() && from != kFirst && hours.n[s.first].first * kHourMs < from)
    s.done += hours.n[s.first++].second;
  s.after = s.done;
  if (s.first == hours.n.size()) return s;
  std::size_t end = s.first;
  for (std::int64_t n = 0; end < hours.n.size() && (end == s.first || n < chunk); ++end) {
    n += hours.n[end].second;
    s.after += hours.n[end].second;
  }
  s.to = end == hours.n.size() ? kLast : hours.n[end].first * kHourMs - 1;
  return s;
}

}  // namespace

bool fills(int version) { return filled(version) != nullptr; }

void begin(Db& db, int version, const char* create_sql) {
  const std::string v = std::to_string(version);
  db.exec("CREATE TABLE IF NOT EXISTS migration_fill_hours(version INTEGER PRIMARY KEY, next_ms INTEGER NOT NULL)");
  if (db.scalar("SELECT count(*) FROM migration_fill_hours WHERE version = " + v) > 0) return;  // under way
  // An older EcoKiosk counted by response ids (table migration_fill); its half-done
  // table is emptied and filled again by hours.
  bool older = db.scalar("SELECT count(*) FROM sqlite_master WHERE name = 'migration_fill'") > 0 &&
               db.scalar("SELECT count(*) FROM migration_fill WHERE version = " + v) > 0;
  if (older) {
    db.exec(std::string("DELETE FROM ") + filled(version)->table);
    db.exec("DELETE FROM migration_fill WHERE version = " + v);
  } else {
    db.exec(create_sql);
  }
  Stmt mark(db, "INSERT INTO migration_fill_hours VALUES(?1, ?2)");
  mark.bind(1, version).bind(2, kFirst);
  mark.run();
}

void run(Db& db, int version, std::int64_t chunk, const Progress& progress) {
  const std::string v = std::to_string(version);
  // The counted cells take longer steps: most of a window's cells (those not by day) are
  // in every window, each an upsert somewhere in the table, so writing them cost more
  // than summing them, and it was the same rows again for each window.
  if (version == 11) chunk *= kCellStepChunks;
  Hours hours;
  bool counted = false;
  // Each version's windows are summed on reader threads too, with the writer as their
  // fallback. Each writer made only for its version: the others' tables may not exist yet.
  std::optional<AnswerWriter> answers;
  std::optional<ResponseCountWriter> responses;
  std::optional<CellCounter> cells;
  if (version == 5) answers.emplace(db);
  else if (version == 8) responses.emplace(db);
  else cells.emplace(db, true);
  const CellQuery clock = cells ? cells->clock() : CellQuery{};  // migration 11's; unused by 5 and 8
  WindowReader reader(db, version, clock);
  std::optional<ReadAhead> ahead;
  // A window's responses lie all over the file when ids are not in time order: read
  // through a mapping of the whole file (up to SQLite's 2 GB cap) instead of a copy per
  // page (a fifth of the fill was the kernel copying pages), unmapped again afterwards
  // so a kiosk's footprint stays small. The mapped pages are the page cache's, clean.
  db.exec("PRAGMA mmap_size=2147418112");
  struct Unmap {
    Db& db;
    ~Unmap() {
      try { db.exec("PRAGMA mmap_size=0"); } catch (...) {}
    }
  } unmap{db};
  Stmt mark(db, "SELECT next_ms FROM migration_fill_hours WHERE version = " + v);
  Stmt move(db, "UPDATE migration_fill_hours SET next_ms = ?1 WHERE version = " + v);
  for (;;) {
    Transaction t(db);
    if (db.scalar("PRAGMA user_version") >= version) return;  // another process finished it
    std::int64_t from = mark.step() ? mark.i64(0) : kFirst;
    mark.reset();
    if (!counted) {  // in the transaction: no response arrives until the schema is current
      hours = count_hours(db);
      counted = true;
      std::vector<std::pair<std::int64_t, std::int64_t>> windows;
      for (std::int64_t f = from;;) {
        Step s = step_from(hours, f, chunk);
        if (s.first == hours.n.size()) break;
        windows.emplace_back(f, s.to);
        if (s.to == kLast) break;
        f = s.to + 1;
      }
      const std::string& path = db.path();
      unsigned threads = std::clamp(std::thread::hardware_concurrency(), 1u, 4u);
      if (windows.size() > 1 && !path.empty() && path != ":memory:" && path.rfind("file:", 0) != 0)
        ahead.emplace(path, version, clock, std::move(windows), hours.questionnaires, threads);
    }
    const Step s = step_from(hours, from, chunk);
    if (s.first == hours.n.size()) {  // every hour counted: the schema moves on
      db.exec("DELETE FROM migration_fill_hours WHERE version = " + v);
      db.exec("PRAGMA user_version=" + v);
      t.commit();
      if (progress) progress(hours.total, hours.total);
      return;
    }
    std::optional<WindowSums> sums = ahead ? ahead->take(from, s.to) : std::nullopt;
    if (!sums) sums = reader.read(hours.questionnaires, from, s.to);
    for (std::size_t i = 0; i < hours.questionnaires.size(); ++i) {
      if (answers) answers->write(hours.questionnaires[i], sums->answers[i]);
      if (responses) responses->write(hours.questionnaires[i], sums->responses[i]);
    }
    // A window's cells written once, in key order.
    if (cells) cells->write(*sums->cells);
    move.bind(1, s.to == kLast ? s.to : s.to + 1);
    move.run();
    if (s.to == kLast) {  // the last window: finished with it
      db.exec("DELETE FROM migration_fill_hours WHERE version = " + v);
      db.exec("PRAGMA user_version=" + v);
    }
    t.commit();
    // Told after the commit, outside the write lock: a throw from it loses nothing, and
    // another process waiting to open the file may take the next step meanwhile.
    if (progress) progress(s.to == kLast ? hours.total : std::min(s.after, hours.total), hours.total);
    if (s.to == kLast) return;
  }
}

}  // namespace eco::migration_fill
