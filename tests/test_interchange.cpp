#include <doctest/doctest.h>

#include <map>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/storage/store_access.hpp"
#include "core/storage/demo_data.hpp"
#include "core/support/time.hpp"
#include "core/support/ids.hpp"
#include "core/support/text.hpp"
#include "core/storage/interchange.hpp"
#include "core/storage/store.hpp"
#include "helpers.hpp"

using namespace eco;

namespace {
std::string export_all(Store& s) {
  std::string out;
  s.each({}, [&](const Response& r) {
    out += response_to_line(r) + "\n";
    return true;
  });
  return out;
}
}  // namespace

TEST_CASE("export then import gives identical data, and importing again adds nothing") {
  test::TempDir dir;
  const auto& set = test::shipped();
  Store a(dir.file("a.db"));
  DemoOptions o;
  o.responses = 600;
  o.seed = 3;
  o.end = *parse_date_utc("2019-12-01");
  CHECK(fill_demo_data(a, set, o) == 600);
  std::string dump = export_all(a);

  Store b(dir.file("b.db"));
  std::istringstream in(dump);
  ImportReport rep;
  import_jsonl(in, "a.jsonl", b, set, rep);
  CHECK(rep.added() == 600);
  CHECK(rep.refused() == 0);
  CHECK(rep.kiosks.at("demo").added == 600);
  CHECK(export_all(b) == dump);
  CHECK(StoreAccess::db(b).scalar("SELECT count(*) FROM answers") == StoreAccess::db(a).scalar("SELECT count(*) FROM answers"));

  std::istringstream again(dump);
  ImportReport rep2;
  import_jsonl(again, "a.jsonl", b, set, rep2);
  CHECK(rep2.added() == 0);
  CHECK(rep2.already() == 600);
  CHECK(b.count() == 600);
}

TEST_CASE("bad lines are reported by number with their reason, and the rest import") {
  test::TempDir dir;
  const auto& set = test::shipped();
  Store s(dir.file("s.db"));
  Response good = demo_response(*set.find("green-travel"), 9, 1'700'000'000'000, "hall-2");
  std::string line = response_to_line(good);
  auto edit = [&](const std::string& from, const std::string& to) {
    std::string l = line;
    auto p = l.find(from);
    REQUIRE(p != std::string::npos);
    return l.replace(p, from.size(), to);
  };
  std::string other_id = edit(good.id, "00000000-0000-4000-8000-000000000001");
  std::string text =
      line + "\n" +                                                            // 1 ok
      "{broken\n" +                                                            // 2
      edit("\"version\":1", "\"version\":7") + "\n" +                          // 3 unknown version
      edit("\"trips\":{", "\"trips\":{\"rocket\":1,") + "\n" +                 // 4 unknown row
      edit(good.id, "not-a-uuid") + "\n" +                                      // 5
      "\n" +                                                                    // blank: ignored
      edit("\"age\":", "\"nonsense\":\"x\",\"age\":") + "\n" +               // 7 unknown question
      other_id + "\n";                                                          // 8 ok
  std::istringstream in(text);
  ImportReport rep;
  import_jsonl(in, "kiosk.jsonl", s, set, rep);
  CHECK(rep.added() == 2);
  CHECK(rep.refused() == 5);
  REQUIRE(rep.problems.size() == 5);
  CHECK(rep.problems[0].rfind("kiosk.jsonl:2: not valid JSON", 0) == 0);
  CHECK(rep.problems[1].find("kiosk.jsonl:3: unknown questionnaire \"green-travel\" version 7") == 0);
  CHECK(rep.problems[2].find("kiosk.jsonl:4: ") == 0);
  CHECK(rep.problems[2].find("rocket") != std::string::npos);
  CHECK(rep.problems[3].find("kiosk.jsonl:5: id \"not-a-uuid\" is not a UUID") == 0);
  CHECK(rep.problems[4].find("kiosk.jsonl:7: unknown question \"nonsense\"") == 0);
  CHECK(rep.kiosks.at("hall-2").added == 2);
  CHECK(rep.kiosks.at("hall-2").refused == 4);
}

