// Checks of the kiosk's counted cells (schema 11) shared by test_store_cells and
// test_store_counts: the stored cells against the rows counted now, against cells
// worked out by hand from each row, and the indicators they give against the rows'.
#pragma once
#include <doctest/doctest.h>

#include <map>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "core/analysis/indicators.hpp"
#include "core/storage/store.hpp"
#include "core/storage/store_access.hpp"
#include "helpers.hpp"

namespace test {

inline const eco::CellQuery kClock{2.0, 480};  // what a new file counts on: the settings' defaults

inline std::string published(const eco::IndicatorReport& r) {
  nlohmann::json j = eco::indicators_json(r);
  j.erase("generated_at");
  return j.dump(1);
}

// A cell as comparable text, label ids as their texts (ids differ between files).
using Cells = std::map<std::string, std::int64_t>;
inline std::string cell_text(eco::Store& s, const eco::MetricsCell& c) {
  std::ostringstream k;
  k << static_cast<int>(c.grouping) << '|' << c.questionnaire << '|' << s.label_text(c.township) << '|'
    << s.label_text(c.age) << '|' << s.label_text(c.gender) << '|' << s.label_text(c.kiosk) << '|' << c.day << '|'
    << c.fast << '|' << c.flags << '|' << c.score << '|' << c.drawn << '|' << c.satisfied << '|' << c.trips << '|'
    << c.green << '|' << s.label_text(c.item) << '|' << c.value;
  return k.str();
}

// The stored cells (counted) or the rows counted into cells now by the store's default.
inline Cells cells_of(eco::Store& s, const eco::ResponseFilter& f, bool counted) {
  Cells out;
  auto take = [&](const eco::MetricsCell& c) { out[cell_text(s, c)] += c.n; };
  if (counted) {
    REQUIRE(s.counts_cells(f, kClock));
    s.each_metrics_cell(f, kClock, take);
  } else {
    s.ResponseQueries::each_metrics_cell(f, kClock, take);  // counted from the rows now
  }
  return out;
}

// The cells worked out here, row by row, from what MetricsCell says of them: no code
// shared with the store's counting (cell_tally.cpp), so a slip there shows.
inline Cells cells_by_hand(eco::Store& s, const eco::ResponseFilter& f) {
  using eco::CellGrouping;
  Cells out;
  s.each_metrics(f, [&](const eco::MetricsRow& m) {
    eco::MetricsCell c;
    c.questionnaire = m.questionnaire;
    c.age = m.age;
    c.flags = m.flags;
    c.fast = kClock.min_seconds_per_question > 0 && m.duration_s < m.visible * kClock.min_seconds_per_question;
    c.n = 1;
    eco::MetricsCell item = c;  // the item cells: no values of the respondent's own
    c.score = m.score;
    c.drawn = m.drawn;
    c.satisfied = m.satisfied;
    c.trips = m.trips;
    c.green = m.green;
    eco::MetricsCell d = c;
    d.grouping = CellGrouping::demographic;
    d.township = m.township;
    d.gender = m.gender;
    ++out[cell_text(s, d)];
    eco::MetricsCell k = c;
    k.grouping = CellGrouping::kiosk;
    k.kiosk = m.kiosk;
    ++out[cell_text(s, k)];
    eco::MetricsCell day = c;
    day.grouping = CellGrouping::day;
    // Days on the clock 480 minutes ahead of UTC, rounded down also before 1970.
    const std::int64_t local_ms = m.completed_at + kClock.utc_offset_minutes * 60'000LL;
    day.day = local_ms / 86'400'000 - (local_ms % 86'400'000 < 0 ? 1 : 0);
    ++out[cell_text(s, day)];
    item.grouping = CellGrouping::item;
    for (const eco::ItemOutcome& o : m.outcomes) {
      if (o.item < 0 || o.item > (1 << 30)) continue;  // not a label id
      item.item = o.item;
      item.value = o.value & 255;
      ++out[cell_text(s, item)];
    }
  });
  return out;
}

inline std::int64_t cell_respondents(eco::Store& s) {
  return eco::StoreAccess::db(s).scalar("SELECT coalesce(sum(n), 0) FROM metrics_cells WHERE grouping = 0");
}

// The stored cells equal the rows counted now and by hand (all, one questionnaire, one
// version), and the indicators from them publish what the rows publish.
inline void check_cells(eco::Store& s, const std::string& what) {
  INFO(what);
  const Cells stored = cells_of(s, {}, true);
  CHECK(stored == cells_of(s, {}, false));
  CHECK(stored == cells_by_hand(s, {}));
  CHECK(cell_respondents(s) == s.count() - eco::StoreAccess::db(s).scalar(
                                              "SELECT count(*) FROM responses WHERE id NOT IN "
                                              "(SELECT response FROM response_metrics)"));
  for (const eco::Questionnaire& q : shipped().list) {
    eco::ResponseFilter f;
    f.questionnaire = q.id;
    CHECK(cells_of(s, f, true) == cells_of(s, f, false));
    f.version = 1;
    CHECK(cells_of(s, f, true) == cells_of(s, f, false));
  }
  for (bool flagged : {false, true}) {
    eco::IndicatorOptions opt;
    opt.include_flagged = flagged;
    REQUIRE(s.counts_cells({}, {opt.min_seconds_per_question, opt.utc_offset_minutes}));
    CHECK(published(eco::compute_indicators(s, shipped(), opt)) ==
          published(eco::compute_indicators_from_rows(s, shipped(), opt)));
  }
}

}  // namespace test
