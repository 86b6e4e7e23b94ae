#include <doctest/doctest.h>

#include <algorithm>
#include <set>

#include "core/survey/questionnaire_loader.hpp"
#include "helpers.hpp"

using namespace eco;

namespace {
// A small valid questionnaire the error tests break one piece at a time.
std::string base(const std::string& questions, const std::string& extra = "") {
  return R"({"id":"t","version":1,"title":{"zh":"测试","en":"Test"},"minutes":2,"questions":[)" + questions + "]" +
         extra + "}";
}
const char* kQ1 = R"({"id":"q1","type":"single","text":{"zh":"一"},"options":[{"id":"a","text":{"zh":"甲"}},{"id":"b","text":{"zh":"乙"}}]})";

LoadResult load(const std::string& text) { return load_questionnaire_text(text, "t.json", "/nonexistent"); }

bool has_error(const LoadResult& r, const std::string& path, const std::string& words) {
  for (const auto& e : r.errors)
    if (e.path == path && e.message.find(words) != std::string::npos && e.file == "t.json") return true;
  return false;
}
}  // namespace

TEST_CASE("a minimal questionnaire loads") {
  auto r = load(base(kQ1));
  REQUIRE(r.errors.empty());
  REQUIRE(r.questionnaire);
  CHECK(r.questionnaire->questions.size() == 1);
  CHECK(r.questionnaire->title.get("en") == "Test");
  CHECK(r.questionnaire->title.get("fr") == "测试");  // falls back to Chinese
  CHECK(r.questionnaire->content_hash.size() == 64);
}

TEST_CASE("invalid JSON is reported with line and column") {
  auto r = load("{\n  \"id\": \"t\",\n  \"version\": 1,,\n}");
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].message.find("line 3, column 16") != std::string::npos);
  CHECK(!r.questionnaire);
}

TEST_CASE("unknown question type") {
  auto r = load(base(R"({"id":"q1","type":"slider","text":{"zh":"一"}})"));
  CHECK(has_error(r, "/questions/0/type", "unknown type \"slider\""));
}

TEST_CASE("duplicate question and option ids") {
  auto r = load(base(std::string(kQ1) + "," + kQ1));
  CHECK(has_error(r, "/questions/1/id", "duplicate question id \"q1\""));
  auto r2 = load(base(R"({"id":"q1","type":"single","text":{"zh":"一"},"options":[{"id":"a","text":{"zh":"甲"}},{"id":"a","text":{"zh":"乙"}}]})"));
  CHECK(has_error(r2, "/questions/0/options/1/id", "duplicate option id \"a\""));
}

TEST_CASE("show_if pointing at an unknown, later or own question, or an unknown option") {
  auto later = load(base(R"({"id":"q0","type":"single","text":{"zh":"零"},"options":[{"id":"x","text":{"zh":"x"}}],"show_if":{"question":"q1","equals":"a"}},)" + std::string(kQ1)));
  CHECK(has_error(later, "/questions/0/show_if/question", "not an earlier question"));
  auto self = load(base(R"({"id":"q1","type":"single","text":{"zh":"一"},"options":[{"id":"a","text":{"zh":"甲"}}],"show_if":{"question":"q1","equals":"a"}})"));
  CHECK(has_error(self, "/questions/0/show_if/question", "not an earlier question"));
  auto unknown = load(base(std::string(kQ1) + R"(,{"id":"q2","type":"integer","min":0,"max":9,"text":{"zh":"二"},"show_if":{"question":"nope","equals":"a"}})"));
  CHECK(has_error(unknown, "/questions/1/show_if/question", "unknown question \"nope\""));
  auto option = load(base(std::string(kQ1) + R"(,{"id":"q2","type":"integer","min":0,"max":9,"text":{"zh":"二"},"show_if":{"any":[{"question":"q1","any_of":["a","zzz"]}]}})"));
  CHECK(has_error(option, "/questions/1/show_if/any/0/any_of/1", "\"zzz\" is not an option of \"q1\""));
  auto numeric = load(base(std::string(kQ1) + R"(,{"id":"q2","type":"integer","min":0,"max":9,"text":{"zh":"二"},"show_if":{"question":"q1","gt":2}})"));
  CHECK(has_error(numeric, "/questions/1/show_if/gt", "numeric comparison needs"));
}

