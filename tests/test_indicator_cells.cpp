// compute_indicators_from_cells takes the store's MetricsCells (respondents who cannot
// be told apart, counted); compute_indicators takes every metrics row one at a time.
// On the same data they must publish the same JSON, whatever the filters, sample sizes
// and weighting.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "core/analysis/indicators.hpp"
#include "core/storage/demo_data.hpp"
#include "core/storage/store.hpp"
#include "core/survey/metrics.hpp"
#include "forwarding_queries.hpp"
#include "helpers.hpp"

using namespace eco;

namespace {

std::string published(const IndicatorReport& r) {
  nlohmann::json j = indicators_json(r);
  j.erase("generated_at");
  return j.dump(1);
}

// Both computations under one set of options; the cells' JSON must equal the
// straightforward one's byte for byte.
void same(Store& s, const IndicatorOptions& opt, const std::string& what) {
  INFO(what);
  std::string cells = published(compute_indicators_from_cells(s, test::shipped(), opt));
  std::string rows = published(compute_indicators_from_rows(s, test::shipped(), opt));
  CHECK(cells == rows);
}

// A population of every age, gender and township the demographics block offers, the
// sizes uneven, so raking moves weights and sparse categories get pooled.
Population population() {
  Population p;
  p.source = "test census";
  Population::Margin ag{{"age", "gender"}, {}};
  double k = 1000;
  for (const char* a : {"u18", "18_29", "30_44", "45_59", "60_69", "70p"})
    for (const char* g : {"male", "female"}) ag.cells[std::string(a) + "|" + g] = (k += 370);
  p.margins.push_back(ag);
  Population::Margin t{{"township"}, {}};
  for (const char* town : {"chengdong", "chengnan", "chengxi", "zhengyang", "zhoubai", "fengjia"})
    t.cells[town] = (k -= 410);
  p.margins.push_back(t);
  return p;
}

void every_option(Store& s, const std::string& what) {
  Population pop = population();
  const TimeMs now = now_ms();
  for (bool weighted : {false, true}) {
    IndicatorOptions opt;
    if (weighted) opt.population = &pop;
    std::string w = what + (weighted ? ", raked" : ", unweighted");
    same(s, opt, w + ", no filter");
    IndicatorOptions o = opt;
    o.include_flagged = true;
    same(s, o, w + ", --include-flagged");
    o = opt;
    o.exclude_minors = true;
    o.min_seconds_per_question = 5;
    same(s, o, w + ", --exclude-minors --min-seconds 5");
    o = opt;
    o.min_seconds_per_question = 0;
    same(s, o, w + ", --min-seconds 0");
    o = opt;
    o.filter.kiosk = "hall-b";
    same(s, o, w + ", one kiosk");
    o = opt;
    o.filter.kiosk = "nowhere";
    same(s, o, w + ", an unknown kiosk (n = 0)");
    o = opt;
    o.filter.from = now - 30LL * 86400000;
    o.filter.to = now - 10LL * 86400000;
    same(s, o, w + ", twenty days");
    o = opt;
    o.filter.version = 1;
    same(s, o, w + ", version 1");
    o = opt;
    o.utc_offset_minutes = -300;  // months change at other instants
    o.min_cell_n = 3;
    same(s, o, w + ", UTC-5, min cell 3");
  }
}

}  // namespace

TEST_CASE("indicator cells: the same JSON as one respondent at a time, for n = 0, 1, 2, sparse and full samples") {
  for (std::int64_t n : {0, 1, 2, 7, 40, 700}) {
    test::TempDir dir;
    Store s(dir.file("cells.db"));
    DemoOptions d;
    d.seed = static_cast<std::uint64_t>(n) + 3;
    d.responses = n;
    d.kiosk = "hall-a";
    if (n) fill_demo_data(s, test::shipped(), d);
    if (n >= 7) {  // a second kiosk, fewer responses: sparse kiosk and month cells
      d.responses = n / 7;
      d.kiosk = "hall-b";
      d.seed += 100;
      fill_demo_data(s, test::shipped(), d);
    }
    every_option(s, std::to_string(n) + " responses");
  }
}

TEST_CASE("indicator cells: many respondents in one cell (identical answers) count as many, not one") {
  test::TempDir dir;
  Store s(dir.file("twins.db"));
  const Questionnaire* q = test::shipped().find("satisfaction");
  REQUIRE(q);
  // The same response 350 times (past the bootstrap's 300) from one kiosk in one hour:
  // one cell of each grouping; the duplicate flag marks all but the first.
  Response r = demo_response(*q, 42, now_ms() - 3600000, "hall-a");
  for (int i = 0; i < 350; ++i) {
    Response c = r;
    c.id = "00000000-0000-4000-8000-" + std::to_string(100000000000 + i);
    c.started_at += i * 1000;
    c.completed_at += i * 1000;
    s.save(c, metrics_of(q, c));
  }
  every_option(s, "350 identical satisfaction responses");
  IndicatorOptions all;
  all.include_flagged = true;
  IndicatorReport rep = compute_indicators_from_cells(s, test::shipped(), all);
  for (const auto& i : rep.indicators)
    if (i.no == 40) CHECK(i.considered == 350);
}

