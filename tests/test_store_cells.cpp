// The kiosk's counted cells (schema 11, store_cells.hpp): kept exact by every write
// (a save, a batch, a duplicate, metrics filled in later, an import twice, a rolled-back
// batch), filled for an older file in steps that survive a stop, a kill and a second
// process, and the indicators read from them publish the JSON the rows give, byte for byte.
#include <doctest/doctest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <sstream>
#include <tuple>

#include <nlohmann/json.hpp>

#include "core/analysis/indicators.hpp"
#include "core/storage/db_maintenance.hpp"
#include "core/storage/demo_data.hpp"
#include "core/storage/interchange.hpp"
#include "core/storage/migration_fill.hpp"
#include "core/storage/store.hpp"
#include "core/storage/store_access.hpp"
#include "core/survey/metrics.hpp"
#include "cells_check.hpp"
#include "helpers.hpp"

using namespace eco;

namespace {

using test::cell_respondents;
using test::cells_of;
using test::check_cells;
using test::Cells;
using test::kClock;
using test::published;

void demo(Store& s, std::int64_t n, std::uint64_t seed, const std::string& kiosk) {
  DemoOptions d;
  d.responses = n;
  d.seed = seed;
  d.kiosk = kiosk;
  fill_demo_data(s, test::shipped(), d);
}

// A file as schema 10 left it: no cells, no clock.
void make_schema10(const std::string& path, std::int64_t n) {
  Store s(path);
  if (n > 0) demo(s, n, 5, "hall-a");
  if (n > 2) demo(s, n / 3, 6, "hall-b");
  StoreAccess::db(s).exec("DROP TABLE metrics_cells; DROP TABLE metrics_cell_clock; PRAGMA user_version=10");
}

struct SmallChunks {
  std::int64_t was = Store::migration_chunk;
  explicit SmallChunks(std::int64_t n) { Store::migration_chunk = n; }
  ~SmallChunks() { Store::migration_chunk = was; }
};

}  // namespace

TEST_CASE("store cells: counted as saved, equal to the rows and giving the rows' indicators (n = 0, 1, 2, many)") {
  for (std::int64_t n : {0, 1, 2, 600}) {
    CAPTURE(n);
    test::TempDir dir;
    Store s(dir.file("cells.db"));
    CHECK(s.counts_cells({}, kClock));
    // One at a time (the kiosk's save), then in a batch (demo data).
    std::int64_t one = std::min<std::int64_t>(n, 2);
    for (std::int64_t i = 0; i < one; ++i) {
      const Questionnaire& q = test::shipped().list[static_cast<std::size_t>(i) % test::shipped().list.size()];
      test::save_scored(s, demo_response(q, 70 + static_cast<std::uint64_t>(i), now_ms() - 3600000, "hall-a"), &q);
    }
    if (n > one) demo(s, n - one, 9, "hall-b");
    CHECK(cell_respondents(s) == n);
    check_cells(s, std::to_string(n) + " responses");
  }
}

TEST_CASE("store cells: duplicates (flagged at save), a save without metrics filled in later, an import twice") {
  test::TempDir dir;
  Store s(dir.file("paths.db"));
  demo(s, 120, 11, "hall-a");
  const Questionnaire& q = *test::shipped().find("satisfaction");
  // The same answers again a minute later from the same kiosk: flagged as duplicates.
  Response r = demo_response(q, 77, now_ms() - 7200000, "hall-a");
  for (int i = 0; i < 4; ++i) {
    Response c = r;
    c.id = "00000000-0000-4000-8000-" + std::to_string(100000000000 + i);
    c.started_at += i * 60000;
    c.completed_at += i * 60000;
    test::save_scored(s, c, &q);
  }
  CHECK(StoreAccess::db(s).scalar("SELECT count(*) FROM metrics_cells WHERE flags & 2 AND grouping = 0") > 0);
  check_cells(s, "after duplicates");
  // Saved without metrics (its questionnaire unknown then): no cell until they are filled in.
  Response late = demo_response(q, 78, now_ms() - 5000000, "hall-c");
  s.save(late);
  CHECK(cell_respondents(s) == 124);
  CHECK(backfill_metrics(s, test::shipped()) == 1);
  CHECK(cell_respondents(s) == 125);
  CHECK(backfill_metrics(s, test::shipped()) == 0);
  CHECK(cell_respondents(s) == 125);
  check_cells(s, "after fill_missing_metrics");
  // The same file imported twice: the second import adds nothing, to the cells neither.
  std::string lines;
  for (std::uint64_t i = 0; i < 40; ++i) {
    const Questionnaire& qq = test::shipped().list[i % test::shipped().list.size()];
    lines += response_to_line(demo_response(qq, 900 + i, now_ms() - 86400000 + static_cast<TimeMs>(i) * 1000, "hall-d")) + "\n";
  }
  for (int round = 0; round < 2; ++round) {
    std::istringstream in(lines);
    ImportReport rep;
    import_jsonl(in, "other.jsonl", s, test::shipped(), rep);
    CHECK(rep.added() == (round == 0 ? 40 : 0));
    CHECK(cell_respondents(s) == 165);
    check_cells(s, "after import " + std::to_string(round + 1));
  }
}