TEST_CASE("import refuses answers that break show_if, miss required ones, or change the definition") {
  const auto& set = test::shipped();
  Response r = demo_response(*set.find("green-travel"), 4, 1'700'000'000'000, "k");
  std::string line = response_to_line(r);
  // commute "none" hides commute_minutes; an answer to it must be refused.
  auto j = nlohmann::json::parse(line);
  j["answers"]["commute"] = "none";
  j["answers"]["commute_minutes"] = 10;
  j["answers"].erase("barriers");
  j["answers"].erase("would_switch");
  auto p = parse_response_line(j.dump(), set);
  CHECK(!p.response);
  CHECK(p.error.find("show_if hides it") != std::string::npos);
  auto k = nlohmann::json::parse(line);
  k["answers"].erase("commute");
  auto p2 = parse_response_line(k.dump(), set);
  CHECK(p2.error.find("required question \"commute\" has no answer") != std::string::npos);
  auto h = nlohmann::json::parse(line);
  h["hash"] = "0000";
  CHECK(parse_response_line(h.dump(), set).error.find("content hash differs") != std::string::npos);
  auto d = nlohmann::json::parse(response_to_line(demo_response(*set.find("knowledge"), 4, 1'700'000'000'000, "k")));
  d["drawn"].erase(0);
  CHECK(!parse_response_line(d.dump(), set).response);
}

TEST_CASE("an absurdly long line is refused without being kept in memory") {
  std::string big(kMaxImportLine + 10, 'x');
  std::istringstream in(big + "\nshort\n");
  std::string line;
  bool too_long = false;
  REQUIRE(bounded_getline(in, line, kMaxImportLine, too_long));
  CHECK(too_long);
  CHECK(line.size() == kMaxImportLine);
  REQUIRE(bounded_getline(in, line, kMaxImportLine, too_long));
  CHECK(!too_long);
  CHECK(line == "short");
  CHECK(!bounded_getline(in, line, kMaxImportLine, too_long));
}

TEST_CASE("import: a changed duplicate is a conflict, huge versions and bad times are refused with their reason") {
  test::TempDir dir;
  const auto& set = test::shipped();
  Store s(dir.file("s.db"));
  Response good = demo_response(*set.find("green-travel"), 9, 1'700'000'000'000, "hall-2");
  std::string line = response_to_line(good);
  auto j = nlohmann::json::parse(line);
  // Same id, different answers: not "already there".
  auto changed = j;
  changed["answers"]["trips"] = {{"walk", 9}};
  // 2^32 + 1 would become version 1 if narrowed.
  auto huge = j;
  huge["id"] = "00000000-0000-4000-8000-000000000002";
  huge["version"] = 4294967297ULL;
  auto neg = j;
  neg["id"] = "00000000-0000-4000-8000-000000000003";
  neg["answers"]["trips"] = {{"walk", -2}};
  auto future = j;
  future["id"] = "00000000-0000-4000-8000-000000000004";
  future["started_at"] = "2099-01-01T00:00:00.000Z";
  future["completed_at"] = "2099-01-01T00:05:00.000Z";
  auto ancient = j;
  ancient["id"] = "00000000-0000-4000-8000-000000000005";
  ancient["started_at"] = "2001-01-01T00:00:00.000Z";
  ancient["completed_at"] = "2001-01-01T00:05:00.000Z";
  std::string text = line + "\n" + line + "\n" + changed.dump() + "\n" + huge.dump() + "\n" + neg.dump() + "\n" +
                     future.dump() + "\n" + ancient.dump() + "\n";
  std::istringstream in(text);
  ImportReport rep;
  import_jsonl(in, "k.jsonl", s, set, rep);
  CHECK(rep.added() == 1);
  CHECK(rep.already() == 1);  // the same line twice
  CHECK(rep.conflicts() == 1);
  CHECK(rep.refused() == 4);
  REQUIRE(rep.problems.size() == 5);
  CHECK(rep.problems[0].find("k.jsonl:3: conflict: response " + good.id) == 0);
  CHECK(rep.problems[1].find("k.jsonl:4: \"version\" 4294967297 is outside 1..2147483647") == 0);
  CHECK(rep.problems[2].find("k.jsonl:5: ") == 0);
  CHECK(rep.problems[2].find("-2 is negative") != std::string::npos);
  CHECK(rep.problems[3].find("k.jsonl:6: ") == 0);
  CHECK(rep.problems[3].find("is in the future") != std::string::npos);
  CHECK(rep.problems[4].find("k.jsonl:7: started_at 2001-01-01") == 0);
  CHECK(rep.problems[4].find("before 2019-01-01") != std::string::npos);
  // The stored response is the first one, untouched.
  CHECK(s.count() == 1);
  ResponseFilter f;
  f.uuid = good.id;
  std::string stored;
  s.each(f, [&](const Response& r) { stored = response_to_line(r); return false; });
  CHECK(stored == line);
}

