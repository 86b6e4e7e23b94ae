// The center's one view (CentralQueries::read_consistently: a REPEATABLE READ
// transaction) against a second writer. A kiosk saves a response and its sync worker
// sends it to the center at the first query inside the view, and another at the first
// row read (a cursor open, more queries to come), while an export or the indicators are
// made: neither may be in the file or the figures, and both must be there next time.
// Each number of responses already there (0, 1, 2, 40) and each check gets a fresh center
// database. tests/central/central_snapshot.sh gives the test cluster's administrator URL
// in ECOKIOSK_SNAPSHOT_CLUSTER; skipped elsewhere.
#include <doctest/doctest.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <memory>
#include <stdexcept>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "core/analysis/indicators.hpp"
#include "core/central/central_queries.hpp"
#include "core/central/credentials.hpp"
#include "core/central/schema.hpp"
#include "core/central/sync.hpp"
#include "core/output/export.hpp"
#include "core/storage/demo_data.hpp"
#include "core/storage/store.hpp"
#include "core/support/i18n.hpp"
#include "forwarding_queries.hpp"
#include "helpers.hpp"
#include "zip_entries.hpp"

using namespace eco;
using central::CentralQueries;
using central::Conn;

namespace {

constexpr TimeMs kEnd = 1'561'000'000'000;
const char* const kHall = "snap-hall";

bool no_cluster() { return std::getenv("ECOKIOSK_SNAPSHOT_CLUSTER") == nullptr; }

// url with its database replaced, and without its login when `login` is false (a
// kiosk logs in with its own credentials).
std::string url_for(std::string url, const std::string& db, bool login) {
  const std::size_t query = url.find('?');
  const std::string tail = query == std::string::npos ? "" : url.substr(query);
  url = url.substr(0, url.rfind('/', query)) + "/" + db + tail;
  const std::size_t scheme = url.find("://"), at = url.find('@');
  if (!login && scheme != std::string::npos && at != std::string::npos) url.erase(scheme + 3, at - scheme - 2);
  return url;
}

// A fresh, initialised center database of the test cluster, dropped at the end.
struct Center {
  std::string cluster, db, admin_url, kiosk_url;
  std::unique_ptr<Conn> admin;
  explicit Center(const std::string& name)
      : cluster(std::getenv("ECOKIOSK_SNAPSHOT_CLUSTER")),
        db("eco_snapshot_" + name + "_" + std::to_string(::getpid())),
        admin_url(url_for(cluster, db, true)),
        kiosk_url(url_for(cluster, db, false)) {
    Conn c(cluster);
    c.run("DROP DATABASE IF EXISTS " + c.ident(db) + " WITH (FORCE)");
    c.run("CREATE DATABASE " + c.ident(db));
    admin = std::make_unique<Conn>(admin_url);
    central::init_schema(*admin);
  }
  ~Center() {
    admin.reset();
    try {
      Conn c(cluster);
      c.run("DROP DATABASE IF EXISTS " + c.ident(db) + " WITH (FORCE)");
    } catch (...) {
      // The cluster is thrown away after the tests anyway.
    }
  }
  // Sessions of this database left inside a transaction (an export's view not ended).
  std::string open_transactions() {
    return admin->scalar(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%'");
  }
};

// A kiosk of the center, as in the hall: its own SQLite database, n responses already
// sent, and its sync worker for the ones it saves later.
struct Kiosk {
  test::TempDir dir;
  Store store;
  std::unique_ptr<central::SyncWorker> worker;
  const Questionnaire& q = *test::shipped().find("green-travel");
  std::vector<std::string> saved;  // sent by save_and_sync, in order
  Kiosk(Center& c, int n) : store(dir.file("kiosk.db")) {
    const std::string cred = dir.file("central-credentials.json");
    REQUIRE(central::write_credentials(cred, central::add_kiosk(*c.admin, kHall, "", "")).empty());
    store.remember_definition(q, *test::shipped().expanded_json(q));
    DemoOptions d;
    d.responses = n;
    d.end = kEnd;
    d.kiosk = kHall;
    fill_demo_data(store, test::shipped(), d);
    worker = std::make_unique<central::SyncWorker>(
        dir.file("kiosk.db"), central::SyncSettings{.url = c.kiosk_url, .credentials_path = cred, .kiosk_id = kHall});
    central::SyncReport r = worker->run_once();
    REQUIRE_MESSAGE(r.status == central::Status::ok, r.detail);
    REQUIRE(r.sent == n);
  }
  // One more response saved and synced; "" or what went wrong. Runs wherever the
  // export reads (its reading thread too): no doctest macros here.
  std::string save_and_sync() {
    Response r = demo_response(q, 9000 + saved.size(), kEnd - 3600000, kHall);
    if (test::save_scored(store, r, &q) != Store::Saved::inserted) return "the kiosk did not save " + r.id;
    central::SyncReport rep = worker->run_once();
    if (rep.status != central::Status::ok) return "sync: " + rep.detail;
    if (rep.sent != 1) return "sync sent " + std::to_string(rep.sent) + " responses, not 1";
    saved.push_back(r.id);
    return "";
  }
};

// The center's queries, with the kiosk saving and syncing a response at the first
// query inside the view and again at the first row any query streams. Optionally the
// reading then stops: cancel set after the first write, or the read failing (as a
// center going away would) once write number fail_at has synced.
struct Stop {
  std::atomic<bool>* cancel = nullptr;
  int fail_at = 0;  // 0: never
};
class SyncsMidView final : public test::ForwardingQueries {
 public:
  SyncsMidView(CentralQueries& c, Kiosk& k, Stop stop = {}) : ForwardingQueries(c), kiosk_(k), stop_(stop) {}
  std::vector<std::string> problems;
  int writes() const { return writes_; }