TEST_CASE("store cells: a batch rolled back and a failed save inside a batch leave no count behind") {
  test::TempDir dir;
  Store s(dir.file("rollback.db"));
  demo(s, 50, 21, "hall-a");
  const Cells before = cells_of(s, {}, true);
  const Questionnaire& q = *test::shipped().find("knowledge");
  struct Boom {};
  CHECK_THROWS_AS(s.batch([&] {
                    for (std::uint64_t i = 0; i < 10; ++i)
                      test::save_scored(s, demo_response(q, 300 + i, now_ms() - 4000000, "hall-b"), &q);
                    throw Boom{};
                  }),
                  Boom);
  CHECK(cells_of(s, {}, true) == before);
  check_cells(s, "after a rolled-back batch");
  // In a batch, one response that fails (here: its metrics row already taken by hand)
  // is rolled back to its savepoint; the others are kept and counted once.
  StoreAccess::db(s).exec("CREATE TRIGGER refuse BEFORE INSERT ON response_metrics WHEN NEW.kiosk = "
                          "(SELECT id FROM labels WHERE kind = 'kiosk' AND value = 'hall-x') "
                          "BEGIN SELECT RAISE(ABORT, 'refused'); END");
  s.batch([&] {
    for (std::uint64_t i = 0; i < 6; ++i) {
      Response r = demo_response(q, 400 + i, now_ms() - 3000000, i == 2 ? "hall-x" : "hall-b");
      if (i == 2) CHECK_THROWS(test::save_scored(s, r, &q));
      else test::save_scored(s, r, &q);
    }
  });
  // A single save that fails is rolled back with its cells.
  CHECK_THROWS(test::save_scored(s, demo_response(q, 499, now_ms() - 3000000, "hall-x"), &q));
  StoreAccess::db(s).exec("DROP TRIGGER refuse");
  CHECK(s.count() == 55);
  CHECK(cell_respondents(s) == 55);
  check_cells(s, "after failed saves");
}

TEST_CASE("store cells: a query on another clock or with a date or kiosk filter reads the rows, and gives their figures") {
  test::TempDir dir;
  Store s(dir.file("clock.db"));
  demo(s, 200, 31, "hall-a");
  demo(s, 40, 32, "hall-b");
  CHECK(s.counts_cells({}, {2.0, 480}));
  CHECK(!s.counts_cells({}, {5.0, 480}));
  CHECK(!s.counts_cells({}, {2.0, -300}));
  CHECK(!s.counts_cells({}, {0.0, 480}));
  ResponseFilter kiosk;
  kiosk.kiosk = "hall-b";
  CHECK(!s.counts_cells(kiosk, kClock));
  ResponseFilter dated;
  dated.from = now_ms() - 20LL * 86400000;
  CHECK(!s.counts_cells(dated, kClock));
  for (auto [seconds, offset] : {std::pair{5.0, 480}, {2.0, -300}, {0.0, 480}, {2.0, 480}}) {
    IndicatorOptions opt;
    opt.min_seconds_per_question = seconds;
    opt.utc_offset_minutes = offset;
    CAPTURE(seconds);
    CAPTURE(offset);
    CHECK(published(compute_indicators(s, test::shipped(), opt)) ==
          published(compute_indicators_from_rows(s, test::shipped(), opt)));
    opt.filter.kiosk = "hall-b";
    CHECK(published(compute_indicators(s, test::shipped(), opt)) ==
          published(compute_indicators_from_rows(s, test::shipped(), opt)));
  }
  // A file whose cells count nobody as fast (a threshold of 0) answers any threshold <= 0.
  StoreAccess::db(s).exec("UPDATE metrics_cell_clock SET min_seconds = 0");
  Store zero(dir.file("clock.db"));
  CHECK(zero.counts_cells({}, {-1.0, 480}));
  CHECK(!zero.counts_cells({}, {2.0, 480}));
}

