#include "core/storage/migration_fill.hpp"

#include <algorithm>
#include <limits>
#include <map>
#include <optional>
#include <string>
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

class AnswerCounts {
 public:
  explicit AnswerCounts(Db& db)
      : rows_(db,
              "SELECT r.kiosk, r.completed_at / 3600000, a.response, a.question, a.kind, a.item, coalesce(a.value, 0) "
              "FROM responses r JOIN answers a ON a.response = r.id "
              "WHERE r.questionnaire = ?1 AND r.completed_at >= ?2 AND r.completed_at <= ?3"),
        write_(db,
               "INSERT INTO answer_counts(questionnaire, question, kind, item, hour, kiosk, n, total) "
               "VALUES(?,?,?,?,?,?,?,?) ON CONFLICT DO UPDATE SET n = n + excluded.n, total = total + excluded.total") {}

  void fill(const Window& w) {
    counts_.clear();
    rows_.bind(1, w.questionnaire).bind(2, w.from_ms).bind(3, w.to_ms);
    std::int64_t response = -1;
    std::vector<std::string> answered;  // the questions of this response counted so far (kind 0)
    AnswerKey k;
    while (rows_.step()) {
      k.kiosk.assign(rows_.text(0));
      k.hour = rows_.i64(1);
      if (rows_.i64(2) != response) {
        response = rows_.i64(2);
        answered.clear();
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
    std::vector<const std::pair<const AnswerKey, std::pair<std::int64_t, std::int64_t>>*> sorted;
    sorted.reserve(counts_.size());
    for (const auto& e : counts_) sorted.push_back(&e);
    std::sort(sorted.begin(), sorted.end(), [](const auto* a, const auto* b) { return a->first < b->first; });
    for (const auto* e : sorted) {
      const AnswerKey& key = e->first;
      write_.bind(1, w.questionnaire).bind(2, key.question).bind(3, key.kind).bind(4, key.item).bind(5, key.hour)
          .bind(6, key.kiosk).bind(7, e->second.first).bind(8, e->second.second);
      write_.run();
    }
  }

 private:
  void add(const AnswerKey& k, std::int64_t value) {
    auto it = counts_.find(k);
    if (it == counts_.end()) it = counts_.emplace(k, std::pair<std::int64_t, std::int64_t>{0, 0}).first;
    it->second.first += 1;
    it->second.second += value;
  }
  Stmt rows_, write_;
  std::unordered_map<AnswerKey, std::pair<std::int64_t, std::int64_t>, AnswerKeyHash> counts_;
};

// Migration 8: a window holds few rows per hour, so SQLite's own grouping is cheap.
class ResponseCounts {
 public:
  explicit ResponseCounts(Db& db)
      : fill_(db,
              "INSERT INTO response_counts SELECT r.questionnaire, r.completed_at / 3600000, r.kiosk, count(*), "
              "coalesce(sum(m.flags != 0), 0) FROM responses r LEFT JOIN response_metrics m ON m.response = r.id "
              "WHERE r.questionnaire = ?1 AND r.completed_at >= ?2 AND r.completed_at <= ?3 GROUP BY 1, 2, 3 "
              "ON CONFLICT DO UPDATE SET n = n + excluded.n, flagged = flagged + excluded.flagged") {}
  void fill(const Window& w) {
    fill_.bind(1, w.questionnaire).bind(2, w.from_ms).bind(3, w.to_ms);
    fill_.run();
  }

 private:
  Stmt fill_;
};

struct Filled {
  int version;
  const char* table;
};
constexpr Filled kFilled[] = {{5, "answer_counts"}, {8, "response_counts"}};

const Filled* filled(int version) {
  for (const Filled& f : kFilled)
    if (f.version == version) return &f;
  return nullptr;
}

// Responses per hour of completion (all questionnaires), and the questionnaires: read
// from the index on (questionnaire, completed_at), in its order, so nothing is sorted.
struct Hours {
  std::vector<std::pair<std::int64_t, std::int64_t>> n;  // (hour, responses), hours ascending
  std::vector<std::string> questionnaires;
  std::int64_t total = 0;
};
Hours count_hours(Db& db) {
  Hours h;
  std::map<std::int64_t, std::int64_t> by_hour;
  Stmt s(db, "SELECT questionnaire, completed_at / 3600000, count(*) FROM responses GROUP BY 1, 2");
  while (s.step()) {
    if (h.questionnaires.empty() || h.questionnaires.back() != s.text(0)) h.questionnaires.emplace_back(s.text(0));
    by_hour[s.i64(1)] += s.i64(2);
    h.total += s.i64(2);
  }
  h.n.assign(by_hour.begin(), by_hour.end());
  return h;
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
  Hours hours;
  bool counted = false;
  std::optional<AnswerCounts> answers;  // the one this version fills (the other's table may not exist yet)
  std::optional<ResponseCounts> responses;
  if (version == 5) answers.emplace(db);
  else responses.emplace(db);
  // A window's responses lie all over the file when ids are not in time order: read
  // through a mapping instead of a copy per page (a third of the fill was the kernel
  // copying pages), unmapped again afterwards so a kiosk's footprint stays small.
  db.exec("PRAGMA mmap_size=268435456");
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
    if (!counted) {  // in the transaction: no response arrives until the schema is current
      hours = count_hours(db);
      counted = true;
    }
    std::int64_t from = mark.step() ? mark.i64(0) : kFirst;
    mark.reset();
    // The window: whole hours from the mark, at least `chunk` responses.
    std::size_t first = 0;
    std::int64_t done = 0;
    while (first < hours.n.size() && from != kFirst && hours.n[first].first * kHourMs < from)
      done += hours.n[first++].second;
    if (progress) progress(std::min(done, hours.total), hours.total);
    if (first == hours.n.size()) {  // every hour counted: the schema moves on
      db.exec("DELETE FROM migration_fill_hours WHERE version = " + v);
      db.exec("PRAGMA user_version=" + v);
      t.commit();
      return;
    }
    std::size_t end = first;
    for (std::int64_t n = 0; end < hours.n.size() && (end == first || n < chunk); ++end) n += hours.n[end].second;
    const std::int64_t to = end == hours.n.size() ? kLast : hours.n[end].first * kHourMs - 1;
    for (const std::string& q : hours.questionnaires) {
      Window w{q, from, to};
      if (answers) answers->fill(w);
      else responses->fill(w);
    }
    move.bind(1, to == kLast ? to : to + 1);
    move.run();
    if (to == kLast) {  // the last window: finished with it
      db.exec("DELETE FROM migration_fill_hours WHERE version = " + v);
      db.exec("PRAGMA user_version=" + v);
      if (progress) progress(hours.total, hours.total);
    }
    t.commit();
    if (to == kLast) return;
  }
}

}  // namespace eco::migration_fill