  void read_consistently(const std::function<void()>& body) override {
    s_.read_consistently([&] {
      inside_ = true;
      struct Out {
        std::atomic<bool>& in;
        ~Out() { in = false; }
      } out{inside_};
      body();
    });
  }
  void each_with_id(const ResponseFilter& f, const ResponseRowFn& fn) override {
    before_query();
    s_.each_with_id(f, [&](std::int64_t rid, Response& r) {
      at_row();
      return fn(rid, r);
    });
  }
  void each_metrics(const ResponseFilter& f, const std::function<void(const MetricsRow&)>& fn) override {
    before_query();
    s_.each_metrics(f, [&](const MetricsRow& m) {
      at_row();
      fn(m);
    });
  }
  void each_metrics_cell(const ResponseFilter& f, const CellQuery& q,
                         const std::function<void(const MetricsCell&)>& fn) override {
    before_query();
    s_.each_metrics_cell(f, q, [&](const MetricsCell& c) {
      at_row();
      fn(c);
    });
  }

 protected:
  void before_query() override {
    if (inside_ && writes_ == 0) write();
  }

 private:
  void at_row() {
    if (inside_ && writes_ == 1) write();
  }
  void write() {
    ++writes_;
    if (std::string e = kiosk_.save_and_sync(); !e.empty()) problems.push_back(e);
    if (stop_.cancel) stop_.cancel->store(true);
    if (writes_ == stop_.fail_at) throw std::runtime_error("the center went away");
  }
  Kiosk& kiosk_;
  Stop stop_;
  std::atomic<bool> inside_{false};
  std::atomic<int> writes_{0};
};

std::string file_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Everything an export wrote; a workbook's entries (its sheets' XML) one after another,
// by one unzip rather than one per entry.
std::string exported_text(const ExportOptions& o, const ExportResult& r) {
  if (o.format == "xlsx") return test::run_output("unzip -p " + test::shell_quoted(o.out));
  std::string text;
  for (const auto& f : r.files.empty() ? std::vector<std::string>{o.out} : r.files) text += file_text(f);
  return text;
}

std::string published(const IndicatorReport& r) {
  nlohmann::json j = indicators_json(r);
  j.erase("generated_at");
  return j.dump(1);
}

// Responses the green-travel indicator considered (before its exclusions).
std::int64_t considered(const IndicatorReport& r) {
  for (const auto& i : r.indicators)
    if (i.questionnaire == "green-travel") return i.considered;
  return -1;
}

constexpr int kBefore[] = {0, 1, 2, 40};

}  // namespace

TEST_CASE("central snapshot: an export is one view of the center's responses while a kiosk syncs" *
          doctest::skip(no_cluster())) {
  Strings strings = test::shipped_strings();
  for (int n : kBefore)
    for (std::string format : {"csv", "jsonl", "xlsx", "html"}) {
      CAPTURE(n);
      CAPTURE(format);
      Center c("x" + std::to_string(n) + format);
      Kiosk k(c, n);
      CentralQueries cq(c.admin_url);
      const std::int64_t stored = cq.count();
      REQUIRE(stored == n);
      ExportOptions o;
      o.format = format;
      o.strings = &strings;
      o.include_flagged = true;  // every response is a row: none is left out as flagged
      o.out = k.dir.file("out." + format);
      o.replace = true;
      SyncsMidView mid(cq, k);
      ExportResult r = export_data(mid, test::shipped(), o);
      REQUIRE(r.error.empty());
      for (const auto& p : mid.problems) FAIL_CHECK(p);
      // Written at the first query, and at the first row when there was one to read.
      CHECK(mid.writes() == (n ? 2 : 1));
      REQUIRE(k.saved.size() == static_cast<std::size_t>(mid.writes()));
      CHECK(r.rows == stored);
      const std::string text = exported_text(o, r);
      REQUIRE((!text.empty() || (format == "jsonl" && stored == 0)));  // jsonl has no header
      for (const auto& id : k.saved) CHECK(text.find(id) == std::string::npos);
      CHECK(c.open_transactions() == "0");

      // Committed at the center, and seen by the same connection's next export.
      CHECK(cq.count() == stored + mid.writes());
      o.out = k.dir.file("after." + format);
      ExportResult after = export_data(cq, test::shipped(), o);
      REQUIRE(after.error.empty());
      CHECK(after.rows == stored + mid.writes());
      if (format != "html") {  // the report names no response
        const std::string later = exported_text(o, after);
        for (const auto& id : k.saved) CHECK(later.find(id) != std::string::npos);
      }
    }
}

