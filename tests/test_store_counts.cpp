// The fast paths of the data path (issue 20) against the straightforward ones on the
// same data: hourly response counts against a scan of the responses, and the
// migrations that fill the hourly tables in short steps against a grouped pass over
// every answer, also when the migration is stopped or the process killed part-way.
#include <doctest/doctest.h>

#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/analysis/indicators.hpp"
#include "core/analysis/survey_results.hpp"
#include "core/storage/interchange.hpp"
#include "core/storage/demo_data.hpp"
#include "core/storage/store.hpp"
#include "core/storage/store_access.hpp"
#include "core/survey/metrics.hpp"
#include "cells_check.hpp"
#include "forwarding_queries.hpp"
#include "helpers.hpp"

using namespace eco;

namespace {

constexpr TimeMs kEnd = 1'561'000'000'000;  // 2019-06-20, a whole hour

void fill(Store& s, std::int64_t n, const std::string& kiosk, std::uint64_t seed = 1) {
  if (n == 0) return;
  DemoOptions d;
  d.responses = n;
  d.kiosk = kiosk;
  d.seed = seed;
  d.end = kEnd;
  d.days = 20;
  fill_demo_data(s, test::shipped(), d);
}

// Every response of `from` saved again under a new id a minute later: same answers,
// same kiosk, so each is flagged as a duplicate.
void add_duplicates(Store& s, int how_many) {
  std::vector<Response> copies;
  s.each({}, [&](const Response& r) {
    if (static_cast<int>(copies.size()) >= how_many) return false;
    Response c = r;
    c.id = "0000000" + std::to_string(copies.size()) + "-aaaa-4aaa-8aaa-aaaaaaaaaaaa";
    c.started_at += 60'000;
    c.completed_at += 60'000;
    copies.push_back(c);
    return true;
  });
  for (const auto& c : copies) test::save_scored(s, c, test::shipped().find(c.questionnaire, c.version));
}

std::vector<ResponseFilter> filters() {
  std::vector<ResponseFilter> out(1);
  ResponseFilter k;
  k.kiosk = "hall-a";
  out.push_back(k);
  ResponseFilter none;
  none.kiosk = "nowhere";
  out.push_back(none);
  ResponseFilter days;  // ten whole days, China time
  days.from = kEnd - 10 * 86'400'000LL - 8 * 3'600'000LL;
  days.to = kEnd - 3 * 86'400'000LL - 8 * 3'600'000LL;
  out.push_back(days);
  ResponseFilter both = days;
  both.kiosk = "hall-b";
  out.push_back(both);
  ResponseFilter odd;  // not on whole hours: the scan answers
  odd.from = kEnd - 5 * 86'400'000LL + 1234;
  odd.to = kEnd - 86'400'000LL - 17;
  out.push_back(odd);
  ResponseFilter empty;  // a period holding nothing
  empty.from = kEnd + 86'400'000LL;
  out.push_back(empty);
  return out;
}

using DayKey = std::tuple<std::string, std::string, std::int64_t>;
std::vector<DayKey> days_of(const std::vector<DayCountRow>& rows) {
  std::vector<DayKey> out;
  for (const auto& r : rows) out.emplace_back(r.questionnaire, r.day, r.n);
  std::sort(out.begin(), out.end());
  return out;
}
std::map<std::string, std::int64_t> flagged_of(const std::vector<QuestionnaireCount>& rows) {
  std::map<std::string, std::int64_t> out;
  for (const auto& r : rows) out[r.questionnaire] += r.n;
  return out;
}

void check_same_as_scan(Store& s) {
  for (const auto& f : filters())
    for (int offset : {480, 0, -300, 330}) {  // 330: India's half hour, answered by the scan
      CAPTURE(f.kiosk);
      CAPTURE(offset);
      CHECK(days_of(s.responses_per_day(f, offset)) == days_of(s.responses_per_day_by_scan(f, offset)));
    }
  for (const auto& f : filters()) {
    CAPTURE(f.kiosk);
    CHECK(flagged_of(s.flagged_per_questionnaire(f)) == flagged_of(s.flagged_per_questionnaire_by_scan(f)));
  }
}

// answer_counts and response_counts as a grouped pass over the answers and responses
// would make them (what the migration used to do in one statement).
std::map<std::string, std::int64_t> answer_counts_direct(Store& s) {
  std::map<std::string, std::int64_t> m;
  Stmt q(StoreAccess::db(s),
         "SELECT r.questionnaire || '/' || a.question || '/' || a.kind || '/' || a.item || '/' || "
         "(r.completed_at / 3600000) || '/' || r.kiosk, count(*), coalesce(sum(a.value), 0) "
         "FROM answers a JOIN responses r ON r.id = a.response GROUP BY 1");
  while (q.step()) m[std::string(q.text(0))] = q.i64(1) * 1000003 + q.i64(2);
  Stmt p(StoreAccess::db(s),
         "SELECT r.questionnaire || '/' || a.question || '/0//' || (r.completed_at / 3600000) || '/' || r.kiosk, "
         "count(DISTINCT a.response) FROM answers a JOIN responses r ON r.id = a.response GROUP BY 1");
  while (p.step()) m[std::string(p.text(0))] = p.i64(1) * 1000003;
  Stmt r(StoreAccess::db(s),
         "SELECT 'R/' || r.questionnaire || '/' || (r.completed_at / 3600000) || '/' || r.kiosk, count(*), "
         "sum(coalesce(m.flags, 0) != 0) FROM responses r LEFT JOIN response_metrics m ON m.response = r.id GROUP BY 1");
  while (r.step()) m[std::string(r.text(0))] = r.i64(1) * 1000003 + r.i64(2);
  return m;
}
std::map<std::string, std::int64_t> answer_counts_kept(Store& s) {
  std::map<std::string, std::int64_t> m;
  Stmt q(StoreAccess::db(s),
         "SELECT questionnaire || '/' || question || '/' || kind || '/' || item || '/' || hour || '/' || kiosk, n, "
         "total FROM answer_counts");
  while (q.step()) m[std::string(q.text(0))] = q.i64(1) * 1000003 + q.i64(2);
  Stmt r(StoreAccess::db(s),
         "SELECT 'R/' || questionnaire || '/' || hour || '/' || kiosk, n, flagged FROM response_counts");
  while (r.step()) m[std::string(r.text(0))] = r.i64(1) * 1000003 + r.i64(2);
  return m;
}

// What schemas 5 to 11 added goes (the hourly counts of both kinds, staff calls, sync,
// the counted cells and their clock), and the answers' index schema 9 dropped comes back.
void as_schema4(Store& s) {
  StoreAccess::db(s).exec("DROP TABLE answer_counts; DROP TABLE response_counts; DROP TABLE staff_calls; "
                          "DROP TABLE central_sync; DROP TABLE metrics_cells; DROP TABLE metrics_cell_clock; "
                          "CREATE INDEX answers_by_question ON answers(question, item); PRAGMA user_version=4");
}

// A database of `n` responses over two kiosks (with duplicates), left as schema 4 made
// it: no hourly counts of either kind, no counted cells.
void make_schema4(const std::string& path, std::int64_t n) {
  Store s(path);
  fill(s, n / 2, "hall-a", 3);
  fill(s, n - n / 2, "hall-b", 4);
  if (n > 0) add_duplicates(s, 3);
  as_schema4(s);
}

struct SmallChunks {  // many chunks from a few hundred responses
  std::int64_t was = Store::migration_chunk;
  explicit SmallChunks(std::int64_t n) { Store::migration_chunk = n; }
  ~SmallChunks() { Store::migration_chunk = was; }
};

}  // namespace