TEST_CASE("scoring that names unknown items") {
  auto r = load(base(kQ1, R"(,"scoring":{"indicator":40,"method":"satisfaction","overall":"nope","items":["q1"]})"));
  CHECK(has_error(r, "/scoring/overall", "unknown question \"nope\""));
  CHECK(has_error(r, "/scoring/items/0", "\"q1\" must be a rating question"));
  auto g = load(base(R"({"id":"m","type":"count_matrix","max":5,"text":{"zh":"次数"},"rows":[{"id":"walk","text":{"zh":"步行"}}]})",
                     R"(,"scoring":{"indicator":35,"method":"green_travel","matrix":"m","green":["walk","jetpack"]})"));
  CHECK(has_error(g, "/scoring/green/1", "\"jetpack\" is not a row of \"m\""));
  auto k = load(base(kQ1, R"(,"scoring":{"indicator":39,"method":"knowledge"})"));
  CHECK(has_error(k, "/scoring", "needs a \"bank\""));
}

TEST_CASE("missing Chinese text") {
  auto r = load(base(R"({"id":"q1","type":"single","text":{"en":"One"},"options":[{"id":"a","text":{"en":"A"}}]})"));
  CHECK(has_error(r, "/questions/0/text/zh", "missing Chinese text"));
  CHECK(has_error(r, "/questions/0/options/0/text/zh", "missing Chinese text"));
  auto t = load(R"({"id":"t","version":1,"minutes":2,"questions":[)" + std::string(kQ1) + "]}");
  CHECK(has_error(t, "/title", "missing Chinese text"));
}

TEST_CASE("a text question cannot be required and ranges must make sense") {
  auto r = load(base(R"({"id":"c","type":"text","required":true,"text":{"zh":"意见"}},{"id":"n","type":"integer","min":5,"max":1,"text":{"zh":"数"}})"));
  CHECK(has_error(r, "/questions/0/required", "no keyboard"));
  CHECK(has_error(r, "/questions/1/max", "below min"));
}

TEST_CASE("knowledge items need a correct answer and the bank must hold enough") {
  auto r = load(base(R"({"bank":true})", R"(,"bank":{"draw":3,"items":[{"id":"k1","type":"single","topic":"a","text":{"zh":"题"},"options":[{"id":"a","text":{"zh":"甲"}}],"correct":["z"],"explanation":{"zh":"解"}}]})"));
  CHECK(has_error(r, "/bank/items/0/correct/0", "not an option"));
  CHECK(has_error(r, "/bank/draw", "more items than the bank holds"));
}

TEST_CASE("includes expand from the blocks folder and a missing block is named") {
  test::TempDir dir;
  dir.write("blocks/demo.json", R"({"block":"demo","questions":[)" + std::string(kQ1) + "]}");
  std::string f = dir.write("q.json", base(R"({"include":"demo"},{"id":"q2","type":"integer","min":0,"max":3,"text":{"zh":"二"},"show_if":{"question":"q1","equals":"b"}})"));
  auto r = load_questionnaire_file(f);
  REQUIRE(r.errors.empty());
  CHECK(r.questionnaire->questions.size() == 2);
  CHECK(r.questionnaire->questions[0].id == "q1");
  std::string g = dir.write("g.json", base(R"({"include":"gone"})"));
  auto r2 = load_questionnaire_file(g);
  REQUIRE(!r2.errors.empty());
  CHECK(r2.errors[0].file == g);
  CHECK(r2.errors[0].path == "/questions/0/include");
  CHECK(r2.errors[0].message.find("block \"gone\" not found") != std::string::npos);
}

TEST_CASE("one bad file is refused alone, and the others still load") {
  test::TempDir dir;
  dir.write("a.json", base(kQ1));
  dir.write("b.json", "{ not json");
  dir.write("c.json", R"({"id":"c","version":2,"title":{"zh":"丙"},"minutes":1,"questions":[)" + std::string(kQ1) + "]}");
  auto set = load_questionnaire_dir(dir.path.string());
  CHECK(set.list.size() == 2);
  REQUIRE(set.errors.size() == 1);
  CHECK(set.errors[0].file.find("b.json") != std::string::npos);
  CHECK(set.find("c") != nullptr);
  CHECK(set.find("c", 2) != nullptr);
  CHECK(set.find("c", 1) == nullptr);
}

TEST_CASE("hostile nesting is refused, not recursed into") {
  std::string deep(200, '[');
  deep += std::string(200, ']');
  auto r = load(R"({"id":"t","x":)" + deep + "}");
  REQUIRE(!r.errors.empty());
  CHECK(r.errors[0].message.find("nested deeper") != std::string::npos);
}

