#include "core/storage/store_cells.hpp"

#include <algorithm>
#include <cstring>
#include <tuple>

#include "core/support/hash_mix.hpp"

namespace eco {

namespace {

// metrics_cells' columns in its key's order (version last, so that a cell's versions lie
// side by side and read_counted_cells adds them up without a sort), then n.
constexpr const char* kColumns =
    "grouping, questionnaire, township, age, gender, kiosk, day, fast, flags, score, drawn, satisfied, trips, green, "
    "item, value, version";

}  // namespace

bool CellCounter::Key::operator==(const Key& o) const {
  return grouping == o.grouping && questionnaire == o.questionnaire && flags == o.flags && drawn == o.drawn &&
         value == o.value && fast == o.fast && satisfied == o.satisfied && township == o.township && age == o.age &&
         gender == o.gender && kiosk == o.kiosk && day == o.day && trips == o.trips && green == o.green &&
         item == o.item && std::memcmp(&score, &o.score, sizeof score) == 0;
}

std::size_t CellCounter::KeyHash::operator()(const Key& k) const {
  std::uint64_t sc = 0;
  std::memcpy(&sc, &k.score, sizeof sc);
  std::uint64_t h = hash_mix(static_cast<std::uint64_t>(k.grouping) | static_cast<std::uint64_t>(k.questionnaire) << 4 |
                        static_cast<std::uint64_t>(k.flags) << 20 | static_cast<std::uint64_t>(k.fast) << 30 |
                        static_cast<std::uint64_t>(k.satisfied) << 31 | static_cast<std::uint64_t>(k.drawn) << 32 |
                        static_cast<std::uint64_t>(k.value) << 48);
  for (std::int64_t x : {k.township, k.age, k.gender, k.kiosk, k.day, k.trips, k.green, k.item})
    h = hash_mix(h ^ static_cast<std::uint64_t>(x));
  return static_cast<std::size_t>(hash_mix(h ^ sc));
}

CellCounter::CellCounter(Db& db)
    : db_(db),
      upsert_(db, std::string("INSERT INTO metrics_cells(") + kColumns +
                      ", n) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT DO UPDATE SET n = n + excluded.n") {
  Stmt s(db, "SELECT min_seconds, utc_offset_minutes FROM metrics_cell_clock WHERE id = 1");
  if (!s.step()) db.fail("metrics_cell_clock has no row");
  clock_ = CellQuery{s.f64(0), static_cast<int>(s.i64(1))};
}

bool CellCounter::same_clock(const CellQuery& q) const {
  // "fast" counts nobody at any threshold <= 0.
  const bool same_fast = (q.min_seconds_per_question <= 0 && clock_.min_seconds_per_question <= 0) ||
                         q.min_seconds_per_question == clock_.min_seconds_per_question;
  return same_fast && q.utc_offset_minutes == clock_.utc_offset_minutes;
}

int CellCounter::questionnaire_index(std::string_view q) {
  for (std::size_t i = 0; i < questionnaires_.size(); ++i)
    if (questionnaires_[i] == q) return static_cast<int>(i);
  questionnaires_.emplace_back(q);
  return static_cast<int>(questionnaires_.size() - 1);
}

void CellCounter::add(const MetricsRow& m) {
  // As ResponseQueries::each_metrics_cell counts the rows (metrics_cells.cpp): the same
  // day, the same "fast", the same outcomes left out.
  const std::int64_t local = m.completed_at + static_cast<std::int64_t>(clock_.utc_offset_minutes) * 60000;
  const std::int64_t day = local >= 0 ? local / 86400000 : (local - 86399999) / 86400000;
  Key k{};
  k.questionnaire = questionnaire_index(m.questionnaire);
  k.flags = m.flags;
  k.fast = clock_.min_seconds_per_question > 0 && m.duration_s < m.visible * clock_.min_seconds_per_question;
  k.age = m.age;
  k.township = k.gender = k.kiosk = k.item = kNoLabel;
  Key values = k;  // what the three respondent groupings share
  values.score = m.score;
  values.drawn = m.drawn;
  values.satisfied = m.satisfied;
  values.trips = m.trips;
  values.green = m.green;
  Key d = values;
  d.grouping = static_cast<int>(CellGrouping::demographic);
  d.township = m.township;
  d.gender = m.gender;
  ++pending_[{d, m.version}];
  Key kk = values;
  kk.grouping = static_cast<int>(CellGrouping::kiosk);
  kk.kiosk = m.kiosk;
  ++pending_[{kk, m.version}];
  Key dd = values;
  dd.grouping = static_cast<int>(CellGrouping::day);
  dd.day = day;
  ++pending_[{dd, m.version}];
  Key it = k;
  it.grouping = static_cast<int>(CellGrouping::item);
  for (const ItemOutcome& o : m.outcomes) {
    if (o.item < 0 || o.item > (1 << 30)) continue;  // not a label id
    it.item = o.item;
    it.value = o.value & 255;
    ++pending_[{it, m.version}];
  }
}

void CellCounter::write() {
  if (pending_.empty()) return;
  // In the table's key order: each upsert lands beside the one before.
  std::vector<const std::pair<const Version, std::int64_t>*> rows;
  rows.reserve(pending_.size());
  for (const auto& e : pending_) rows.push_back(&e);
  auto tie = [&](const Version& v) {
    const Key& k = v.key;
    return std::tie(k.grouping, questionnaires_[static_cast<std::size_t>(k.questionnaire)], k.township, k.age, k.gender,
                    k.kiosk, k.day, k.fast, k.flags, k.score, k.drawn, k.satisfied, k.trips, k.green, k.item, k.value,
                    v.version);
  };
  std::sort(rows.begin(), rows.end(), [&](const auto* a, const auto* b) { return tie(a->first) < tie(b->first); });
  for (const auto* e : rows) {
    const Key& k = e->first.key;
    upsert_.bind(1, k.grouping).bind_static(2, questionnaires_[static_cast<std::size_t>(k.questionnaire)])
        .bind(3, k.township).bind(4, k.age).bind(5, k.gender).bind(6, k.kiosk).bind(7, k.day).bind(8, k.fast ? 1 : 0)
        .bind(9, k.flags).bind(10, k.score).bind(11, k.drawn).bind(12, k.satisfied ? 1 : 0).bind(13, k.trips)
        .bind(14, k.green).bind(15, k.item).bind(16, k.value).bind(17, e->first.version).bind(18, e->second);
    try {
      upsert_.run();
    } catch (...) {
      upsert_.reset();
      throw;
    }
  }
  pending_.clear();
}

void CellCounter::clear() { pending_.clear(); }

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

void count_stored_cells(Db& db, CellCounter& counter, const std::string& questionnaire, std::int64_t from_ms,
                        std::int64_t to_ms) {
  Stmt s(db, std::string("SELECT ") + kMetricsRowColumns +
                 " FROM response_metrics WHERE questionnaire = ?1 AND completed_at >= ?2 AND completed_at <= ?3");
  s.bind(1, questionnaire).bind(2, from_ms).bind(3, to_ms);
  std::vector<ItemOutcome> outcomes;
  MetricsRow m;
  while (s.step()) {
    metrics_row(s, outcomes, m);
    counter.add(m);
  }
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
