#include <doctest/doctest.h>

#include <cctype>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/storage/answer_atoms.hpp"
#include "core/storage/store_access.hpp"
#include "core/storage/demo_data.hpp"
#include "core/support/time.hpp"
#include "core/storage/interchange.hpp"
#include "core/survey/session.hpp"
#include "core/storage/store.hpp"
#include "helpers.hpp"

using namespace eco;

namespace {
std::vector<Response> all(Store& s, const ResponseFilter& f = {}) {
  std::vector<Response> out;
  s.each(f, [&](const Response& r) {
    out.push_back(r);
    return true;
  });
  return out;
}

bool same(const Response& a, const Response& b) { return response_to_line(a) == response_to_line(b); }

// The in_progress row a kiosk keeps for `r` while its resident is still on screen.
Abandoned on_screen(const Response& r) {
  Abandoned a;
  a.id = r.id;
  a.questionnaire = r.questionnaire;
  a.version = r.version;
  a.kiosk = r.kiosk;
  a.lang = "zh";
  a.started_at = r.started_at;
  a.last_question = "q1";
  return a;
}
}  // namespace

TEST_CASE("migrations bring an empty file to the current schema") {
  test::TempDir dir;
  std::string path = dir.file("sub/new.db");
  {
    Store s(path);
    CHECK(s.schema_version() == Store::kSchemaVersion);
    CHECK(s.count() == 0);
    CHECK(StoreAccess::db(s).scalar("SELECT count(*) FROM sqlite_master WHERE name IN ('responses','answers','abandoned','questionnaire_definitions')") == 4);
  }
  Store again(path);  // reopening does not migrate twice
  CHECK(again.schema_version() == Store::kSchemaVersion);
}

TEST_CASE("a database from a newer program is refused with a clear message") {
  test::TempDir dir;
  std::string path = dir.file("future.db");
  { Db db(path); db.exec("PRAGMA user_version=99"); }
  try {
    Store s(path);
    FAIL("opened a newer schema");
  } catch (const DbError& e) {
    CHECK(std::string(e.what()).find("schema version 99") != std::string::npos);
  }
}

TEST_CASE("WAL and synchronous=FULL are on") {
  test::TempDir dir;
  Store s(dir.file("w.db"));
  Stmt m(StoreAccess::db(s), "PRAGMA journal_mode");
  REQUIRE(m.step());
  CHECK(m.text(0) == "wal");
  CHECK(StoreAccess::db(s).scalar("PRAGMA synchronous") == 2);
}

TEST_CASE("a saved response reads back identical, with answers one row per atom") {
  test::TempDir dir;
  Store s(dir.file("r.db"));
  const auto& set = test::shipped();
  std::vector<Response> saved;
  std::uint64_t seed = 11;
  for (const auto& q : set.list)
    for (int i = 0; i < 20; ++i) {
      saved.push_back(demo_response(q, seed++, 1'700'000'000'000 + i * 1000, "k1"));
      CHECK(s.save(saved.back()) == Store::Saved::inserted);
    }
  auto back = all(s);
  REQUIRE(back.size() == saved.size());
  for (std::size_t i = 0; i < saved.size(); ++i) CHECK_MESSAGE(same(saved[i], back[i]), response_to_line(saved[i]));
  // One row per selected option and per matrix row.
  const Response& t = saved.back();  // a satisfaction response
  std::int64_t atoms = 0;
  for (const auto& [q, a] : t.answers) {
    if (auto* c = std::get_if<ChoiceSet>(&a)) atoms += static_cast<std::int64_t>(c->options.size());
    else if (auto* m = std::get_if<Counts>(&a)) atoms += static_cast<std::int64_t>(m->rows.size());
    else atoms += 1;
  }
  Stmt n(StoreAccess::db(s), "SELECT count(*) FROM answers a JOIN responses r ON r.id=a.response WHERE r.uuid=?");
  n.bind(1, t.id);
  REQUIRE(n.step());
  CHECK(n.i64(0) == atoms);
}