TEST_CASE("the shipped questionnaires are valid and complete") {
  const auto& set = test::shipped();
  for (const auto& e : set.errors) FAIL(e.to_string());
  REQUIRE(set.list.size() == 3);
  const Questionnaire* k = set.find("knowledge");
  REQUIRE(k);
  REQUIRE(k->bank);
  CHECK(k->bank->items.size() >= 30);
  CHECK(k->bank->draw == 10);
  CHECK(k->scoring.indicator == 39);
  std::set<std::string> topics;
  for (const auto& item : k->bank->items) {
    topics.insert(item.topic);
    CHECK_MESSAGE(!item.text.get("en").empty(), item.id);
    CHECK_MESSAGE(item.text.by_lang.count("en"), item.id);
    CHECK_MESSAGE(item.explanation.by_lang.count("en"), item.id);
  }
  CHECK(topics.size() >= 10);
  const Questionnaire* s = set.find("satisfaction");
  REQUIRE(s);
  CHECK(s->scoring.indicator == 40);
  CHECK(s->scoring.items.size() >= 11);
  CHECK(s->scoring.satisfied == std::vector<std::string>{"very_satisfied", "satisfied"});
  const Question* improve = s->find("improve_first");
  REQUIRE(improve);
  CHECK(improve->max == 3);
  const Questionnaire* g = set.find("green-travel");
  REQUIRE(g);
  CHECK(g->scoring.indicator == 35);
  CHECK(g->find("trips")->rows.size() == 8);
  // All three share the demographics block.
  for (const auto* q : {k, s, g})
    for (const char* id : {"age", "gender", "township", "occupation"}) CHECK_MESSAGE(q->find(id), q->id << " " << id);
  // Every text has English too.
  for (const auto& q : set.list)
    for (const auto& qq : q.questions) {
      CHECK_MESSAGE(qq.text.by_lang.count("en"), qq.id);
      for (const auto& o : qq.options) CHECK_MESSAGE(o.text.by_lang.count("en"), qq.id << "/" << o.id);
    }
}

TEST_CASE("a number too large for a double is refused with a message (found by fuzzing)") {
  eco::LoadResult r = eco::load_questionnaire_text(R"({"id":"x","version":88e8888888})", "big.json", "");
  CHECK_FALSE(r.questionnaire);
  REQUIRE_FALSE(r.errors.empty());
  CHECK(r.errors[0].message.find("invalid JSON") != std::string::npos);
}

TEST_CASE("hostile sizes are refused before parsing: a huge file, a megabyte of brackets, a giant string") {
  test::TempDir dir;
  // Larger than the cap: refused by its size on disk, not read.
  std::string big = dir.write("big.json", base(kQ1, R"(,"pad":")" + std::string(3u << 20, 'x') + "\""));
  auto r = load_questionnaire_file(big);
  REQUIRE(!r.errors.empty());
  CHECK(r.errors[0].message.find("bytes, more than the 2097152 allowed") != std::string::npos);
  // A megabyte of "[" (5 MB once peaked at 384 MB): refused by the pre-scan, with where.
  auto brackets = load_questionnaire_text(std::string(1u << 20, '['), "t.json", "");
  REQUIRE(!brackets.errors.empty());
  CHECK(brackets.errors[0].message.find("refused before parsing: line 1, column 65: nested deeper than 64") == 0);
  std::string huge_text = R"({"zh":")" + std::string(70000, 'a') + "\"}";
  auto s = load(base(R"({"id":"q1","type":"single","text":)" + huge_text + "}"));
  REQUIRE(!s.errors.empty());
  CHECK(s.errors[0].message.find("a string longer than 65536 bytes") != std::string::npos);
  // A folder where a file is expected is named as such.
  std::filesystem::create_directories(dir.path / "folder.json");
  auto f = load_questionnaire_file(dir.file("folder.json"));
  REQUIRE(!f.errors.empty());
  CHECK(f.errors[0].message.find("is a folder") != std::string::npos);
  // Under the limits, the same shapes still load.
  CHECK(load(base(kQ1)).errors.empty());
}