namespace {
// The kiosk's store, saying it keeps counted cells for every query without a date or
// kiosk filter (as the center does), and counting which path was read.
class CountingCells final : public test::ForwardingQueries {
 public:
  explicit CountingCells(Store& s) : ForwardingQueries(s) {}
  int rows = 0, cells = 0;
  void each_metrics(const ResponseFilter& f, const std::function<void(const MetricsRow&)>& fn) override {
    ++rows;
    s_.each_metrics(f, fn);
  }
  void each_metrics_cell(const ResponseFilter& f, const CellQuery& q,
                         const std::function<void(const MetricsCell&)>& fn) override {
    ++cells;
    s_.each_metrics_cell(f, q, fn);
  }
  bool counts_cells(const ResponseFilter& f, const CellQuery&) override {
    return !f.from && !f.to && f.kiosk.empty();
  }
};
}  // namespace

TEST_CASE("indicator cells: compute_indicators reads a store's counted cells when it keeps them for the filter, else its rows") {
  test::TempDir dir;
  Store s(dir.file("dispatch.db"));
  for (const Questionnaire& q : test::shipped().list)
    for (int i = 0; i < 30; ++i) {
      Response r = demo_response(q, 500 + static_cast<std::uint64_t>(i), now_ms() - 86400000 + i * 60000, i % 2 ? "hall-a" : "hall-b");
      s.save(r, metrics_of(&q, r));
    }
  CountingCells c(s);
  IndicatorOptions opt;
  std::string cells = published(compute_indicators(c, test::shipped(), opt));
  CHECK(c.cells == 1);
  CHECK(c.rows == 0);
  CHECK(cells == published(compute_indicators_from_rows(s, test::shipped(), opt)));
  opt.filter.kiosk = "hall-a";  // a filter the cells do not carry: the rows
  std::string rows = published(compute_indicators(c, test::shipped(), opt));
  CHECK(c.cells == 1);
  CHECK(c.rows == 1);
  CHECK(rows == published(compute_indicators_from_cells(s, test::shipped(), opt)));
  CHECK(rows != cells);
}

namespace {
// The kiosk's store, with a second connection that saves a response the first time the
// indicators read metrics or cells: after the computation began, before it read a row.
class SavesWhileCounting final : public test::ForwardingQueries {
 public:
  SavesWhileCounting(Store& s, Store& other, Response r) : ForwardingQueries(s), other_(other), r_(std::move(r)) {}
  bool saved = false;
  void each_metrics(const ResponseFilter& f, const std::function<void(const MetricsRow&)>& fn) override {
    save_once();
    s_.each_metrics(f, fn);
  }
  void each_metrics_cell(const ResponseFilter& f, const CellQuery& q,
                         const std::function<void(const MetricsCell&)>& fn) override {
    save_once();
    s_.each_metrics_cell(f, q, fn);
  }

 private:
  void save_once() {
    if (saved) return;
    saved = true;
    REQUIRE(test::save_scored(other_, r_, test::shipped().find(r_.questionnaire)) == Store::Saved::inserted);
  }
  Store& other_;
  Response r_;
};
}  // namespace

// A kiosk saves while the console computes the indicators: every figure (totals, items,
// breakdowns) is of the responses as they were when the computation began, and the new
// one counts in the next computation.
TEST_CASE("indicators are one view of the responses while another connection saves") {
  for (int n : {0, 1, 2, 300}) {
    CAPTURE(n);
    test::TempDir dir;
    Store s(dir.file("view.db"));
    Store other(dir.file("view.db"));
    if (n) {
      DemoOptions d;
      d.responses = n;
      d.end = 1'561'000'000'000;
      fill_demo_data(s, test::shipped(), d);
    }
    // One more of the demo's kind (its own id), for the second connection to save.
    Store spare_db(dir.file("spare.db"));
    DemoOptions d;
    d.responses = 3;
    d.seed = 99;
    d.end = 1'561'000'000'000;
    fill_demo_data(spare_db, test::shipped(), d);
    std::optional<Response> extra;
    ResponseFilter green;
    green.questionnaire = "green-travel";
    spare_db.each(green, [&](const Response& r) {
      extra = r;
      return false;
    });
    REQUIRE(extra);
    IndicatorOptions opt;
    const std::string before = published(compute_indicators(s, test::shipped(), opt));
    SavesWhileCounting mid(s, other, *extra);
    const std::string during = published(compute_indicators(mid, test::shipped(), opt));
    REQUIRE(mid.saved);
    CHECK(during == before);
    const std::string after = published(compute_indicators(s, test::shipped(), opt));
    CHECK(after != before);  // the saved response counts from the next computation on
  }
}