TEST_CASE("store cells: a schema-10 file gets its cells filled in steps, equal to the rows (n = 0, 1, 2, many)") {
  for (std::int64_t n : {0, 1, 2, 301}) {
    CAPTURE(n);
    test::TempDir dir;
    std::string path = dir.file("ten.db");
    make_schema10(path, n);
    SmallChunks small(7);
    std::vector<std::pair<std::int64_t, std::int64_t>> seen;
    Store s(path, [&](std::int64_t done, std::int64_t total) { seen.emplace_back(done, total); });
    CHECK(s.schema_version() == Store::kSchemaVersion);
    const std::int64_t total = s.count();
    CHECK(cell_respondents(s) == total);
    REQUIRE(!seen.empty());
    CHECK(seen.back() == std::pair{total, total});
    // Steps of whole hours of at least kCellStepChunks * 7 responses (changed when the
    // cells' steps grew: it was 7).
    if (n == 301) CHECK(seen.size() > 301 / (2 * 7 * migration_fill::kCellStepChunks));
    check_cells(s, "filled");
    demo(s, 30, 44, "hall-c");  // and kept as saves go on
    check_cells(s, "filled, then saved to");
  }
}

TEST_CASE("store cells: a fill stopped part-way, killed part-way, or run by two processes at once counts each row once") {
  test::TempDir dir;
  std::string path = dir.file("ten.db");
  make_schema10(path, 240);
  // Chunks small enough for many steps of kCellStepChunks chunks each (they were 9 and
  // 4 when the cells' steps were one chunk).
  {  // stopped by its progress callback, twice
    SmallChunks small(2);
    for (int stop_at : {3, 11}) {
      int calls = 0;
      struct Stop {};
      CHECK_THROWS_AS(Store(path, [&](std::int64_t, std::int64_t) {
                        if (++calls == stop_at) throw Stop{};
                      }),
                      Stop);
      Db db(path, false);
      CHECK(db.scalar("PRAGMA user_version") == 10);
      CHECK(db.scalar("SELECT coalesce(sum(n), 0) FROM metrics_cells WHERE grouping = 0") > 0);  // part-way
    }
  }
  for (int kill_after : {2, 7, 15}) {  // killed wherever it is
    CAPTURE(kill_after);
    test::open_and_kill_after(path, 1, kill_after);
  }
  {
    Db db(path, false);
    REQUIRE(db.scalar("PRAGMA user_version") == 10);  // still part-way for the two processes below
  }
  for (int code : test::open_in_two_processes(path, 3)) CHECK(code == 0);  // exited, finished
  Store s(path);
  CHECK(s.schema_version() == Store::kSchemaVersion);
  CHECK(cell_respondents(s) == s.count());
  check_cells(s, "after stops, kills and two processes");
}

namespace {

// The stored cells on clock q, and the rows counted into cells on q now.
Cells stored_on(Store& s, const CellQuery& q) {
  Cells out;
  REQUIRE(s.counts_cells({}, q));
  s.each_metrics_cell({}, q, [&](const MetricsCell& c) { out[test::cell_text(s, c)] += c.n; });
  return out;
}
Cells rows_on(Store& s, const CellQuery& q) {
  Cells out;
  s.ResponseQueries::each_metrics_cell({}, q, [&](const MetricsCell& c) { out[test::cell_text(s, c)] += c.n; });
  return out;
}
// The indicators on q, from whatever the store answers with, against the rows'.
void same_indicators(Store& s, const CellQuery& q, const std::string& what) {
  CAPTURE(what);
  IndicatorOptions opt;
  opt.min_seconds_per_question = q.min_seconds_per_question;
  opt.utc_offset_minutes = q.utc_offset_minutes;
  CHECK(published(compute_indicators(s, test::shipped(), opt)) ==
        published(compute_indicators_from_rows(s, test::shipped(), opt)));
}
std::int64_t file_version(const std::string& path) {
  Db db(path, false);
  return db.scalar("PRAGMA user_version");
}

// Another threshold and another UTC offset (US Eastern: its days start 13 hours later).
const CellQuery kOther{3.5, -300};

}  // namespace