TEST_CASE("responses per day and flagged counts from the hourly counts equal a scan of the responses (n = 0, 1, 2, "
          "many; filters; offsets)") {
  for (std::int64_t n : {0, 1, 2, 400}) {
    CAPTURE(n);
    Store s(":memory:");
    fill(s, n / 2, "hall-a", 11);
    fill(s, n - n / 2, "hall-b", 12);
    if (n > 0) add_duplicates(s, 2);
    if (n == 400) CHECK(flagged_of(s.flagged_per_questionnaire({})).size() > 0);
    check_same_as_scan(s);
  }
}

TEST_CASE("flagged counts stay equal to the scan when metrics are filled in after the responses") {
  Store s(":memory:");
  std::vector<Response> rs;
  const Questionnaire& q = *test::shipped().find("satisfaction");
  for (int i = 0; i < 40; ++i) rs.push_back(demo_response(q, 100 + static_cast<std::uint64_t>(i), kEnd - i * 600'000LL, "k"));
  Response dup = rs[0];
  dup.id = "00000000-bbbb-4bbb-8bbb-bbbbbbbbbbbb";
  dup.completed_at += 1000;
  rs.push_back(dup);
  for (const auto& r : rs) s.save(r);  // no metrics yet
  CHECK(flagged_of(s.flagged_per_questionnaire({})).empty());
  s.fill_missing_metrics([&](const Response& r) { return metrics_of(&q, r); });
  CHECK(flagged_of(s.flagged_per_questionnaire({})).at("satisfaction") >= 1);
  check_same_as_scan(s);
}

TEST_CASE("survey results over the hourly counts equal those over a scan") {
  test::TempDir dir;
  auto flat = [](const SurveyResults& r) {
    std::vector<std::string> out;
    for (const auto& q : r.questionnaires) {
      out.push_back(q.id + " " + std::to_string(q.completed) + " " + std::to_string(q.flagged) + " " +
                    std::to_string(q.abandoned));
      for (const auto& d : q.per_day) out.push_back(d.day + " " + std::to_string(d.n));
      for (const auto& qu : q.questions)
        for (const auto& c : qu.counts) out.push_back(qu.question + " " + c.option + " " + std::to_string(c.n));
    }
    return out;
  };
  for (std::int64_t n : {0, 1, 2, 300}) {
    CAPTURE(n);
    std::string path = dir.file("r" + std::to_string(n) + ".db");
    std::vector<std::vector<std::string>> fast;
    {
      Store s(path);
      fill(s, n / 2, "hall-a", 21 + static_cast<std::uint64_t>(n));
      fill(s, n - n / 2, "hall-b", 22 + static_cast<std::uint64_t>(n));
      if (n > 0) add_duplicates(s, 4);
      for (const auto& f : filters()) fast.push_back(flat(compute_survey_results(s, test::shipped(), f, 480)));
    }
    { Db db(path, false); db.exec("DROP TABLE response_counts"); }  // a reader of this file can only scan
    Store s(path, Store::ReadOnly{});
    std::size_t i = 0;
    for (const auto& f : filters()) CHECK(flat(compute_survey_results(s, test::shipped(), f, 480)) == fast[i++]);
  }
}

namespace {
// The kiosk's store, with a second connection that saves a completed response and an
// abandoned session the first time the survey results query anything.
class SavesAtFirstQuery final : public test::ForwardingQueries {
 public:
  SavesAtFirstQuery(Store& s, Store& other) : ForwardingQueries(s), other_(other) {}
  int queries = 0;

 private:
  void before_query() override {
    if (queries++) return;
    const Questionnaire& q = *test::shipped().find("satisfaction");
    Response r = demo_response(q, 4242, kEnd - 1800'000, "hall-a");
    REQUIRE(test::save_scored(other_, r, &q) == Store::Saved::inserted);
    other_.save_abandoned(Abandoned{"6a3c1f0e-1111-4222-8333-944445555666", "satisfaction", q.version, "hall-a", "zh",
                                    kEnd - 3600'000, kEnd - 3000'000, q.questions.front().id, 1, 0});
  }
  Store& other_;
};

std::vector<std::string> flat_results(const SurveyResults& r) {
  std::vector<std::string> out;
  for (const auto& q : r.questionnaires) {
    out.push_back(q.id + " " + std::to_string(q.completed) + " " + std::to_string(q.flagged) + " " +
                  std::to_string(q.abandoned));
    for (const auto& d : q.per_day) out.push_back(d.day + " " + std::to_string(d.n));
    for (const auto& [at, n] : q.abandoned_at) out.push_back("abandoned at " + at + " " + std::to_string(n));
    for (const auto& qu : q.questions) {
      out.push_back(qu.question + " answered " + std::to_string(qu.answered));
      for (const auto& c : qu.counts) out.push_back(qu.question + " " + c.option + " " + std::to_string(c.n));
    }
  }
  return out;
}
}  // namespace

// A kiosk saves (and another resident walks away) while the console computes the survey
// results: every figure is of the responses as they were when it began (never a
// question answered by more people than completed the questionnaire), and the new ones
// count from the next computation on.
TEST_CASE("survey results are one view of the responses while another connection saves") {
  for (std::int64_t n : {0, 1, 2, 300}) {
    CAPTURE(n);
    test::TempDir dir;
    Store s(dir.file("view.db"));
    Store other(dir.file("view.db"));
    fill(s, n, "hall-a", 31 + static_cast<std::uint64_t>(n));
    auto satisfaction = [](const SurveyResults& r) {
      for (const auto& q : r.questionnaires)
        if (q.id == "satisfaction") return q;
      FAIL("no satisfaction results");
      return QuestionnaireResults{};
    };
    const SurveyResults first = compute_survey_results(s, test::shipped(), {}, 480);
    const auto before = flat_results(first);
    SavesAtFirstQuery mid(s, other);
    const auto during = flat_results(compute_survey_results(mid, test::shipped(), {}, 480));
    REQUIRE(mid.queries >= 4);  // per day, flagged, abandoned, answer counts
    CHECK(during == before);
    const SurveyResults next = compute_survey_results(s, test::shipped(), {}, 480);
    CHECK(flat_results(next) != before);
    CHECK(satisfaction(next).completed == satisfaction(first).completed + 1);
    CHECK(satisfaction(next).abandoned == satisfaction(first).abandoned + 1);
    // The connection that computed them holds no transaction: it saves as before.
    const Questionnaire& q = *test::shipped().find("satisfaction");
    REQUIRE(test::save_scored(s, demo_response(q, 4343, kEnd - 900'000, "hall-a"), &q) == Store::Saved::inserted);
  }
}

TEST_CASE("opening a schema-4 database fills both hourly tables in steps, equal to a grouped pass (n = 0, 1, 2, "
          "many)") {
  for (std::int64_t n : {0, 1, 2, 301}) {
    CAPTURE(n);
    test::TempDir dir;
    std::string path = dir.file("old.db");
    make_schema4(path, n);
    SmallChunks small(7);
    std::vector<std::pair<std::int64_t, std::int64_t>> seen;
    Store s(path, [&](std::int64_t done, std::int64_t total) { seen.emplace_back(done, total); });
    CHECK(s.schema_version() == Store::kSchemaVersion);
    CHECK(answer_counts_kept(s) == answer_counts_direct(s));
    // The marks of how far each fill got (by hours since schema 10) are gone with the fills.
    CHECK(StoreAccess::db(s).scalar("SELECT count(*) FROM sqlite_master WHERE name = 'migration_fill_hours'") == 1);
    CHECK(StoreAccess::db(s).scalar("SELECT count(*) FROM migration_fill_hours") == 0);
    // Progress is reported once per chunk and table, and (changed for the kiosk's progress
    // bar) rises as one bar over both tables to their sum, never starting again at 0.
    // (Three tables since schema 11 filled its counted cells too: it was 2 *.)
    REQUIRE(!seen.empty());
    CHECK(seen.back().first == seen.back().second);
    CHECK(seen.back().second == 3 * StoreAccess::db(s).scalar("SELECT count(*) FROM responses"));
    for (std::size_t i = 1; i < seen.size(); ++i) {
      CHECK(seen[i].first >= seen[i - 1].first);
      CHECK(seen[i].second == seen[0].second);
    }
    // A step is whole hours of at least 7 responses (changed with the windows by hour:
    // it was exactly 7 responses by id).
    if (n == 301) CHECK(seen.size() > 2 * 301 / 14);
    check_same_as_scan(s);
    test::check_cells(s, "filled");
  }
}

// Debian's SQLite zeroes every page it frees (secure_delete). The update of an older file
// frees the answers' index schema 9 drops and the counts schema 10 copies, which the
// file still holds elsewhere, without zeroing them (that wrote the whole index into the
// log and back); the kiosk's own deletes after it must be zeroed as before: a resident's
// walked-away session leaves no trace in the file's free pages.
TEST_CASE("an update frees the old answers' index unzeroed, and the kiosk's deletes after it are zeroed as before") {
  test::TempDir dir;
  const std::int64_t usual = Db(dir.file("probe.db")).scalar("PRAGMA secure_delete");
  for (std::int64_t n : {0, 40}) {
    CAPTURE(n);
    const std::string path = dir.file("old" + std::to_string(n) + ".db");
    make_schema4(path, n);
    Store s(path);
    REQUIRE(s.schema_version() == Store::kSchemaVersion);
    Db& db = StoreAccess::db(s);
    CHECK(db.scalar("SELECT count(*) FROM sqlite_master WHERE name = 'answers_by_question'") == 0);
    CHECK(db.scalar("PRAGMA secure_delete") == usual);
    if (usual != 1) continue;  // a SQLite built without it: nothing more to keep
    // Enough sessions under way to fill pages of their own, then all of them gone: the
    // pages they filled are freed, and must be zeros in the file.
    const std::string marker = "walked-away-7Q3Z";
    for (int i = 0; i < 300; ++i)
      s.mark_in_progress(Abandoned{"6a3c1f0e-0000-4000-8000-" + std::to_string(100000000000 + i), "satisfaction", 1,
                                   marker + std::to_string(i), "zh", kEnd, kEnd, marker, 1, 0});
    s.checkpoint();
    for (int i = 0; i < 300; ++i) s.clear_in_progress("6a3c1f0e-0000-4000-8000-" + std::to_string(100000000000 + i));
    s.checkpoint();
    CHECK(db.scalar("PRAGMA freelist_count") > 0);
    std::ifstream in(path, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK(bytes.find(marker) == std::string::npos);
  }
}

TEST_CASE("a migration stopped part-way loses nothing: the next open carries on and the counts are right") {
  test::TempDir dir;
  std::string path = dir.file("old.db");
  make_schema4(path, 200);
  SmallChunks small(9);
  int calls = 0;
  struct Stop {};
  // Stopped in the first table, then again in the second.
  for (int stop_at : {5, 30}) {
    calls = 0;
    CHECK_THROWS_AS(Store(path, [&](std::int64_t, std::int64_t) {
                      if (++calls == stop_at) throw Stop{};
                    }),
                    Stop);
    Db db(path, false);
    CHECK(db.scalar("PRAGMA user_version") < Store::kSchemaVersion);
    CHECK(db.scalar("SELECT count(*) FROM responses") == 203);
  }
  Store s(path);
  CHECK(s.schema_version() == Store::kSchemaVersion);
  CHECK(s.count() == 203);
  CHECK(answer_counts_kept(s) == answer_counts_direct(s));
  check_same_as_scan(s);
  test::check_cells(s, "filled");
}

TEST_CASE("a migration whose process is killed part-way loses nothing: the next open completes it") {
  test::TempDir dir;
  std::string path = dir.file("old.db");
  make_schema4(path, 200);
  for (int kill_after : {2, 9, 25, 40}) {
    CAPTURE(kill_after);
    test::open_and_kill_after(path, 5, kill_after);  // wherever it is: mid-chunk, between chunks, or done
    Db db(path, false);
    CHECK(db.scalar("SELECT count(*) FROM responses") == 203);
    Stmt check(db, "PRAGMA integrity_check");
    REQUIRE(check.step());
    CHECK(check.text(0) == "ok");
  }
  Store s(path);
  CHECK(s.schema_version() == Store::kSchemaVersion);
  CHECK(answer_counts_kept(s) == answer_counts_direct(s));
  check_same_as_scan(s);
  test::check_cells(s, "filled");
}

// Each process sums the next windows on reader threads while it writes the current one;
// when the other process moves the mark in between, what was summed ahead no longer
// fits and must be dropped, not written twice.
TEST_CASE("two processes opening the same schema-4 file at once both finish, and the counts are counted once") {
  test::TempDir dir;
  std::string path = dir.file("old.db");
  make_schema4(path, 200);
  for (int code : test::open_in_two_processes(path, 3)) CHECK(code == 0);  // exited, finished
  Store s(path);
  CHECK(s.count() == 203);
  CHECK(answer_counts_kept(s) == answer_counts_direct(s));
  check_same_as_scan(s);
  test::check_cells(s, "filled");
}

// The reader threads open the file again, by its path; when they cannot (no file
// descriptors left here), the writer must read every window itself, and a fill that
// cannot go on at all must stop with the file as it was. Each child may open only a few
// more files than it has open: from too few for the writer to enough for some readers.
TEST_CASE("a schema-4 fill whose reader threads cannot open the file is still counted right, or stopped unharmed") {
#if defined(__SANITIZE_ADDRESS__)
  // The sanitizers' runtime tests whether memory is readable through a pipe: with no
  // descriptor left it takes every vtable for invalid and reports, in the child.
  MESSAGE("skipped under the sanitizers, whose runtime needs file descriptors of its own");
  return;
#endif
  test::TempDir dir;
  const std::string original = dir.file("old.db");
  make_schema4(original, 200);
  int starved_but_done = 0;
  for (int spare = 0; spare <= 8; ++spare) {
    CAPTURE(spare);
    std::string path = dir.file("old-" + std::to_string(spare) + ".db");
    std::filesystem::copy_file(original, path);
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      for (int fd = 3; fd < 1024; ++fd) close(fd);  // what the child inherited: not needed
      rlimit lim{static_cast<rlim_t>(3 + spare), static_cast<rlim_t>(3 + spare)};
      if (setrlimit(RLIMIT_NOFILE, &lim) != 0) _exit(5);
      Store::migration_chunk = 7;
      bool done = false;
      try {
        Store s(path);
        done = s.schema_version() == Store::kSchemaVersion;
        if (!done) _exit(4);
      } catch (...) {
        _exit(2);  // could not open or go on: must leave the file as it was
      }
      // Exit 0 when no reader could have opened the file alongside the writer.
      try {
        Db writer(path, false);
        Db reader(path, false, true);
        if (writer.scalar("SELECT count(*) FROM answer_counts") > 0 && reader.scalar("SELECT count(*) FROM answers") > 0)
          _exit(1);
        _exit(6);
      } catch (...) {
        _exit(0);
      }
    }
    int status = 0;
    waitpid(pid, &status, 0);
    REQUIRE(WIFEXITED(status));
    const int code = WEXITSTATUS(status);
    CHECK((code == 0 || code == 1 || code == 2));
    if (code == 0) ++starved_but_done;
    Db db(path, false);
    CHECK(db.scalar("SELECT count(*) FROM responses") == 203);
    Stmt check(db, "PRAGMA integrity_check");
    REQUIRE(check.step());
    CHECK(check.text(0) == "ok");
    if (code != 2) {  // finished: counted once, as a grouped pass counts
      Store s(path);
      CHECK(answer_counts_kept(s) == answer_counts_direct(s));
      check_same_as_scan(s);
      test::check_cells(s, "filled");
    }
  }
  CHECK(starved_but_done > 0);  // the case this test is for was met
}

// With too little address space left for a thread's stack, no reader thread starts:
// the writer reads every window itself (before, a throw from the constructor could end
// the process with a started thread never joined).
TEST_CASE("a schema-4 fill that cannot start its reader threads is counted by the writer alone") {
#if defined(__SANITIZE_ADDRESS__)
  MESSAGE("skipped under AddressSanitizer, whose shadow memory an address-space limit starves");
  return;
#endif
  test::TempDir dir;
  int counted = 0;
  for (long extra_mb : {3, 5, 7, 12}) {
    CAPTURE(extra_mb);
    std::string path = dir.file("old-" + std::to_string(extra_mb) + ".db");
    make_schema4(path, 200);
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      std::ifstream status("/proc/self/status");
      std::string line;
      long vm_kb = 0;
      while (std::getline(status, line))
        if (line.rfind("VmSize:", 0) == 0) vm_kb = std::stol(line.substr(7));
      if (vm_kb == 0) _exit(5);
      const rlim_t bytes = static_cast<rlim_t>(vm_kb + extra_mb * 1024) * 1024;
      rlimit lim{bytes, bytes};
      if (setrlimit(RLIMIT_AS, &lim) != 0) _exit(5);
      Store::migration_chunk = 7;
      try {
        Store s(path);
        _exit(s.schema_version() == Store::kSchemaVersion ? 0 : 4);
      } catch (...) {
        _exit(2);
      }
    }
    int status = 0;
    waitpid(pid, &status, 0);
    REQUIRE(WIFEXITED(status));  // not killed by std::terminate
    const int code = WEXITSTATUS(status);
    CHECK((code == 0 || code == 2));  // 2: stopped for lack of memory, the file as it was
    if (code == 0) ++counted;
    Db db(path, false);
    CHECK(db.scalar("SELECT count(*) FROM responses") == 203);
    Store s(path);  // finishes what a stopped child left
    CHECK(answer_counts_kept(s) == answer_counts_direct(s));
    check_same_as_scan(s);
    test::check_cells(s, "filled");
  }
  CHECK(counted > 0);
}

TEST_CASE("a fill an older EcoKiosk left half done (counted by response ids) is started again and comes out right") {
  test::TempDir dir;
  std::string path = dir.file("old.db");
  make_schema4(path, 120);
  {  // what schema 9's program left when stopped: its table (question first), half the
     // responses counted, and its mark by id
    Db db(path, false);
    db.exec("CREATE TABLE answer_counts(questionnaire TEXT NOT NULL, question TEXT NOT NULL, kind INTEGER NOT NULL, "
            "item TEXT NOT NULL, hour INTEGER NOT NULL, kiosk TEXT NOT NULL, n INTEGER NOT NULL, total INTEGER NOT "
            "NULL, PRIMARY KEY(questionnaire, question, kind, item, hour, kiosk)) WITHOUT ROWID");
    db.exec("INSERT INTO answer_counts SELECT r.questionnaire, a.question, a.kind, a.item, r.completed_at / 3600000, "
            "r.kiosk, count(*), coalesce(sum(a.value), 0) FROM responses r JOIN answers a ON a.response = r.id "
            "WHERE r.id <= 60 GROUP BY 1, 2, 3, 4, 5, 6");
    db.exec("CREATE TABLE migration_fill(version INTEGER PRIMARY KEY, done_through INTEGER NOT NULL); "
            "INSERT INTO migration_fill VALUES(5, 60)");
    REQUIRE(db.scalar("SELECT count(*) FROM answer_counts") > 0);
  }
  SmallChunks small(11);
  Store s(path);
  CHECK(s.schema_version() == Store::kSchemaVersion);
  CHECK(s.count() == 123);
  CHECK(answer_counts_kept(s) == answer_counts_direct(s));  // nothing of the first 60 counted twice
  CHECK(StoreAccess::db(s).scalar("SELECT count(*) FROM migration_fill") == 0);
  check_same_as_scan(s);
  test::check_cells(s, "filled");
}

TEST_CASE("the fill by windows of hours counts every response whatever its time: before 1970, on an hour's edge, "
          "far ahead, saved out of time order") {
  test::TempDir dir;
  std::string path = dir.file("odd.db");
  {
    Store s(path);
    fill(s, 40, "hall-a", 31);
    const Questionnaire& q = *test::shipped().find("green-travel");
    std::uint64_t seed = 500;
    // Saved newest first, so ids run against time; hours either side of 0 (SQLite and
    // C++ both cut toward zero, so hour 0 holds two hours of times).
    for (TimeMs t : {TimeMs{4'102'444'800'000}, kEnd + 3'600'000, kEnd, kEnd - 1, TimeMs{3'600'000}, TimeMs{0},
                     TimeMs{-1}, TimeMs{-3'599'999}, TimeMs{-3'600'000}, TimeMs{-7'200'001},
                     // and a day before 1970 on the cells' clock (8 hours ahead): rounded down
                     TimeMs{-28'800'001}, TimeMs{-259'200'005}}) {
      Response r = demo_response(q, seed++, t - 300'000, "hall-b");
      r.completed_at = t;
      test::save_scored(s, r, &q);
    }
    as_schema4(s);
  }
  for (std::int64_t chunk : {1, 3, 1000}) {
    CAPTURE(chunk);
    std::string copy = dir.file("odd-" + std::to_string(chunk) + ".db");
    std::filesystem::copy_file(path, copy);
    SmallChunks small(chunk);
    Store s(copy);
    CHECK(s.count() == 52);
    CHECK(answer_counts_kept(s) == answer_counts_direct(s));
    CHECK(StoreAccess::db(s).scalar("SELECT sum(n) FROM response_counts") == 52);
    test::check_cells(s, "odd times");
  }
}

TEST_CASE("schema 10 keys the answer counts by hour first: a schema-9 file's counts are kept as they were, and "
          "saves go on adding to them") {
  test::TempDir dir;
  std::string path = dir.file("nine.db");
  std::map<std::string, std::int64_t> before;
  {
    Store s(path);
    fill(s, 150, "hall-a", 41);
    before = answer_counts_kept(s);
    // The table as schema 9 had it: the same rows under a key by question first.
    StoreAccess::db(s).exec(
        "CREATE TABLE old_counts(questionnaire TEXT NOT NULL, question TEXT NOT NULL, kind INTEGER NOT NULL, "
        "item TEXT NOT NULL, hour INTEGER NOT NULL, kiosk TEXT NOT NULL, n INTEGER NOT NULL, total INTEGER NOT NULL, "
        "PRIMARY KEY(questionnaire, question, kind, item, hour, kiosk)) WITHOUT ROWID; "
        "INSERT INTO old_counts SELECT * FROM answer_counts; DROP TABLE answer_counts; "
        "ALTER TABLE old_counts RENAME TO answer_counts; PRAGMA user_version=9");
  }
  Store s(path);
  CHECK(s.schema_version() == Store::kSchemaVersion);  // 10 until schema 11 (counted cells)
  CHECK(answer_counts_kept(s) == before);
  CHECK(StoreAccess::db(s).scalar("SELECT count(*) FROM pragma_index_info('sqlite_autoindex_answer_counts_1') "
                                  "WHERE seqno = 0 AND name = 'hour'") == 1);
  fill(s, 30, "hall-b", 42);
  CHECK(answer_counts_kept(s) == answer_counts_direct(s));
}

namespace {

// Every stored response as its interchange line (answers included), in id order,
// without its UUID (a session draws a random one: two fills of one seed differ there).
std::vector<std::string> lines_of(Store& s) {
  std::vector<std::string> out;
  s.each({}, [&](const Response& r) {
    Response c = r;
    c.id.clear();
    out.push_back(response_to_line(c));
    return true;
  });
  return out;
}

// Indicators 35, 39 and 40 with items and breakdowns, as JSON without the time they were made.
std::string indicators_of(Store& s) {
  IndicatorOptions o;
  nlohmann::json j = indicators_json(compute_indicators(s, test::shipped(), o));
  j.erase("generated_at");
  return j.dump();
}

// What the fast paths keep, against a grouped pass over the same store's answers and
// against `slow`, the same responses saved one at a time (each upserting its counts).
void check_same_counts(Store& fast, Store& slow) {
  CHECK(answer_counts_kept(fast) == answer_counts_direct(fast));
  CHECK(answer_counts_kept(fast) == answer_counts_kept(slow));
  CHECK(lines_of(fast) == lines_of(slow));
  CHECK(StoreAccess::db(fast).scalar("SELECT count(*) FROM answers") ==
        StoreAccess::db(slow).scalar("SELECT count(*) FROM answers"));
  CHECK(indicators_of(fast) == indicators_of(slow));
}

}  // namespace

TEST_CASE("demo data made in time order and saved in batches equals the same responses saved one at a time: "
          "answers, hourly counts, indicators (n = 0, 1, 2, 7, 600)") {
  for (std::int64_t n : {0, 1, 2, 7, 600}) {
    CAPTURE(n);
    Store fast(":memory:");
    fill(fast, n, "hall-a", 31);
    fill(fast, n / 3, "hall-b", 32);  // a second fill into a database that already holds responses
    std::vector<Response> rs;
    std::vector<std::int64_t> ids;
    fast.each_with_id({}, [&](std::int64_t id, const Response& r) {
      rs.push_back(r);
      ids.push_back(id);
      return true;
    });
    REQUIRE(static_cast<std::int64_t>(rs.size()) == n + n / 3);
    // Each fill saved its responses in the order they started.
    for (std::size_t i = 1; i < rs.size(); ++i)
      if (rs[i].kiosk == rs[i - 1].kiosk) CHECK(rs[i - 1].started_at <= rs[i].started_at);
    Store slow(":memory:");
    for (const auto& r : rs) test::save_scored(slow, r, test::shipped().find(r.questionnaire, r.version));
    check_same_counts(fast, slow);
    // The same seed still makes the same responses.
    Store again(":memory:");
    fill(again, n, "hall-a", 31);
    fill(again, n / 3, "hall-b", 32);
    CHECK(lines_of(again) == lines_of(fast));
    if (n == 600) CHECK(StoreAccess::db(fast).scalar("SELECT count(*) FROM answer_counts") > 100);
  }
}

TEST_CASE("import's batched hourly counts equal a grouped pass and one-at-a-time saves: bad lines mixed in, "
          "responses in the same hour, a database already holding responses, the same file twice (n = 0, 1, 2, 40)") {
  const QuestionnaireSet& set = test::shipped();
  for (int n : {0, 1, 2, 40}) {
    CAPTURE(n);
    // Responses to each questionnaire, most of them in the same hour, a few hours
    // apart, in no time order.
    std::vector<Response> rs;
    const char* names[] = {"satisfaction", "knowledge", "green-travel"};
    for (int i = 0; i < n; ++i) {
      TimeMs start = kEnd - 5 * 3'600'000LL + (i % 5 == 4 ? -(i * 3'600'000LL) : (i * 37'000LL) % 3'000'000LL);
      rs.push_back(demo_response(*set.find(names[i % 3]), 700 + static_cast<std::uint64_t>(i), start,
                                 i % 4 == 3 ? "hall-b" : "hall-a"));
    }
    std::string file;
    for (int i = 0; i < n; ++i) {
      if (i % 7 == 1) file += "not json at all\n";
      if (i % 7 == 3) file += "{\"id\": \"x\"}\n";
      file += response_to_line(rs[static_cast<std::size_t>(i)]) + "\n";
    }
    file += "{\"questionnaire\": \"satisfaction\"\n";  // a broken last line
    Store fast(":memory:"), slow(":memory:");
    fill(fast, 30, "hall-c", 41);  // already holding responses
    fill(slow, 30, "hall-c", 41);
    for (int pass = 0; pass < 2; ++pass) {
      CAPTURE(pass);
      std::istringstream in(file);
      ImportReport rep;
      import_jsonl(in, "f.jsonl", fast, set, rep);
      CHECK(rep.added() == (pass == 0 ? n : 0));
      CHECK(rep.already() == (pass == 0 ? 0 : n));
      CHECK(rep.refused() == (n + 5) / 7 + (n + 3) / 7 + 1);
    }
    // The straightforward path: each good line parsed and saved on its own, no batch.
    std::istringstream in(file);
    for (std::string line; std::getline(in, line);)
      if (ParsedLine p = parse_response_line(line, set); p.response)
        test::save_scored(slow, *p.response, set.find(p.response->questionnaire, p.response->version));
    check_same_counts(fast, slow);
    if (n == 40) CHECK(StoreAccess::db(fast).scalar("SELECT max(n) FROM answer_counts WHERE kind = 0") > 1);
  }
}

namespace {
// A JSON Lines file of `n` responses in no time order, with bad lines among them: not
// JSON, a refused response, blank and CRLF lines, a line too long, a hostile kiosk id.
struct ImportFile {
  std::string text;
  std::vector<std::string> good;  // the ids of the good lines, in file order
  int bad = 0;
};
ImportFile import_file(int n, std::uint64_t seed) {
  const QuestionnaireSet& set = test::shipped();
  const char* names[] = {"satisfaction", "knowledge", "green-travel"};
  ImportFile f;
  for (int i = 0; i < n; ++i) {
    TimeMs start = kEnd - static_cast<TimeMs>((seed * 7919 + static_cast<std::uint64_t>(i) * 104729) % 500) * 3'600'000LL;
    Response r = demo_response(*set.find(names[i % 3]), seed + static_cast<std::uint64_t>(i), start,
                               i % 4 == 3 ? "hall-b" : "hall-a");
    if (i % 97 == 5) f.text += "not json at all\n", ++f.bad;
    if (i % 131 == 7) f.text += "{\"id\": \"x\", \"kiosk\": \"\\u001b[2J\"}\r\n", ++f.bad;
    if (i % 211 == 9) f.text += "  \t\n\r\n";
    if (i == 11) f.text += std::string(kMaxImportLine + 10, 'x') + "\n", ++f.bad;
    f.text += response_to_line(r) + (i % 2 ? "\r\n" : "\n");
    f.good.push_back(r.id);
  }
  return f;
}

std::vector<std::string> uuids_of(Store& s) {
  std::vector<std::string> out;
  s.each({}, [&](const Response& r) {
    out.push_back(r.id);
    return true;
  });
  return out;
}
}  // namespace

TEST_CASE("import read on a second thread equals each line parsed and saved on its own: report, ids in file order, "
          "answers, hourly counts (n = 0, 1, 2, 300, 1500 with bad lines; the same file twice)") {
  const QuestionnaireSet& set = test::shipped();
  for (int n : {0, 1, 2, 300, 1500}) {
    CAPTURE(n);
    ImportFile f = import_file(n, 900);
    Store fast(":memory:"), slow(":memory:");
    for (int pass = 0; pass < 2; ++pass) {
      CAPTURE(pass);
      std::istringstream in(f.text);
      ImportReport rep;
      import_jsonl(in, "f.jsonl", fast, set, rep);
      CHECK(rep.lines == n + f.bad);
      CHECK(rep.added() == (pass == 0 ? n : 0));
      CHECK(rep.already() == (pass == 0 ? 0 : n));
      CHECK(rep.refused() == f.bad);
      CHECK(rep.conflicts() == 0);
      CHECK(rep.problems.size() == static_cast<std::size_t>(f.bad));
      // Problems are told in file order, each with its line number.
      for (std::size_t i = 1; i < rep.problems.size(); ++i) {
        auto line_no = [](const std::string& p) { return std::stoll(p.substr(p.find(':') + 1)); };
        CHECK(line_no(rep.problems[i - 1]) < line_no(rep.problems[i]));
      }
      if (n > 11) CHECK(rep.kiosks.count("hall-a"));
      for (const auto& [k, v] : rep.kiosks) CHECK((k == "?" || k == "hall-a" || k == "hall-b"));
    }
    // The straightforward path: each line parsed and saved on its own, no batch, no thread.
    std::istringstream in(f.text);
    for (std::string line; std::getline(in, line);) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (ParsedLine p = parse_response_line(line, set); p.response)
        test::save_scored(slow, *p.response, set.find(p.response->questionnaire, p.response->version));
    }
    CHECK(uuids_of(fast) == f.good);  // ids follow the file, so exports do too
    check_same_counts(fast, slow);
  }
}

TEST_CASE("an import whose reading fails part-way keeps whole batches in file order, says why, and a second "
          "import completes it") {
  const QuestionnaireSet& set = test::shipped();
  ImportFile f = import_file(700, 300);
  // A stream that breaks (an unreadable disk block) after `at` bytes.
  struct Breaking : std::streambuf {  // unbuffered: every byte goes through uflow
    const std::string& text;
    std::size_t pos = 0, at;
    Breaking(const std::string& s, std::size_t a) : text(s), at(a) {}
    int_type underflow() override {
      if (pos >= at) throw std::runtime_error("read error");
      return pos < text.size() ? traits_type::to_int_type(text[pos]) : traits_type::eof();
    }
    int_type uflow() override {
      int_type c = underflow();
      if (c != traits_type::eof()) ++pos;
      return c;
    }
  };
  for (std::size_t at : {std::size_t{0}, f.text.size() / 3, f.text.size() - 1}) {
    CAPTURE(at);
    Store s(":memory:");
    Breaking buf(f.text, at);
    std::istream in(&buf);
    ImportReport rep;
    CHECK_THROWS_WITH(import_jsonl(in, "f.jsonl", s, set, rep), "read error");
    std::vector<std::string> have = uuids_of(s);
    REQUIRE(have.size() <= f.good.size());
    CHECK(std::equal(have.begin(), have.end(), f.good.begin()));  // a prefix of the file
    CHECK(answer_counts_kept(s) == answer_counts_direct(s));
    std::istringstream again(f.text);
    ImportReport rep2;
    import_jsonl(again, "f.jsonl", s, set, rep2);
    CHECK(rep2.added() == static_cast<std::int64_t>(f.good.size() - have.size()));
    CHECK(rep2.already() == static_cast<std::int64_t>(have.size()));
    CHECK(uuids_of(s) == f.good);
    CHECK(answer_counts_kept(s) == answer_counts_direct(s));
  }
}

TEST_CASE("an import killed part-way keeps whole batches of the file's first lines, and importing the file again adds "
          "the rest once, and the counts equal a grouped pass") {
  const QuestionnaireSet& set = test::shipped();
  test::TempDir dir;
  // Under the sanitizers (whose checks a killed child adds nothing to) a smaller file
  // and two kills: 53 s of CI's sanitizer stage.
  const bool sanitized = test::sanitized();
  ImportFile f = import_file(sanitized ? 900 : 2500, 77);
  for (std::int64_t kill_at : sanitized ? std::vector<std::int64_t>{1, 600} : std::vector<std::int64_t>{1, 600, 1800}) {
    CAPTURE(kill_at);
    std::string path = dir.file("k" + std::to_string(kill_at) + ".db");
    { Store init(path); }
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      try {
        Store s(path);
        std::istringstream in(f.text);
        ImportReport rep;
        import_jsonl(in, "f.jsonl", s, set, rep);
      } catch (...) {
        _exit(2);
      }
      _exit(0);
    }
    // Killed once it has committed at least kill_at responses: mid-batch, or between.
    for (;;) {
      int status = 0;
      if (waitpid(pid, &status, WNOHANG) == pid) {
        pid = -1;
        break;
      }
      try {
        Db db(path, false, true);
        if (db.scalar("SELECT count(*) FROM responses") >= kill_at) break;
      } catch (const DbError&) {
      }
      usleep(2000);
    }
    if (pid > 0) {
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
    }
    Store s(path);
    std::vector<std::string> have = uuids_of(s);
    CHECK(static_cast<std::int64_t>(have.size()) >= kill_at);
    REQUIRE(have.size() <= f.good.size());
    CHECK(std::equal(have.begin(), have.end(), f.good.begin()));
    CHECK(answer_counts_kept(s) == answer_counts_direct(s));
    std::istringstream again(f.text);
    ImportReport rep;
    import_jsonl(again, "f.jsonl", s, set, rep);
    CHECK(rep.added() + rep.already() == static_cast<std::int64_t>(f.good.size()));
    CHECK(rep.already() == static_cast<std::int64_t>(have.size()));
    CHECK(uuids_of(s) == f.good);
    CHECK(answer_counts_kept(s) == answer_counts_direct(s));
    check_same_as_scan(s);
  }
}