TEST_CASE("import refuses a knowledge response whose drawn items break the topic balance") {
  const auto& set = test::shipped();
  const Questionnaire& q = *set.find("knowledge");
  auto j = nlohmann::json::parse(response_to_line(demo_response(q, 9, 1'700'000'000'000, "k")));
  // A kiosk's own draw is accepted.
  CHECK(parse_response_line(j.dump(), set).response);
  for (const auto& d : j["drawn"]) j["answers"].erase(d.get<std::string>());
  // Four items of the largest topic and six of other topics: 17 topics, 10 drawn, so a
  // kiosk never asks a topic twice. Every answer correct, which would lift 39.
  std::map<std::string, int> size;
  for (const auto& it : q.bank->items) size[it.topic]++;
  std::string big;
  for (const auto& [t, n] : size)
    if (big.empty() || n > size[big]) big = t;
  REQUIRE(size[big] >= 4);
  nlohmann::json drawn = nlohmann::json::array();
  std::set<std::string> used = {big};
  auto take = [&](const Question& it) {
    drawn.push_back(it.id);
    if (it.type == QuestionType::multiple) j["answers"][it.id] = it.correct;
    else j["answers"][it.id] = it.correct.front();
  };
  for (const auto& it : q.bank->items)
    if (it.topic == big && drawn.size() < 4) take(it);
  for (const auto& it : q.bank->items)
    if (drawn.size() < 10 && used.insert(it.topic).second) take(it);
  REQUIRE(drawn.size() == 10);
  j["drawn"] = drawn;
  auto p = parse_response_line(j.dump(), set);
  CHECK_FALSE(p.response);
  CHECK(p.error.find("topic balance") != std::string::npos);
  CHECK(p.error.find(big) != std::string::npos);
}

TEST_CASE("import: the same response id in upper case is the same response, not a second one") {
  test::TempDir dir;
  const auto& set = test::shipped();
  Store s(dir.file("s.db"));
  Response good = demo_response(*set.find("green-travel"), 9, 1'700'000'000'000, "hall-2");
  good.id = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
  std::string lower = response_to_line(good);
  auto j = nlohmann::json::parse(lower);
  j["id"] = "0A1B2C3D-4E5F-4A6B-8C7D-9E0F1A2B3C4D";
  std::istringstream in(lower + "\n" + j.dump() + "\n");
  ImportReport rep;
  import_jsonl(in, "k.jsonl", s, set, rep);
  CHECK(rep.added() == 1);
  CHECK(rep.already() == 1);
  CHECK(s.count() == 1);
  // Upper case first: stored in lower case, and found by either spelling.
  Store t(dir.file("t.db"));
  std::istringstream in2(j.dump() + "\n" + lower + "\n");
  ImportReport rep2;
  import_jsonl(in2, "k.jsonl", t, set, rep2);
  CHECK(rep2.added() == 1);
  CHECK(rep2.already() == 1);
  CHECK(t.count() == 1);
  CHECK(StoreAccess::db(t).scalar("SELECT count(*) FROM responses WHERE uuid='0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d'") == 1);
  // A direct save (a kiosk or another importer) follows the same rule.
  Response upper = good;
  upper.id = "0A1B2C3D-4E5F-4A6B-8C7D-9E0F1A2B3C4D";
  CHECK(test::save_scored(t, upper, set.find("green-travel")) == Store::Saved::duplicate);
  CHECK(t.contains("0A1B2C3D-4E5F-4A6B-8C7D-9E0F1A2B3C4D"));
}