TEST_CASE("dont_know options: on a rating off the scale, at most one, exclusive in a multiple, never correct or satisfied") {
  const std::string scale =
      R"({"id":"v5","text":{"zh":"5"},"value":5},{"id":"v4","text":{"zh":"4"},"value":4},{"id":"v3","text":{"zh":"3"},"value":3},)"
      R"({"id":"v2","text":{"zh":"2"},"value":2},{"id":"v1","text":{"zh":"1"},"value":1})";
  auto rating = [&](const std::string& extra) {
    return R"({"id":"r","type":"rating","text":{"zh":"评"},"options":[)" + scale + extra + "]}";
  };
  SUBCASE("a rating with five points and 说不清 loads, and 说不清 has no value") {
    auto r = load(base(rating(R"(,{"id":"dk","text":{"zh":"说不清"},"dont_know":true})")));
    REQUIRE(r.errors.empty());
    const Question* q = r.questionnaire->find("r");
    REQUIRE(q->options.size() == 6);
    CHECK(q->find_option("dk")->dont_know);
    CHECK(q->find_option("dk")->value == 0);
    CHECK_FALSE(q->find_option("v5")->dont_know);
  }
  SUBCASE("a value on the don't-know option is refused") {
    auto r = load(base(rating(R"(,{"id":"dk","text":{"zh":"说不清"},"dont_know":true,"value":3})")));
    CHECK(has_error(r, "/questions/0/options/5/value", "off the scale"));
  }
  SUBCASE("five points are still needed besides it") {
    auto r = load(base(R"({"id":"r","type":"rating","text":{"zh":"评"},"options":[)"
                       R"({"id":"v5","text":{"zh":"5"},"value":5},{"id":"v4","text":{"zh":"4"},"value":4},)"
                       R"({"id":"v3","text":{"zh":"3"},"value":3},{"id":"v2","text":{"zh":"2"},"value":2},)"
                       R"({"id":"dk","text":{"zh":"说不清"},"dont_know":true}]})"));
    CHECK(has_error(r, "/questions/0/options", "exactly 5 options"));
  }
  SUBCASE("two don't-know options are refused") {
    auto r = load(base(R"({"id":"q","type":"single","text":{"zh":"一"},"options":[{"id":"a","text":{"zh":"甲"}},)"
                       R"({"id":"d1","text":{"zh":"不知道"},"dont_know":true},{"id":"d2","text":{"zh":"说不清"},"dont_know":true}]})"));
    CHECK(has_error(r, "/questions/0/options", "at most one"));
  }
  SUBCASE("in a multiple choice it must be exclusive") {
    auto r = load(base(R"({"id":"m","type":"multiple","text":{"zh":"多"},"options":[{"id":"a","text":{"zh":"甲"}},)"
                       R"({"id":"b","text":{"zh":"乙"}},{"id":"dk","text":{"zh":"不知道"},"dont_know":true}]})"));
    CHECK(has_error(r, "/questions/0/options/2", "exclusive"));
  }
  SUBCASE("not true or false is refused") {
    auto r = load(base(R"({"id":"q","type":"single","text":{"zh":"一"},"options":[{"id":"a","text":{"zh":"甲"},"dont_know":"yes"}]})"));
    CHECK(has_error(r, "/questions/0/options/0/dont_know", "true or false"));
  }
  SUBCASE("a knowledge item's 不知道 is never its correct answer") {
    auto r = load(base(R"({"bank":true})",
                       R"(,"bank":{"draw":1,"items":[{"id":"k1","type":"single","topic":"t","text":{"zh":"问"},)"
                       R"("options":[{"id":"a","text":{"zh":"甲"}},{"id":"dk","text":{"zh":"不知道"},"dont_know":true}],)"
                       R"("correct":["dk"],"explanation":{"zh":"讲"}}]})"));
    CHECK(has_error(r, "/bank/items/0/correct/0", "never the correct answer"));
  }
  SUBCASE("the satisfied answers cannot include 说不清") {
    auto r = load(base(rating(R"(,{"id":"dk","text":{"zh":"说不清"},"dont_know":true})"),
                       R"(,"scoring":{"indicator":40,"method":"satisfaction","overall":"r","satisfied":["v5","dk"],"items":[]})"));
    CHECK(has_error(r, "/scoring/satisfied/1", "don't-know"));
  }
}

TEST_CASE("the shipped questionnaires: every satisfaction rating offers 说不清 and every knowledge item 不知道") {
  const auto& set = test::shipped();
  REQUIRE(set.errors.empty());
  auto dk_of = [](const Question& q) {
    return std::count_if(q.options.begin(), q.options.end(), [](const Option& o) { return o.dont_know; });
  };
  const Questionnaire* sat = set.find("satisfaction");
  REQUIRE(sat);
  for (const auto& q : sat->questions)
    if (q.type == QuestionType::rating) CHECK_MESSAGE(dk_of(q) == 1, q.id);
  const Questionnaire* k = set.find("knowledge");
  REQUIRE(k);
  REQUIRE(k->bank);
  auto chars = [](const std::string& s) {
    return std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; });
  };
  for (const auto& it : k->bank->items) {
    CHECK_MESSAGE(dk_of(it) == 1, it.id);
    if (it.type != QuestionType::single) continue;
    // No give-away by length: the right answer is never the one longest option.
    std::vector<long> len;
    long right = 0;
    for (const auto& o : it.options) {
      if (o.dont_know) continue;
      len.push_back(chars(o.text.get("zh")));
      if (o.id == it.correct.front()) right = len.back();
    }
    std::sort(len.rbegin(), len.rend());
    CHECK_MESSAGE(!(right == len[0] && len[0] > len[1]), it.id, " gives itself away by its length");
  }
}
