#include "core/storage/store_cells.hpp"

#include <algorithm>
#include <cstring>
#include <tuple>


namespace eco {

namespace {

// metrics_cells' columns in its key's order (version last, so that a cell's versions lie
// side by side and read_counted_cells adds them up without a sort), then n.
constexpr const char* kColumns =
    "grouping, questionnaire, township, age, gender, kiosk, day, fast, flags, score, drawn, satisfied, trips, green, "
    "item, value, version";

CellQuery read_clock(Db& db) {
  Stmt s(db, "SELECT min_seconds, utc_offset_minutes FROM metrics_cell_clock WHERE id = 1");
  if (!s.step()) db.fail("metrics_cell_clock has no row");
  return CellQuery{s.f64(0), static_cast<int>(s.i64(1))};
}

// The file's clock, and whether its cells are complete (schema 11 reached).
constexpr const char* kClockNow =
    "SELECT min_seconds, utc_offset_minutes, (SELECT user_version FROM pragma_user_version) >= 11 "
    "FROM metrics_cell_clock WHERE id = 1";

// Steps `clock_now` (kClockNow, prepared by the caller) and resets it: whether the
// cells it finds answer a query on q's clock.
bool answers(Stmt& clock_now, const CellQuery& q) {
  bool yes = false;
  try {
    yes = clock_now.step() && clock_now.i64(2) != 0 &&
          same_cell_clock(CellQuery{clock_now.f64(0), static_cast<int>(clock_now.i64(1))}, q);
  } catch (...) {
    clock_now.reset();
    throw;
  }
  clock_now.reset();
  return yes;
}

}  // namespace

bool same_cell_clock(const CellQuery& counted, const CellQuery& q) {
  const bool same_fast = (q.min_seconds_per_question <= 0 && counted.min_seconds_per_question <= 0) ||
                         q.min_seconds_per_question == counted.min_seconds_per_question;
  return same_fast && q.utc_offset_minutes == counted.utc_offset_minutes;
}

bool cells_answer(Db& db, const CellQuery& q) {
  Stmt s(db, kClockNow);
  return answers(s, q);
}

// The upsert of `rows` cells: eighteen parameters each, in kColumns' order and then n.
std::string upsert_cells(int rows) {
  return std::string("INSERT INTO metrics_cells(") + kColumns + ", n) VALUES" + values_rows(18, rows) +
         " ON CONFLICT DO UPDATE SET n = n + excluded.n";
}

CellCounter::CellCounter(Db& db, bool filling)
    : clock_(read_clock(db)),
      filling_(filling),
      upsert_(db, upsert_cells(1)),
      upsert_many_(db, upsert_cells(kRows)),
      check_(db, kClockNow),
      stale_(db, "UPDATE metrics_cell_clock SET utc_offset_minutes = " + std::to_string(kStaleCellClock) +
                     " WHERE id = 1"),
      tally_(clock_, true) {}

void CellCounter::write(CellTally& summed) {
  if (summed.empty()) return;
  if (!filling_) {
    // One small read in the writer's own transaction: a save costs a few microseconds
    // more, and no other process's recount can slip in between it and the upserts.
    if (!answers(check_, clock_)) {
      stale_.run();
      summed.clear();
      return;
    }
  }
  // In the table's key order: each upsert lands beside the one before.
  std::vector<std::pair<MetricsCell, int>> rows;
  summed.each([&](const MetricsCell& c, int version) { rows.emplace_back(c, version); });
  auto tie = [](const std::pair<MetricsCell, int>& r) {
    const MetricsCell& c = r.first;
    return std::tie(c.grouping, c.questionnaire, c.township, c.age, c.gender, c.kiosk, c.day, c.fast, c.flags, c.score,
                    c.drawn, c.satisfied, c.trips, c.green, c.item, c.value, r.second);
  };
  std::sort(rows.begin(), rows.end(), [&](const auto& a, const auto& b) { return tie(a) < tie(b); });
  auto bind = [](Stmt& s, int base, const MetricsCell& c, int version) {
    s.bind(base + 1, static_cast<int>(c.grouping)).bind_static(base + 2, c.questionnaire).bind(base + 3, c.township)
        .bind(base + 4, c.age).bind(base + 5, c.gender).bind(base + 6, c.kiosk).bind(base + 7, c.day)
        .bind(base + 8, c.fast ? 1 : 0).bind(base + 9, c.flags).bind(base + 10, c.score).bind(base + 11, c.drawn)
        .bind(base + 12, c.satisfied ? 1 : 0).bind(base + 13, c.trips).bind(base + 14, c.green)
        .bind(base + 15, c.item).bind(base + 16, c.value).bind(base + 17, version).bind(base + 18, c.n);
  };
  auto run = [](Stmt& s) {
    try {
      s.run();
    } catch (...) {
      s.reset();
      throw;
    }
  };
  std::size_t i = 0;
  for (; rows.size() - i >= static_cast<std::size_t>(kRows); i += kRows) {
    for (int k = 0; k < kRows; ++k) bind(upsert_many_, 18 * k, rows[i + k].first, rows[i + k].second);
    run(upsert_many_);
  }
  for (; i < rows.size(); ++i) {
    bind(upsert_, 0, rows[i].first, rows[i].second);
    run(upsert_);
  }
  summed.clear();
}

void decode_outcomes(std::string_view blob, std::vector<ItemOutcome>& out) {
  out.clear();
  for (std::size_t i = 0; i + 5 <= blob.size(); i += 5) {
    std::uint32_t id = 0;
    for (int k = 0; k < 4; ++k) id |= static_cast<std::uint32_t>(static_cast<unsigned char>(blob[i + k])) << (8 * k);
    out.push_back({static_cast<std::int64_t>(id), static_cast<unsigned char>(blob[i + 4])});
  }
}

const char* const kMetricsRowColumns =
    "response, questionnaire, version, kiosk, township, age, gender, completed_at, duration_s, visible, score, correct, "
    "drawn, satisfied, trips, green, flags, outcomes";

void metrics_row(const Stmt& s, std::vector<ItemOutcome>& outcomes, MetricsRow& m) {
  auto label = [&](int col) { return s.is_null(col) ? kNoLabel : s.i64(col); };
  m.response = s.i64(0);
  m.questionnaire = s.text(1);
  m.version = static_cast<int>(s.i64(2));
  m.kiosk = label(3);
  m.township = label(4);
  m.age = label(5);
  m.gender = label(6);
  m.completed_at = s.i64(7);
  m.duration_s = s.f64(8);
  m.visible = static_cast<int>(s.i64(9));
  m.score = s.f64(10);
  m.correct = static_cast<int>(s.i64(11));
  m.drawn = static_cast<int>(s.i64(12));
  m.satisfied = s.i64(13) != 0;
  m.trips = s.i64(14);
  m.green = s.i64(15);
  m.flags = static_cast<int>(s.i64(16));
  decode_outcomes(s.blob(17), outcomes);
  m.outcomes = outcomes;
}

StoredMetricsReader::StoredMetricsReader(Db& db)
    : rows_(db, std::string("SELECT ") + kMetricsRowColumns +
                    " FROM response_metrics WHERE questionnaire = ?1 AND completed_at >= ?2 AND completed_at <= ?3") {}

void StoredMetricsReader::read(CellTally& into, const std::string& questionnaire, std::int64_t from_ms,
                               std::int64_t to_ms, const std::atomic<bool>* stop) {
  rows_.bind(1, questionnaire).bind(2, from_ms).bind(3, to_ms);
  MetricsRow m;
  try {
    for (std::uint32_t row = 1; rows_.step(); ++row) {
      if (stop && row % 4096 == 0 && stop->load()) break;
      metrics_row(rows_, outcomes_, m);
      into.add(m);
    }
  } catch (...) {
    rows_.reset();
    throw;
  }
  rows_.reset();
}

void read_counted_cells(Db& db, const ResponseFilter& f, const std::function<void(const MetricsCell&)>& fn) {
  std::string sql = std::string("SELECT ") + kColumns + ", n FROM metrics_cells";
  if (!f.questionnaire.empty()) sql += " WHERE questionnaire = ?1";
  if (f.version) sql += f.questionnaire.empty() ? " WHERE version = ?2" : " AND version = ?2";
  Stmt s(db, sql);
  if (!f.questionnaire.empty()) s.bind(1, f.questionnaire);
  if (f.version) s.bind(2, *f.version);
  // Rows in key order with version last: a run of rows alike but for the version is
  // one cell, told once its run ends.
  std::string questionnaire;
  MetricsCell cur;
  bool have = false;
  auto same = [&](const MetricsCell& c) {
    return c.grouping == cur.grouping && c.questionnaire == questionnaire && c.township == cur.township &&
           c.age == cur.age && c.gender == cur.gender && c.kiosk == cur.kiosk && c.day == cur.day &&
           c.fast == cur.fast && c.flags == cur.flags && c.score == cur.score && c.drawn == cur.drawn &&
           c.satisfied == cur.satisfied && c.trips == cur.trips && c.green == cur.green && c.item == cur.item &&
           c.value == cur.value;
  };
  while (s.step()) {
    MetricsCell c;
    c.grouping = static_cast<CellGrouping>(s.i64(0));
    c.questionnaire = s.text(1);
    c.township = s.i64(2);
    c.age = s.i64(3);
    c.gender = s.i64(4);
    c.kiosk = s.i64(5);
    c.day = s.i64(6);
    c.fast = s.i64(7) != 0;
    c.flags = static_cast<int>(s.i64(8));
    c.score = s.f64(9);
    c.drawn = static_cast<int>(s.i64(10));
    c.satisfied = s.i64(11) != 0;
    c.trips = s.i64(12);
    c.green = s.i64(13);
    c.item = s.i64(14);
    c.value = static_cast<int>(s.i64(15));
    c.n = s.i64(17);
    if (have && same(c)) {
      cur.n += c.n;
      continue;
    }
    if (have && cur.n > 0) fn(cur);
    questionnaire.assign(c.questionnaire);
    cur = c;
    cur.questionnaire = questionnaire;
    have = true;
  }
  if (have && cur.n > 0) fn(cur);
}

}  // namespace eco