TEST_CASE("import: kiosk ids with control characters or a slash, and unknown langs, are refused and never printed raw") {
  test::TempDir dir;
  const auto& set = test::shipped();
  Store s(dir.file("s.db"));
  Response good = demo_response(*set.find("green-travel"), 9, 1'700'000'000'000, "hall-2");
  auto j = nlohmann::json::parse(response_to_line(good));
  std::string text;
  int n = 0;
  for (std::string bad : {std::string("hall\x1b[2J"), std::string("hall\tx"), std::string("hall\rfake: 999 new"),
                          std::string("hall\nfake"), std::string("a/../../b"), std::string("hall\xc2\x9b" "31m")}) {
    auto l = j;
    l["id"] = "00000000-0000-4000-8000-00000000001" + std::to_string(n++);
    l["kiosk"] = bad;
    text += l.dump() + "\n";
  }
  auto xx = j;
  xx["id"] = "00000000-0000-4000-8000-000000000020";
  xx["lang"] = "xx";
  text += xx.dump() + "\n";
  std::istringstream in(text);
  ImportReport rep;
  import_jsonl(in, "k.jsonl", s, set, rep);
  CHECK(rep.added() == 0);
  CHECK(rep.refused() == 7);
  REQUIRE(rep.problems.size() == 7);
  CHECK(rep.problems[0].find("kiosk id must not contain control characters") != std::string::npos);
  CHECK(rep.problems[4].find("kiosk id must not contain a slash") != std::string::npos);
  CHECK(rep.problems[6].find("lang \"xx\" is not a language of \"green-travel\"") != std::string::npos);
  // Refused lines are counted under "?" (their id is not one we would print) or their valid kiosk.
  for (const auto& [k, v] : rep.kiosks) {
    bool fine = kiosk_id_fault(k).empty() || k == "?";
    CHECK_MESSAGE(fine, printable(k));
  }
  CHECK(rep.kiosks.at("?").refused == 6);
  CHECK(rep.kiosks.at("hall-2").refused == 1);
  // What a summary prints has no control characters left.
  CHECK(printable("a\x1b[2Jb\r\n\t\xc2\x9b") == "a\\x1B[2Jb\\x0D\\x0A\\x09\\x9B");
  CHECK(printable("大厅-1") == "大厅-1");
  CHECK(kiosk_id_fault("大厅-1").empty());
}

TEST_CASE("import: problem messages are bounded, the rest only counted") {
  test::TempDir dir;
  const auto& set = test::shipped();
  Store s(dir.file("s.db"));
  std::string text;
  for (int i = 0; i < 5000; ++i) text += "{}\n";
  std::istringstream in(text);
  ImportReport rep;
  import_jsonl(in, "k.jsonl", s, set, rep);
  CHECK(rep.refused() == 5000);
  CHECK(rep.problems.size() == ImportReport::kMaxProblems);
  CHECK(rep.problems_more == 5000 - static_cast<std::int64_t>(ImportReport::kMaxProblems));
  CHECK(rep.problems.front().find("k.jsonl:1: ") == 0);
  CHECK(rep.problems.back().find("k.jsonl:1000: ") == 0);
}