TEST_CASE("every response reads back the same whether the pass is filtered or not, and when the reader's "
          "response is taken each time: stray answer rows and responses without answers included") {
  // With no filter the answers are read alone in their key's order (no join); with a
  // filter, through the responses. Stray rows (a damaged or hand-edited file: answers
  // whose response is gone, before the first, between and after the last) must go to
  // no response, and a response with no answers must not take its neighbour's.
  test::TempDir dir;
  Store s(dir.file("all.db"));
  const auto& set = test::shipped();
  std::vector<Response> saved;
  std::uint64_t seed = 40;
  for (int i = 0; i < 30; ++i) {
    const Questionnaire& q = set.list[static_cast<std::size_t>(i) % set.list.size()];
    Response r = demo_response(q, seed++, 1'700'000'000'000 + i * 60'000, i % 2 ? "k1" : "k2");
    if (i == 0 || i == 11 || i == 29) r.answers.clear();  // first, middle, last
    REQUIRE(s.save(r) == Store::Saved::inserted);
    saved.push_back(r);
  }
  Db& db = StoreAccess::db(s);
  db.exec("PRAGMA foreign_keys=OFF");
  db.exec("DELETE FROM responses WHERE id = 15");  // its answers stay, as strays
  db.exec("INSERT INTO answers(response, ord, question, kind, item, value, text) VALUES"
          "(-3, 0, 'stray', 5, '', NULL, 'before'), (0, 0, 'stray', 5, '', NULL, 'zero'),"
          "(9999, 0, 'stray', 5, '', NULL, 'after')");
  db.exec("PRAGMA foreign_keys=ON");
  saved.erase(saved.begin() + 14);  // id 15

  auto copied = all(s);
  auto filtered = all(s, {.from = 1});  // lets every response through, by the join
  std::vector<Response> taken;
  s.each_with_id({}, [&](std::int64_t, Response& r) {
    taken.push_back(std::move(r));
    return true;
  });
  std::vector<Response> swapped;  // swapped with one already read, as the CSV export does
  Response spare = saved.front();
  s.each_with_id({.from = 1}, [&](std::int64_t, Response& r) {
    std::swap(spare, r);
    swapped.push_back(spare);
    return true;
  });
  for (const auto* got : {&copied, &filtered, &taken, &swapped}) {
    REQUIRE(got->size() == saved.size());
    for (std::size_t i = 0; i < saved.size(); ++i)
      CHECK_MESSAGE(same(saved[i], (*got)[i]), (response_to_line(saved[i]) + "\n" + response_to_line((*got)[i])));
  }
  CHECK(copied.front().answers.empty());
  CHECK(copied.back().answers.empty());
}

TEST_CASE("atoms of two kinds for one question (a hand-edited file, a hostile center row) read as two answers, "
          "not a crash") {
  // Unit: each kind after another of the same question, both ways round.
  std::vector<std::pair<std::string, Answer>> answers;
  add_answer_atom(answers, "q", kText, "", 0, "note");
  add_answer_atom(answers, "q", kChoiceSet, "a", 0, "");
  add_answer_atom(answers, "q", kChoiceSet, "b", 0, "");  // joins the set
  add_answer_atom(answers, "q", kCounts, "bus", 2, "");
  add_answer_atom(answers, "q", kText, "", 0, "again");
  add_answer_atom(answers, "q", kCounts, "car", 1, "");
  REQUIRE(answers.size() == 5);
  CHECK(std::get<Text>(answers[0].second).value == "note");
  CHECK(std::get<ChoiceSet>(answers[1].second).options == std::vector<std::string>{"a", "b"});
  CHECK(std::get<Counts>(answers[2].second).rows.size() == 1);
  CHECK(std::get<Counts>(answers[4].second).rows.size() == 1);

  // Through the store: a text atom put by hand among a multiple choice's atoms.
  test::TempDir dir;
  Store s(dir.file("mixed.db"));
  Response r = demo_response(*test::shipped().find("satisfaction"), 5, 1'700'000'000'000, "k1");
  REQUIRE(s.save(r) == Store::Saved::inserted);
  Db& db = StoreAccess::db(s);
  Stmt set(db, "SELECT response, ord, question FROM answers WHERE kind = 2 ORDER BY ord LIMIT 1");
  REQUIRE(set.step());
  const std::int64_t rid = set.i64(0), ord = set.i64(1);
  const std::string question(set.text(2));
  set.reset();
  db.exec("UPDATE answers SET ord = ord + 100000 WHERE response = " + std::to_string(rid) + " AND ord >= " + std::to_string(ord));
  Stmt put(db, "INSERT INTO answers(response, ord, question, kind, item, value, text) VALUES(?, ?, ?, 5, '', NULL, 'x')");
  put.bind(1, rid).bind(2, ord).bind(3, question);
  put.run();
  std::vector<Response> back;
  CHECK_NOTHROW(back = all(s));
  REQUIRE(back.size() == 1);
  CHECK(back[0].answers.size() == r.answers.size() + 1);
}

TEST_CASE("saving the same id twice adds nothing") {
  test::TempDir dir;
  Store s(dir.file("d.db"));
  Response r = demo_response(*test::shipped().find("knowledge"), 5, 1'700'000'000'000, "k1");
  CHECK(s.save(r) == Store::Saved::inserted);
  CHECK(s.save(r) == Store::Saved::duplicate);
  CHECK(s.count() == 1);
  CHECK(StoreAccess::db(s).scalar("SELECT count(DISTINCT response) FROM answers") == 1);
}

// save() learns of a duplicate from its own INSERT (ON CONFLICT DO NOTHING), not from a
// search before it: whatever it would have written after the insert must not happen.
TEST_CASE("a duplicate id (any case, alone or in a batch of either kind) writes no answers, counts, cells or "
          "metrics") {
  test::TempDir dir;
  Store s(dir.file("d.db"));
  const Questionnaire& q = *test::shipped().find("satisfaction");
  Response r = demo_response(q, 11, 1'700'000'000'000, "k1");
  REQUIRE(test::save_scored(s, r, &q) == Store::Saved::inserted);
  Db& db = StoreAccess::db(s);
  auto snapshot = [&] {
    return std::vector<std::int64_t>{
        db.scalar("SELECT count(*) FROM responses"), db.scalar("SELECT count(*) FROM answers"),
        db.scalar("SELECT count(*) FROM response_metrics"), db.scalar("SELECT coalesce(sum(n), 0) FROM answer_counts"),
        db.scalar("SELECT coalesce(sum(n), 0) FROM response_counts"),
        db.scalar("SELECT coalesce(sum(n), 0) FROM metrics_cells"), db.scalar("SELECT max(id) FROM labels")};
  };
  const auto before = snapshot();
  Response upper = r;
  for (char& c : upper.id) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  upper.kiosk = "k-other";  // would add a label and its own counts if it went any further
  CHECK(test::save_scored(s, upper, &q) == Store::Saved::duplicate);
  CHECK(snapshot() == before);
  for (auto failure : {Store::BatchFailure::per_save, Store::BatchFailure::whole_only}) {
    Store::Saved got = Store::Saved::inserted;
    s.batch([&] { got = test::save_scored(s, upper, &q); }, failure);
    CHECK(got == Store::Saved::duplicate);
    CHECK(snapshot() == before);
  }
  // And a new id after a duplicate in the same batch is saved whole.
  Response next = demo_response(q, 12, 1'700'000'100'000, "k1");
  s.batch([&] {
    CHECK(test::save_scored(s, upper, &q) == Store::Saved::duplicate);
    CHECK(test::save_scored(s, next, &q) == Store::Saved::inserted);
  }, Store::BatchFailure::whole_only);
  CHECK(s.count() == 2);
  CHECK(db.scalar("SELECT count(*) FROM answers") > before[1]);
}

// responses.drawn is written by hand for plain ids and by the JSON library otherwise.
TEST_CASE("drawn knowledge items are stored as the JSON library writes them, odd ids included") {
  test::TempDir dir;
  Store s(dir.file("d.db"));
  const Questionnaire& q = *test::shipped().find("knowledge");
  const std::vector<std::vector<std::string>> lists = {
      {}, {"k1"}, {"k_a", "k_b", "k_c"}, {"k\"quote"}, {"back\\slash", "k2"}, {"知识", "k3"}, {"tab\there"}, {""}};
  int i = 0;
  for (const auto& drawn : lists) {
    CAPTURE(i);
    Response r = demo_response(q, 20 + static_cast<std::uint64_t>(i), 1'700'000'000'000 + i * 60'000LL, "k1");
    r.drawn = drawn;
    std::string id = r.id;
    s.batch([&] { REQUIRE(s.save(r) == Store::Saved::inserted); }, i % 2 ? Store::BatchFailure::whole_only
                                                                       : Store::BatchFailure::per_save);
    Stmt st(StoreAccess::db(s), "SELECT drawn FROM responses WHERE uuid=?");
    st.bind(1, id);
    REQUIRE(st.step());
    CHECK(std::string(st.text(0)) == nlohmann::json(drawn).dump());
    ++i;
  }
  auto back = all(s);
  REQUIRE(back.size() == lists.size());
  for (std::size_t k = 0; k < lists.size(); ++k) CHECK(back[k].drawn == lists[k]);
}

// A batch skips each save's DELETE from in_progress when the table was empty at BEGIN.
TEST_CASE("a response saved in a batch leaves in_progress, which keeps the sessions still on screen") {
  test::TempDir dir;
  Store s(dir.file("d.db"));
  const Questionnaire& q = *test::shipped().find("green-travel");
  Response done = demo_response(q, 31, 1'700'000'000'000, "k1");
  Response other = demo_response(q, 32, 1'700'000'060'000, "k1");
  for (const Response* r : {&done, &other}) s.mark_in_progress(on_screen(*r));
  Db& db = StoreAccess::db(s);
  REQUIRE(db.scalar("SELECT count(*) FROM in_progress") == 2);
  s.batch([&] { CHECK(s.save(done) == Store::Saved::inserted); }, Store::BatchFailure::whole_only);
  CHECK(db.scalar("SELECT count(*) FROM in_progress") == 1);
  CHECK(db.scalar("SELECT count(*) FROM in_progress WHERE uuid='" + other.id + "'") == 1);
  // With in_progress empty a batch saves as before.
  db.exec("DELETE FROM in_progress");
  Response third = demo_response(q, 33, 1'700'000'120'000, "k1");
  s.batch([&] { CHECK(s.save(third) == Store::Saved::inserted); }, Store::BatchFailure::whole_only);
  CHECK(s.count() == 2);
  CHECK(db.scalar("SELECT count(*) FROM in_progress") == 0);
}

// The skip above holds only while no row has appeared since BEGIN: one this same
// connection adds inside the batch (mark_in_progress) must still go with its save.
TEST_CASE("a session marked in progress inside a batch leaves in_progress when it is saved there") {
  test::TempDir dir;
  Store s(dir.file("d.db"));
  const Questionnaire& q = *test::shipped().find("green-travel");
  Db& db = StoreAccess::db(s);
  std::uint64_t seed = 41;
  for (auto failure : {Store::BatchFailure::per_save, Store::BatchFailure::whole_only}) {
    REQUIRE(db.scalar("SELECT count(*) FROM in_progress") == 0);
    Response r = demo_response(q, seed, 1'700'000'000'000 + static_cast<std::int64_t>(seed) * 60'000, "k1");
    ++seed;
    s.batch([&] {
      s.mark_in_progress(on_screen(r));
      CHECK(s.save(r) == Store::Saved::inserted);
    }, failure);
    CHECK(db.scalar("SELECT count(*) FROM in_progress") == 0);
  }
}

TEST_CASE("abandoned sessions are kept apart and never count as responses") {
  test::TempDir dir;
  Store s(dir.file("a.db"));
  Session sess(*test::shipped().find("satisfaction"), {.kiosk = "k2"});
  s.save_abandoned(sess.abandon());
  CHECK(s.abandoned_count() == 1);
  CHECK(s.abandoned_count("satisfaction") == 1);
  CHECK(s.count() == 0);
}

TEST_CASE("filters by questionnaire, kiosk, version and date range") {
  test::TempDir dir;
  Store s(dir.file("f.db"));
  const auto& set = test::shipped();
  TimeMs day = *parse_date_utc("2019-07-01");
  s.save(demo_response(*set.find("knowledge"), 1, day + 3600'000, "a"));
  s.save(demo_response(*set.find("knowledge"), 2, day + 86400'000 + 3600'000, "b"));
  s.save(demo_response(*set.find("satisfaction"), 3, day + 2 * 86400'000 + 3600'000, "a"));
  CHECK(s.count({.questionnaire = "knowledge"}) == 2);
  CHECK(s.count({.kiosk = "a"}) == 2);
  // Changed by issue 18: the shipped questionnaires are version 2 (were 1).
  CHECK(s.count({.version = 2}) == 3);
  CHECK(s.count({.version = 3}) == 0);
  CHECK(s.count({.from = day + 86400'000}) == 2);
  CHECK(s.count({.from = day, .to = day + 86400'000}) == 1);
  CHECK(all(s, {.questionnaire = "satisfaction", .kiosk = "a"}).size() == 1);
}

TEST_CASE("a failing save inside a batch leaves the others") {
  test::TempDir dir;
  Store s(dir.file("b.db"));
  const Questionnaire& k = *test::shipped().find("knowledge");
  Response good = demo_response(k, 1, 1'700'000'000'000, "k");
  Response bad = demo_response(k, 2, 1'700'000'000'000, "k");
  StoreAccess::db(s).exec("CREATE TRIGGER refuse BEFORE INSERT ON answers WHEN NEW.question='age' AND "
              "(SELECT uuid FROM responses WHERE id=NEW.response)='" + bad.id + "' BEGIN SELECT RAISE(ABORT,'no'); END");
  s.batch([&] {
    s.save(good);
    CHECK_THROWS_AS(s.save(bad), DbError);
  });
  CHECK(s.count() == 1);
  CHECK(s.contains(good.id));
  CHECK(!s.contains(bad.id));
  CHECK(StoreAccess::db(s).scalar("SELECT count(*) FROM answers WHERE response NOT IN (SELECT id FROM responses)") == 0);
}

TEST_CASE("a comment with a phone number is stored masked") {
  test::TempDir dir;
  Store s(dir.file("mask.db"));
  const Questionnaire& q = *test::shipped().find("satisfaction");
  Response r = demo_response(q, 9, 1'561'000'000'000, "k");
  r.answers.emplace_back("comment", Text{"垃圾站太臭,请打我电话 13912345678"});
  test::save_scored(s, r, &q);
  Stmt st(StoreAccess::db(s), "SELECT text FROM answers WHERE question='comment'");
  REQUIRE(st.step());
  std::string stored(st.text(0));
  CHECK(stored.find("13912345678") == std::string::npos);
  CHECK(stored.find("垃圾站太臭") != std::string::npos);
}

TEST_CASE("hourly answer counts kept at save time match the answers, also when built by the migration") {
  test::TempDir dir;
  std::string path = dir.file("counts.db");
  auto direct = [](Store& s) {
    std::map<std::string, std::int64_t> m;
    Stmt q(StoreAccess::db(s),
           "SELECT r.questionnaire || '/' || a.question || '/' || a.kind || '/' || a.item, count(*), "
           "coalesce(sum(a.value), 0) FROM answers a JOIN responses r ON r.id = a.response GROUP BY 1");
    while (q.step()) m[std::string(q.text(0))] = q.i64(1) * 1000003 + q.i64(2);
    return m;
  };
  auto kept = [](Store& s) {
    std::map<std::string, std::int64_t> m;
    Stmt q(StoreAccess::db(s),
           "SELECT questionnaire || '/' || question || '/' || kind || '/' || item, sum(n), sum(total) "
           "FROM answer_counts WHERE kind != 0 GROUP BY 1");
    while (q.step()) m[std::string(q.text(0))] = q.i64(1) * 1000003 + q.i64(2);
    return m;
  };
  {
    Store s(path);
    DemoOptions d;
    d.responses = 300;
    d.end = 1'561'000'000'000;
    fill_demo_data(s, test::shipped(), d);
    auto want = direct(s);
    CHECK(want.size() > 100);
    CHECK(kept(s) == want);
    // Respondents per question (kind 0) equal the responses that answered it.
    CHECK(StoreAccess::db(s).scalar("SELECT sum(n) FROM answer_counts WHERE kind = 0 AND question = 'overall'") ==
          StoreAccess::db(s).scalar("SELECT count(*) FROM answers WHERE question = 'overall'"));
    // As an older database would be: no counts yet, schema 4.
    StoreAccess::db(s).exec("DROP TABLE answer_counts");
    StoreAccess::db(s).exec("PRAGMA user_version=4");
  }
  Store again(path);
  CHECK(again.schema_version() == Store::kSchemaVersion);
  CHECK(kept(again) == direct(again));
}