TEST_CASE("central snapshot: the indicators are one view of the center's responses while a kiosk syncs" *
          doctest::skip(no_cluster())) {
  for (int n : kBefore) {
    CAPTURE(n);
    Center c("i" + std::to_string(n));
    Kiosk k(c, n);
    CentralQueries cq(c.admin_url);
    // From the cells the center counted as batches arrived, and (a kiosk filter, which
    // the cells do not carry) from the metrics rows.
    for (bool cells : {true, false}) {
      CAPTURE(cells);
      IndicatorOptions opt;
      if (!cells) opt.filter.kiosk = kHall;
      CHECK(cq.counts_cells(opt.filter, {opt.min_seconds_per_question, opt.utc_offset_minutes}) == cells);
      const IndicatorReport before = compute_indicators(cq, test::shipped(), opt);
      const std::size_t saved = k.saved.size();
      SyncsMidView mid(cq, k);
      const std::string during = published(compute_indicators(mid, test::shipped(), opt));
      for (const auto& p : mid.problems) FAIL_CHECK(p);
      CHECK(mid.writes() >= 1);
      REQUIRE(k.saved.size() == saved + static_cast<std::size_t>(mid.writes()));
      CHECK(during == published(before));
      CHECK(c.open_transactions() == "0");
      // The new responses count from the next computation on.
      const IndicatorReport after = compute_indicators(cq, test::shipped(), opt);
      CHECK(considered(after) == considered(before) + mid.writes());
    }
  }
}

// An export cancelled inside the view returns; one whose read fails throws out of it
// (as do the indicators): either way the view ends there, rolled back, and the same
// connection then reads the center as it now is.
TEST_CASE("central snapshot: a cancelled or failed read ends its view, and the connection reads on" *
          doctest::skip(no_cluster())) {
  Strings strings = test::shipped_strings();
  for (int n : kBefore) {
    CAPTURE(n);
    Center c("c" + std::to_string(n));
    Kiosk k(c, n);
    CentralQueries cq(c.admin_url);
    std::atomic<bool> cancel{false};
    ExportOptions o;
    o.format = "xlsx";
    o.strings = &strings;
    o.include_flagged = true;
    o.cancel = &cancel;
    o.out = k.dir.file("stopped.xlsx");
    const int last = n ? 2 : 1;  // the write at the first row, when there is one
    for (const char* how : {"cancelled export", "failed export", "failed indicators"}) {
      CAPTURE(how);
      const std::string h = how;
      const std::int64_t stored = cq.count();
      cancel = false;
      SyncsMidView mid(cq, k, h == "cancelled export" ? Stop{&cancel, 0} : Stop{nullptr, last});
      if (h == "cancelled export") CHECK(export_data(mid, test::shipped(), o).error == "cancelled");
      else if (h == "failed export")
        CHECK_THROWS_WITH(export_data(mid, test::shipped(), o), "the center went away");
      else
        CHECK_THROWS_WITH(compute_indicators(mid, test::shipped(), {}), "the center went away");
      for (const auto& p : mid.problems) FAIL_CHECK(p);
      REQUIRE(mid.writes() >= 1);
      CHECK(c.open_transactions() == "0");
      // A view left open would still hide what the kiosk sent.
      CHECK(cq.count() == stored + mid.writes());
    }
    o.cancel = nullptr;
    o.out = k.dir.file("next.xlsx");
    ExportResult next = export_data(cq, test::shipped(), o);
    REQUIRE(next.error.empty());
    CHECK(next.rows == cq.count());
    CHECK(next.rows == n + static_cast<std::int64_t>(k.saved.size()));
    const std::string text = exported_text(o, next);
    for (const auto& id : k.saved) CHECK(text.find(id) != std::string::npos);
  }
}