TEST_CASE("store cells: a new threshold or UTC offset in the settings counts the cells again on it (n = 0, 1, 2, many)") {
  for (std::int64_t n : {0, 1, 2, 300}) {
    CAPTURE(n);
    test::TempDir dir;
    const std::string path = dir.file("clock.db");
    Store s(path);
    if (n > 0) demo(s, n, 61, "hall-a");
    CHECK(!migration_pending(path, kClock));
    CHECK(!s.recount_cells(kClock));  // already counted on it: nothing done
    CHECK(migration_pending(path, kOther));
    CHECK(!s.counts_cells({}, kOther));

    std::vector<std::pair<std::int64_t, std::int64_t>> seen;
    CHECK(s.recount_cells(kOther, [&](std::int64_t d, std::int64_t t) { seen.emplace_back(d, t); }));
    if (n > 0) CHECK(seen.back() == std::pair{n, n});
    CHECK(file_version(path) == Store::kSchemaVersion);
    CHECK(!migration_pending(path, kOther));
    CHECK(s.counts_cells({}, kOther));
    CHECK(!s.counts_cells({}, kClock));  // the old clock's queries read the rows now
    CHECK(stored_on(s, kOther) == rows_on(s, kOther));
    same_indicators(s, kOther, "recounted");
    same_indicators(s, kClock, "the old clock, from the rows");

    // Saves go on, counted on the new clock, by this store and by one opened afresh.
    demo(s, 25, 62, "hall-b");
    Store again(path);
    CHECK(again.counts_cells({}, kOther));
    test::save_scored(again, demo_response(test::shipped().list[0], 63, now_ms() - 7200000, "hall-c"),
                      &test::shipped().list[0]);
    CHECK(stored_on(s, kOther) == rows_on(s, kOther));
    CHECK(stored_on(again, kOther) == rows_on(s, kOther));
    CHECK(cell_respondents(again) == again.count());

    // And back to the defaults.
    CHECK(again.recount_cells(kClock));
    check_cells(again, "back on the defaults");
    // A clock row deleted by hand: counted again once, on the clock asked for.
    StoreAccess::db(again).exec("DELETE FROM metrics_cell_clock");
    CHECK(migration_pending(path, kOther));
    CHECK(again.recount_cells(kOther));
    CHECK(!migration_pending(path, kOther));
    CHECK(stored_on(again, kOther) == rows_on(again, kOther));
  }
}

TEST_CASE("store cells: a recount stopped or killed part-way loses nothing: the next open finishes it on the new clock") {
  test::TempDir dir;
  const std::string path = dir.file("clock.db");
  {
    Store s(path);
    demo(s, 240, 64, "hall-a");
    demo(s, 60, 65, "hall-b");
  }
  SmallChunks small(2);
  {  // stopped by its progress callback
    Store s(path);
    int calls = 0;
    struct Stop {};
    CHECK_THROWS_AS(s.recount_cells(kOther, [&](std::int64_t, std::int64_t) {
      if (++calls == 3) throw Stop{};
    }),
                    Stop);
    CHECK(file_version(path) == 10);
    CHECK(!s.counts_cells({}, kOther));  // part-way: neither clock is answered from the cells
    CHECK(!s.counts_cells({}, kClock));
    same_indicators(s, kOther, "part-way");
  }
  for (int kill_after : {1, 4}) {  // the next opens, killed wherever they are
    CAPTURE(kill_after);
    test::open_and_kill_after(path, 2, kill_after);
  }
  Store s(path);
  CHECK(s.schema_version() == Store::kSchemaVersion);
  CHECK(!migration_pending(path, kOther));
  CHECK(cell_respondents(s) == s.count());
  CHECK(stored_on(s, kOther) == rows_on(s, kOther));
  same_indicators(s, kOther, "finished by a later open");
}

TEST_CASE("store cells: a second writer opened before a recount never counts on the old clock: the cells go stale, "
          "and the next recount makes them right") {
  for (bool part_way : {false, true}) {
    CAPTURE(part_way);
    test::TempDir dir;
    const std::string path = dir.file("clock.db");
    Store a(path);
    demo(a, 200, 66, "hall-a");
    Store b(path);  // counts on the defaults from here on
    CHECK(b.counts_cells({}, kClock));
    if (part_way) {
      SmallChunks small(2);
      struct Stop {};
      CHECK_THROWS_AS(a.recount_cells(kOther, [](std::int64_t, std::int64_t) { throw Stop{}; }), Stop);
      REQUIRE(file_version(path) == 10);
    } else {
      REQUIRE(a.recount_cells(kOther));
      CHECK(a.counts_cells({}, kOther));
    }
    CHECK(!b.counts_cells({}, kClock));  // asked of the file, not of b's own counter
    // b saves on: one at a time and in a batch, at old times (an import) and now.
    demo(b, 30, 67, "hall-b");
    test::save_scored(b, demo_response(test::shipped().list[1], 68, now_ms() - 3600000, "hall-b"),
                      &test::shipped().list[1]);
    // Nothing is answered from cells that lack b's rows or count them on the old clock.
    for (const CellQuery& q : {kClock, kOther}) {
      CHECK(!a.counts_cells({}, q));
      CHECK(!b.counts_cells({}, q));
      same_indicators(a, q, "stale, through a");
      same_indicators(b, q, "stale, through b");
    }
    if (part_way) {  // the next open finishes the fill: still stale, since b's rows may be missing
      Store c(path);
      CHECK(c.schema_version() == Store::kSchemaVersion);
      CHECK(!c.counts_cells({}, kOther));
    }
    CHECK(migration_pending(path, kOther));
    Store fresh(path);
    CHECK(fresh.recount_cells(kOther));
    CHECK(stored_on(fresh, kOther) == rows_on(fresh, kOther));
    CHECK(cell_respondents(fresh) == fresh.count());
    same_indicators(fresh, kOther, "recounted after the stale writes");
  }
}
