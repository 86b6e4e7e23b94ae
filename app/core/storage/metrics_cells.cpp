// ResponseQueries::each_metrics_cell's default: the metrics rows counted into cells
// in memory, one pass over each_metrics. The kiosk's SQLite store uses it where its
// counted cells (store_cells.hpp) do not answer (another clock, a date or kiosk
// filter): counting the file's rows here beats SQL's GROUP BY, which sorts. The center
// overrides it with a GROUP BY in PostgreSQL.
#include <array>
#include <cstring>
#include <unordered_map>

#include "core/support/hash_mix.hpp"
#include "core/storage/response_queries.hpp"

namespace eco {

namespace {

// What a respondent's cells share in every grouping: questionnaire, age, whether they
// count, their values. A few thousand distinct ones among a million rows; each gets
// a small id once, and the groupings' keys are two words built from it.
struct Values {
  int questionnaire, flags, drawn;
  bool fast, satisfied;
  std::int64_t age, trips, green;
  double score;
  bool operator==(const Values& o) const {
    return questionnaire == o.questionnaire && flags == o.flags && drawn == o.drawn && fast == o.fast &&
           satisfied == o.satisfied && age == o.age && trips == o.trips && green == o.green &&
           std::memcmp(&score, &o.score, sizeof score) == 0;
  }
};
struct ValuesHash {
  std::size_t operator()(const Values& v) const {
    std::uint64_t sc = 0;
    std::memcpy(&sc, &v.score, sizeof sc);
    std::uint64_t h = hash_mix(static_cast<std::uint64_t>(v.questionnaire) | static_cast<std::uint64_t>(v.flags) << 8 |
                               static_cast<std::uint64_t>(v.drawn) << 24 | static_cast<std::uint64_t>(v.fast) << 56 |
                               static_cast<std::uint64_t>(v.satisfied) << 57);
    h = hash_mix(h ^ static_cast<std::uint64_t>(v.age));
    h = hash_mix(h ^ static_cast<std::uint64_t>(v.trips) ^ static_cast<std::uint64_t>(v.green) << 32);
    return static_cast<std::size_t>(hash_mix(h ^ sc));
  }
};

struct Key {
  std::uint64_t a, b;
  bool operator==(const Key& o) const { return a == o.a && b == o.b; }
};
struct KeyHash {
  std::size_t operator()(const Key& k) const { return static_cast<std::size_t>(hash_mix(k.a ^ hash_mix(k.b))); }
};

std::uint64_t word(std::int64_t id) { return static_cast<std::uint64_t>(id); }

}  // namespace

void ResponseQueries::each_metrics_cell(const ResponseFilter& f, const CellQuery& q,
                                        const std::function<void(const MetricsCell&)>& fn) {
  std::vector<std::string> questionnaires;
  std::unordered_map<Values, std::uint32_t, ValuesHash> value_ids;
  std::vector<Values> values;
  // (grouping << 32 | value id, township/kiosk/day and gender): respondents
  std::unordered_map<Key, std::int64_t, KeyHash> cells;
  // Item outcomes: (value id, item, outcome value) in a table by value id and item,
  // 256 counts each (the outcome is a byte).
  std::vector<std::int64_t> item_slot;  // label id -> index in items_seen, -1 when unseen
  std::vector<std::int64_t> items_seen;
  std::vector<std::vector<std::int32_t>> item_row;  // [value id][item index] -> row of counts, -1 when none
  std::vector<std::array<std::int64_t, 256>> item_counts;
  std::vector<std::pair<std::uint32_t, std::size_t>> item_of_row;  // row -> value id, item index
  const std::int64_t offset_ms = static_cast<std::int64_t>(q.utc_offset_minutes) * 60000;
  std::string_view last_q;
  int last_qi = -1;
  each_metrics(f, [&](const MetricsRow& m) {
    if (last_qi < 0 || m.questionnaire != last_q) {
      int qi = 0;
      while (qi < static_cast<int>(questionnaires.size()) && questionnaires[static_cast<std::size_t>(qi)] != m.questionnaire) ++qi;
      if (qi == static_cast<int>(questionnaires.size())) questionnaires.emplace_back(m.questionnaire);
      last_qi = qi;
      last_q = questionnaires[static_cast<std::size_t>(qi)];
    }
    std::int64_t local = m.completed_at + offset_ms;
    std::int64_t day = local >= 0 ? local / 86400000 : (local - 86399999) / 86400000;
    Values v{last_qi, m.flags, m.drawn, q.min_seconds_per_question > 0 && m.duration_s < m.visible * q.min_seconds_per_question,
             m.satisfied, m.age, m.trips, m.green, m.score};
    auto [it, fresh] = value_ids.try_emplace(v, static_cast<std::uint32_t>(values.size()));
    if (fresh) {
      values.push_back(v);
      item_row.emplace_back();
    }
    const std::uint64_t vid = it->second;
    ++cells[{static_cast<std::uint64_t>(CellGrouping::demographic) << 32 | vid, word(m.township) << 32 ^ word(m.gender)}];
    ++cells[{static_cast<std::uint64_t>(CellGrouping::kiosk) << 32 | vid, word(m.kiosk)}];
    ++cells[{static_cast<std::uint64_t>(CellGrouping::day) << 32 | vid, word(day)}];
    for (const ItemOutcome& o : m.outcomes) {
      if (o.item < 0 || o.item > (1 << 30)) continue;  // not a label id
      auto id = static_cast<std::size_t>(o.item);
      if (id >= item_slot.size()) item_slot.resize(id + 1, -1);
      if (item_slot[id] < 0) {
        item_slot[id] = static_cast<std::int64_t>(items_seen.size());
        items_seen.push_back(o.item);
      }
      auto slot = static_cast<std::size_t>(item_slot[id]);
      std::vector<std::int32_t>& rows = item_row[vid];
      if (slot >= rows.size()) rows.resize(slot + 1, -1);
      if (rows[slot] < 0) {
        rows[slot] = static_cast<std::int32_t>(item_counts.size());
        item_counts.push_back({});
        item_of_row.emplace_back(static_cast<std::uint32_t>(vid), slot);
      }
      ++item_counts[static_cast<std::size_t>(rows[slot])][static_cast<std::size_t>(o.value) & 255];
    }
  });
  auto fill = [&](MetricsCell& c, const Values& v) {
    c.questionnaire = questionnaires[static_cast<std::size_t>(v.questionnaire)];
    c.age = v.age;
    c.fast = v.fast;
    c.flags = v.flags;
  };
  for (const auto& [k, n] : cells) {
    const Values& v = values[static_cast<std::size_t>(k.a & 0xffffffffULL)];
    MetricsCell c;
    c.grouping = static_cast<CellGrouping>(k.a >> 32);
    fill(c, v);
    c.score = v.score;
    c.drawn = v.drawn;
    c.satisfied = v.satisfied;
    c.trips = v.trips;
    c.green = v.green;
    if (c.grouping == CellGrouping::demographic) {
      // township << 32 ^ gender: gender is a label id or -1 (all ones), township the same
      std::uint64_t g = k.b & 0xffffffffULL;
      c.gender = g == 0xffffffffULL ? kNoLabel : static_cast<std::int64_t>(g);
      std::uint64_t t = (k.b ^ (c.gender == kNoLabel ? ~0ULL : 0ULL)) >> 32;
      c.township = t == 0xffffffffULL ? kNoLabel : static_cast<std::int64_t>(t);
    } else if (c.grouping == CellGrouping::kiosk) {
      c.kiosk = static_cast<std::int64_t>(k.b);
    } else {
      c.day = static_cast<std::int64_t>(k.b);
    }
    c.n = n;
    fn(c);
  }
  for (std::size_t row = 0; row < item_counts.size(); ++row) {
    const Values& v = values[item_of_row[row].first];
    MetricsCell c;
    c.grouping = CellGrouping::item;
    fill(c, v);
    c.item = items_seen[item_of_row[row].second];
    for (int value = 0; value < 256; ++value)
      if (std::int64_t n = item_counts[row][static_cast<std::size_t>(value)]) {
        c.value = value;
        c.n = n;
        fn(c);
      }
  }
}

}  // namespace eco
