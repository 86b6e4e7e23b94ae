// An import into a new database (issue 20: batches without a savepoint per response,
// no foreign key checks inside them, response counts summed once a batch) against the
// straightforward path on the same lines: each parsed and saved on its own, in its own
// transaction with the foreign keys checked. Every table the import writes is compared
// row by row, and the indicators made from them.
#include <doctest/doctest.h>

#include <sqlite3.h>

#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/analysis/indicators.hpp"
#include "core/storage/demo_data.hpp"
#include "core/storage/interchange.hpp"
#include "core/storage/store.hpp"
#include "core/storage/store_access.hpp"
#include "core/support/ids.hpp"
#include "helpers.hpp"

using namespace eco;

namespace {

constexpr TimeMs kEnd = 1'561'000'000'000;  // 2019-06-20, a whole hour

// Every row of a query, its columns quoted by SQLite and joined.
std::vector<std::string> rows_of(Store& s, const std::string& sql) {
  sqlite3* db = StoreAccess::db(s).raw();
  sqlite3_stmt* st = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK);
  std::vector<std::string> out;
  while (sqlite3_step(st) == SQLITE_ROW) {
    std::string row;
    for (int c = 0; c < sqlite3_column_count(st); ++c) {
      const unsigned char* t = sqlite3_column_text(st, c);
      row += (t ? reinterpret_cast<const char*>(t) : "NULL");
      row += '|';
    }
    out.push_back(std::move(row));
  }
  sqlite3_finalize(st);
  return out;
}

// What an import writes, as rows in key order (saved_at is the clock's: left out).
const char* const kTables[] = {
    "SELECT id, uuid, questionnaire, version, content_hash, kiosk, lang, started_at, completed_at, duration_s, "
    "visible_questions, drawn FROM responses ORDER BY id",
    "SELECT response, ord, question, kind, item, value, text FROM answers ORDER BY response, ord",
    "SELECT response, method, questionnaire, version, kiosk, completed_at, duration_s, visible, age, gender, "
    "township, score, correct, drawn, satisfied, trips, green, flags, fingerprint, hex(outcomes) "
    "FROM response_metrics ORDER BY response",
    "SELECT * FROM answer_counts ORDER BY hour, kiosk, questionnaire, question, kind, item",
    "SELECT * FROM response_counts ORDER BY questionnaire, hour, kiosk",
    "SELECT * FROM metrics_cells ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17",
    "SELECT id, kind, value FROM labels ORDER BY id",
};

std::string indicators_of(Store& s) {
  IndicatorOptions o;
  nlohmann::json j = indicators_json(compute_indicators(s, test::shipped(), o));
  j.erase("generated_at");
  return j.dump();
}

// `n` responses over a few days in time order (as a kiosk's export is), two kiosks;
// with `hostile`, a bad line, the same line twice and the same answers again under a
// new id a minute later (a duplicate the metrics flag).
std::string file_of(int n, bool hostile) {
  const QuestionnaireSet& set = test::shipped();
  const char* names[] = {"satisfaction", "knowledge", "green-travel"};
  std::string text;
  for (int i = 0; i < n; ++i) {
    TimeMs start = kEnd - 72 * 3'600'000LL + static_cast<TimeMs>(i) * 431'000LL;
    Response r = demo_response(*set.find(names[i % 3]), 4100 + static_cast<std::uint64_t>(i), start,
                               i % 5 == 4 ? "hall-b" : "hall-a");
    std::string line = response_to_line(r);
    text += line + "\n";
    if (!hostile) continue;
    if (i % 9 == 2) text += "{\"id\": \"not json\n";
    if (i % 11 == 3) text += line + "\n";  // the same response again: already there
    if (i % 13 == 5) {
      Response again = r;
      again.id = "00000000-0000-4000-8000-" + std::string(12 - std::to_string(i).size(), '0') + std::to_string(i);
      again.started_at += 60'000;
      again.completed_at += 60'000;
      text += response_to_line(again) + "\n";
    }
  }
  if (hostile) text += "not json at all\n";
  return text;
}

// The file imported into a new database, and the same lines saved one at a time.
void check_import_equals_saves(const std::string& text, const test::TempDir& dir, const std::string& name) {
  const QuestionnaireSet& set = test::shipped();
  Store fast((dir.path / (name + "-fast.db")).string()), slow((dir.path / (name + "-slow.db")).string());
  std::istringstream in(text);
  ImportReport rep;
  import_jsonl(in, "f.jsonl", fast, set, rep);
  std::int64_t saved = 0, already = 0;
  std::istringstream again(text);
  for (std::string line; std::getline(again, line);)
    if (ParsedLine p = parse_response_line(line, set); p.response) {
      if (test::save_scored(slow, *p.response, set.find(p.response->questionnaire, p.response->version)) ==
          Store::Saved::inserted)
        ++saved;
      else
        ++already;
    }
  CHECK(rep.added() == saved);
  CHECK(rep.already() == already);
  for (const char* sql : kTables) {
    CAPTURE(sql);
    CHECK(rows_of(fast, sql) == rows_of(slow, sql));
  }
  CHECK(indicators_of(fast) == indicators_of(slow));
  // The foreign keys the import did not check hold all the same.
  CHECK(rows_of(fast, "PRAGMA foreign_key_check").empty());
  CHECK(StoreAccess::db(fast).scalar("PRAGMA foreign_keys") == 1);  // back on after the batches
  CHECK(StoreAccess::db(fast).scalar("PRAGMA wal_autocheckpoint") == 1000);  // SQLite's own checkpoints again
}

}  // namespace

TEST_CASE("an import into a new database writes every table as one-at-a-time saves do: responses, answers, metrics, "
          "hourly answer and response counts, counted cells, labels, indicators (n = 0, 1, 2, 500; duplicates and "
          "bad lines)") {
  test::TempDir dir;
  for (int n : {0, 1, 2, 500})
    for (bool hostile : {false, true}) {
      CAPTURE(n);
      CAPTURE(hostile);
      std::string text = file_of(n, hostile);
      check_import_equals_saves(text, dir, std::to_string(n) + (hostile ? "h" : ""));
    }
}

TEST_CASE("an import's flagged duplicates are counted in the hourly response counts as a save counts them") {
  // Every line twice under two ids a minute apart: each second one is flagged.
  std::string text = file_of(40, false), twice;
  std::istringstream in(text);
  int i = 0;
  for (std::string line; std::getline(in, line); ++i) {
    twice += line + "\n";
    nlohmann::json j = nlohmann::json::parse(line);
    j["id"] = "00000000-0000-4000-8000-" + std::string(12 - std::to_string(i).size(), '0') + std::to_string(i);
    twice += j.dump() + "\n";
  }
  test::TempDir dir;
  check_import_equals_saves(twice, dir, "twice");
  Store s((dir.path / "twice-fast.db").string());
  CHECK(StoreAccess::db(s).scalar("SELECT sum(flagged) FROM response_counts") >= 40);
}
