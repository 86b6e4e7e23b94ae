// Indicators 35, 39, 40 on small hand-built datasets whose answers are worked out by hand.
#include <doctest/doctest.h>

#include <cmath>

#include <nlohmann/json.hpp>

#include "core/i18n.hpp"
#include "core/indicators.hpp"
#include "core/metrics.hpp"
#include "core/scoring.hpp"
#include "helpers.hpp"

using namespace eco;
using doctest::Approx;

namespace {

double r1(double v) { return std::round(v * 10) / 10; }

// Builds responses the way a kiosk would save them; each one an hour after the last
// so none is a duplicate unless a test makes it so.
struct Builder {
  const QuestionnaireSet& set = test::shipped();
  TimeMs t = 1'561'000'000'000;  // 2019-06-20
  std::string kiosk = "k1";

  Response base(const std::string& qid) {
    const Questionnaire* q = set.find(qid);
    REQUIRE(q);
    Response r;
    r.id = new_uuid();
    r.questionnaire = qid;
    r.version = q->version;
    r.content_hash = q->content_hash;
    r.kiosk = kiosk;
    r.lang = "zh";
    r.started_at = t;
    r.completed_at = t + 300'000;  // five minutes: never too fast
    r.visible_questions = 12;
    t += 3'600'000;
    return r;
  }
  void demographics(Response& r, const std::string& age, const std::string& gender, const std::string& township) {
    if (!age.empty()) r.answers.emplace_back("age", Choice{age});
    if (!gender.empty()) r.answers.emplace_back("gender", Choice{gender});
    if (!township.empty()) r.answers.emplace_back("township", Choice{township});
  }
  // Ten bank items drawn; the first `correct` answered right, the rest wrong.
  Response knowledge(int correct) {
    Response r = base("knowledge");
    const auto& items = set.find("knowledge")->bank->items;
    for (int i = 0; i < 10; ++i) {
      const Question& it = items[static_cast<std::size_t>(i)];
      r.drawn.push_back(it.id);
      std::vector<std::string> pick = it.correct;
      if (i >= correct)
        for (const auto& o : it.options)
          if (std::find(it.correct.begin(), it.correct.end(), o.id) == it.correct.end()) { pick = {o.id}; break; }
      if (it.type == QuestionType::multiple) r.answers.emplace_back(it.id, ChoiceSet{pick});
      else r.answers.emplace_back(it.id, Choice{pick[0]});
    }
    return r;
  }
  // Items alternate satisfied / neutral, so nobody is straight-lining by accident.
  Response satisfaction(const std::string& overall) {
    Response r = base("satisfaction");
    int i = 0;
    for (const auto& item : set.find("satisfaction")->scoring.items)
      r.answers.emplace_back(item, Choice{i++ % 2 ? "neutral" : "satisfied"});
    r.answers.emplace_back("overall", Choice{overall});
    return r;
  }
  Response travel(int green, int all) {
    Response r = base("green-travel");
    r.answers.emplace_back("trips", Counts{{{"walk", green}, {"bicycle", 0}, {"ebike", 0}, {"bus", 0}, {"taxi", 0},
                                            {"car", all - green}, {"motorcycle", 0}, {"other", 0}}});
    return r;
  }
};

struct Fixture {
  test::TempDir dir;
  Store store{dir.file("ind.db")};
  Builder b;
  IndicatorOptions opt;
  void save(const Response& r) { store.save(r, b.set.find(r.questionnaire)); }
  IndicatorResult get(int no) {
    IndicatorReport rep = compute_indicators(store, b.set, opt);
    for (auto& i : rep.indicators)
      if (i.no == no) return i;
    FAIL("indicator missing");
    return {};
  }
};

}  // namespace

TEST_CASE("no data gives no value, never 0%") {
  Fixture f;
  IndicatorReport rep = compute_indicators(f.store, f.b.set, f.opt);
  REQUIRE(rep.indicators.size() == 3);
  nlohmann::json j = indicators_json(rep);
  for (const auto& i : rep.indicators) {
    CHECK_FALSE(i.est.value);
    CHECK_FALSE(i.met);
    CHECK(i.status() == "no_data");
    CHECK(i.est.n == 0);
  }
  for (const auto& i : j["indicators"]) {
    CHECK(i["value"].is_null());
    CHECK(i["met"].is_null());
    CHECK(i["ci"].is_null());
    CHECK(i["n"] == 0);
  }
}

TEST_CASE("40 satisfaction: 8 of 10 satisfied is 80% with Wilson [49.0, 94.3]") {
  Fixture f;
  for (int i = 0; i < 8; ++i) f.save(f.b.satisfaction(i % 2 ? "very_satisfied" : "satisfied"));
  for (int i = 0; i < 2; ++i) f.save(f.b.satisfaction("dissatisfied"));
  IndicatorResult r = f.get(40);
  CHECK(r.est.n == 10);
  CHECK(*r.est.value == Approx(80));
  CHECK(r1(r.est.ci->lo) == 49.0);
  CHECK(r1(r.est.ci->hi) == 94.3);
  CHECK(*r.met);                        // at the target counts as met
  CHECK_FALSE(*r.met_with_confidence);  // but the interval reaches far below it
  CHECK(r.status() == "met");
  // Mean score: four at 100, four at 75, two at 25.
  CHECK(*r.mean_score == Approx((4 * 100 + 4 * 75 + 2 * 25) / 10.0));
  // Items alternate satisfied/neutral: even-placed items 100% satisfied, odd 0%, worst first.
  REQUIRE(r.items.size() == 11);
  CHECK(r.items.front().pct == Approx(0));
  CHECK(r.items.back().pct == Approx(100));
  CHECK(r.items.front().mean_score == Approx(50));
  CHECK(r.items.back().mean_score == Approx(75));
}

TEST_CASE("40 satisfaction: everyone satisfied still has an interval below 100") {
  Fixture f;
  for (int i = 0; i < 10; ++i) f.save(f.b.satisfaction("very_satisfied"));
  IndicatorResult r = f.get(40);
  CHECK(*r.est.value == Approx(100));
  CHECK(r1(r.est.ci->lo) == 72.2);
  CHECK_FALSE(*r.met_with_confidence);  // ten people cannot prove 80%
  for (int i = 0; i < 90; ++i) f.save(f.b.satisfaction("very_satisfied"));
  CHECK(f.get(40).status() == "met_with_confidence");
}

TEST_CASE("39 awareness: mean of per-respondent scores with a t-interval, items worst first") {
  Fixture f;
  for (int c : {7, 8, 9, 10, 6}) f.save(f.b.knowledge(c));
  IndicatorResult r = f.get(39);
  CHECK(r.est.n == 5);
  CHECK(*r.est.value == Approx(80));
  CHECK(r1(r.est.ci->lo) == 60.4);
  CHECK(r1(r.est.ci->hi) == 99.6);
  CHECK(*r.share_at_least_60 == Approx(100));
  REQUIRE(r.items.size() == 10);
  // Item 10 was right only for the respondent with 10 correct; items 1-6 for all.
  CHECK(r.items.front().pct == Approx(20));
  CHECK(r.items.front().item == f.b.set.find("knowledge")->bank->items[9].id);
  CHECK(r.items.back().pct == Approx(100));
  CHECK(r.est.needed_for_3pt == 107);  // (1.96 × 15.81 / 3)² = 106.7
}

TEST_CASE("39 awareness: a multiple-choice item counts only with the exact set") {
  const auto& set = test::shipped();
  const Question* multi = nullptr;
  for (const auto& it : set.find("knowledge")->bank->items)
    if (it.type == QuestionType::multiple && it.correct.size() >= 2) { multi = &it; break; }
  REQUIRE(multi);
  std::vector<std::string> part(multi->correct.begin(), multi->correct.end() - 1);
  CHECK(knowledge_correct(*multi, ChoiceSet{multi->correct}));
  CHECK_FALSE(knowledge_correct(*multi, ChoiceSet{part}));
  std::vector<std::string> more = multi->correct;
  for (const auto& o : multi->options)
    if (std::find(more.begin(), more.end(), o.id) == more.end()) { more.push_back(o.id); break; }
  CHECK_FALSE(knowledge_correct(*multi, ChoiceSet{more}));
}

TEST_CASE("39 awareness: a single respondent") {
  Fixture f;
  f.save(f.b.knowledge(7));
  IndicatorResult r = f.get(39);
  CHECK(r.est.n == 1);
  CHECK(*r.est.value == Approx(70));
  CHECK(r.est.ci->lo == Approx(70));
  CHECK(r.est.ci->hi == Approx(70));
  CHECK_FALSE(*r.met);
}

TEST_CASE("35 green travel: trip-weighted ratio with a Taylor interval") {
  Fixture f;
  int d[][2] = {{2, 4}, {1, 1}, {0, 3}, {3, 3}, {4, 5}, {2, 2}, {1, 2}, {3, 4}, {0, 2}, {2, 2}};
  for (auto& p : d) f.save(f.b.travel(p[0], p[1]));
  IndicatorResult r = f.get(35);
  CHECK(r.est.n == 10);
  CHECK(r1(*r.est.value) == 64.3);
  CHECK(r1(r.est.ci->lo) == 38.9);
  CHECK(r1(r.est.ci->hi) == 89.7);
  CHECK(r.est.needed_for_3pt == 538);
  CHECK(r.trips == 28);
  CHECK(r.green_trips == 18);
  REQUIRE(r.modes.size() == 2);
  CHECK(r.modes[0].mode == "walk");
  CHECK(r.modes[0].pct == Approx(100.0 * 18 / 28));
  CHECK(*r.met);
  CHECK_FALSE(*r.met_with_confidence);
}

TEST_CASE("35 green travel: respondents with no trips add nothing, and all zero gives no data") {
  Fixture f;
  for (int i = 0; i < 3; ++i) f.save(f.b.travel(0, 0));
  IndicatorResult r = f.get(35);
  CHECK(r.est.n == 3);
  CHECK_FALSE(r.est.value);
  CHECK(r.status() == "no_data");
  f.save(f.b.travel(1, 2));
  r = f.get(35);
  CHECK(r.est.n == 4);  // the zero-trip respondents stay in n (they are sampled units)
  CHECK(*r.est.value == Approx(50));
}

TEST_CASE("flagged responses are left out by default, counted by reason, and kept on request") {
  Fixture f;
  for (int i = 0; i < 5; ++i) f.save(f.b.satisfaction("satisfied"));
  // Too fast: 12 visible questions in 10 s, under 2 s each.
  Response fast = f.b.satisfaction("very_satisfied");
  fast.completed_at = fast.started_at + 10'000;
  f.save(fast);
  // Straight-lining: the same rating on all 11 items and the overall rating.
  Response straight = f.b.base("satisfaction");
  for (const auto& item : f.b.set.find("satisfaction")->scoring.items) straight.answers.emplace_back(item, Choice{"very_satisfied"});
  straight.answers.emplace_back("overall", Choice{"very_satisfied"});
  f.save(straight);
  // Duplicate: the same answers from the same kiosk two minutes after another.
  Response first = f.b.satisfaction("dissatisfied");
  Response again = first;
  again.id = new_uuid();
  again.started_at += 120'000;
  again.completed_at += 120'000;
  f.save(first);
  f.save(again);

  IndicatorResult r = f.get(40);
  CHECK(r.considered == 9);
  CHECK(r.excluded.too_fast == 1);
  CHECK(r.excluded.straight_lining == 1);
  CHECK(r.excluded.duplicate == 1);
  CHECK(r.excluded.total == 3);
  CHECK(r.est.n == 6);
  CHECK(*r.est.value == Approx(500.0 / 6));
  // Flags are stored, nothing deleted.
  CHECK(f.store.count() == 9);
  CHECK(f.store.db().scalar("SELECT count(*) FROM response_metrics WHERE flags != 0") == 2);

  f.opt.include_flagged = true;
  r = f.get(40);
  CHECK(r.est.n == 9);
  CHECK(r.excluded.total == 3);  // still reported
  CHECK(*r.est.value == Approx(700.0 / 9));
  // The speed threshold is a setting, applied at query time.
  f.opt.include_flagged = false;
  f.opt.min_seconds_per_question = 0.5;
  CHECK(f.get(40).excluded.too_fast == 0);
}

TEST_CASE("filters: kiosk, dates and version") {
  Fixture f;
  f.save(f.b.satisfaction("satisfied"));  // 2019-06-20, k1
  f.b.kiosk = "k2";
  f.b.t += 10 * 86'400'000LL;
  f.save(f.b.satisfaction("dissatisfied"));
  f.save(f.b.satisfaction("dissatisfied"));
  f.opt.filter.kiosk = "k1";
  CHECK(f.get(40).est.n == 1);
  f.opt.filter.kiosk = "nowhere";
  CHECK(f.get(40).est.n == 0);
  f.opt.filter.kiosk.clear();
  f.opt.filter.from = 1'561'000'000'000 + 86'400'000LL;
  IndicatorResult r = f.get(40);
  CHECK(r.est.n == 2);
  CHECK(*r.est.value == Approx(0));
  f.opt.filter.version = 999;
  CHECK(f.get(40).est.n == 0);
}

TEST_CASE("breakdowns give n in every cell and mark small ones unreliable") {
  Fixture f;
  for (int i = 0; i < 4; ++i) {
    Response r = f.b.satisfaction(i < 3 ? "satisfied" : "dissatisfied");
    f.b.demographics(r, i < 3 ? "30_44" : "70p", i % 2 ? "female" : "male", "");
    f.save(r);
  }
  f.opt.min_cell_n = 3;
  IndicatorResult r = f.get(40);
  const Breakdown* age = nullptr;
  const Breakdown* town = nullptr;
  for (const auto& b : r.breakdowns) {
    if (b.by == "age") age = &b;
    if (b.by == "township") town = &b;
  }
  REQUIRE(age);
  REQUIRE(age->cells.size() == 2);
  CHECK(age->cells[0].code == "30_44");  // questionnaire order: 30_44 before 70p
  CHECK(age->cells[0].est.n == 3);
  CHECK(*age->cells[0].est.value == Approx(100));
  CHECK_FALSE(age->cells[0].unreliable);
  CHECK(age->cells[1].code == "70p");
  CHECK(age->cells[1].unreliable);
  REQUIRE(town);
  REQUIRE(town->cells.size() == 1);
  CHECK(town->cells[0].code.empty());  // nobody answered township
  CHECK(town->cells[0].est.n == 4);
}

TEST_CASE("weighting: population margins that match the sample change nothing") {
  Fixture f;
  const char* ages[] = {"18_29", "60_69"};
  const char* genders[] = {"male", "female"};
  int k = 0;
  for (auto a : ages)
    for (auto g : genders)
      for (int i = 0; i < 3; ++i) {
        Response r = f.b.satisfaction(k++ % 3 ? "satisfied" : "neutral");
        f.b.demographics(r, a, g, "chengxi");
        f.save(r);
      }
  Population pop;
  pop.margins.push_back({{"age", "gender"}, {{"18_29|male", 1000}, {"18_29|female", 1000}, {"60_69|male", 1000}, {"60_69|female", 1000}}});
  pop.margins.push_back({{"township"}, {{"chengxi", 5000}}});
  f.opt.population = &pop;
  IndicatorResult r = f.get(40);
  REQUIRE(r.weighted);
  CHECK(r.weighted->converged);
  CHECK(r.weighted->deff == Approx(1));
  CHECK(r.weighted->n_eff == Approx(12));
  CHECK(*r.weighted->est.value == Approx(*r.est.value));
  CHECK(r.weighted->est.ci->lo == Approx(r.est.ci->lo));

  // Now the population is mostly older people, who are less satisfied here.
  Response old = f.b.satisfaction("dissatisfied");
  f.b.demographics(old, "60_69", "male", "chengxi");
  f.save(old);
  pop.margins[0].cells["60_69|male"] = 6000;
  r = f.get(40);
  CHECK(r.weighted->deff > 1);
  CHECK(*r.weighted->est.value < *r.est.value);
}

TEST_CASE("metrics are backfilled for responses saved without their questionnaire") {
  Fixture f;
  f.store.save(f.b.knowledge(9));  // no questionnaire: no metrics row yet
  CHECK(f.store.db().scalar("SELECT count(*) FROM response_metrics") == 0);
  IndicatorResult r = f.get(39);
  CHECK(r.est.n == 1);
  CHECK(*r.est.value == Approx(90));
}

TEST_CASE("population file: a clear message on a bad one") {
  test::TempDir dir;
  std::string err;
  CHECK_FALSE(load_population(dir.write("p.json", "{\"margins\": []}"), err));
  CHECK(err.find("margins") != std::string::npos);
  CHECK_FALSE(load_population(dir.write("p2.json", R"({"margins":[{"dims":["age","gender"],"cells":{"18_29":5}}]})"), err));
  CHECK(err.find("one code per dimension") != std::string::npos);
  CHECK_FALSE(load_population(dir.write("p3.json", R"({"margins":[{"dims":["income"],"cells":{"a":5}}]})"), err));
  CHECK(err.find("age, gender, township") != std::string::npos);
  auto ok = load_population(dir.write("p4.json", R"({"source":"census","margins":[{"dims":["township"],"cells":{"chengxi":5}}]})"), err);
  REQUIRE(ok);
  CHECK(ok->source == "census");
}

TEST_CASE("the JSON contract and the text table") {
  Fixture f;
  for (int i = 0; i < 3; ++i) f.save(f.b.knowledge(8));
  IndicatorReport rep = compute_indicators(f.store, f.b.set, f.opt);
  nlohmann::json j = indicators_json(rep);
  const nlohmann::json* k = nullptr;
  for (const auto& i : j["indicators"])
    if (i["no"] == 39) k = &i;
  REQUIRE(k);
  for (const char* key : {"no", "value", "ci", "n", "target", "met", "met_with_confidence", "excluded", "items",
                          "breakdowns", "margin_of_error", "n_needed_for_3_points", "status", "weighted"})
    CHECK_MESSAGE(k->contains(key), key);
  CHECK((*k)["value"] == 80.0);
  CHECK((*k)["target"] == 80.0);
  CHECK((*k)["met"] == true);
  for (const char* key : {"too_fast", "straight_lining", "duplicate"}) CHECK((*k)["excluded"].contains(key));
  for (const char* b : {"township", "age", "gender", "kiosk", "month"}) CHECK((*k)["breakdowns"].contains(b));
  CHECK((*k)["breakdowns"]["month"][0]["code"] == "2019-06");

  Strings s;
  std::vector<std::string> errors;
  REQUIRE(s.load_dir(test::source_dir() + "/assets/i18n", errors));
  std::string zh = indicators_text(rep, f.b.set, s, "zh");
  CHECK(zh.find("公众生态文明知识知晓度") != std::string::npos);
  CHECK(zh.find("暂无数据") != std::string::npos);  // 35 and 40 have no responses
  std::string en = indicators_text(rep, f.b.set, s, "en");
  CHECK(en.find("Public awareness") != std::string::npos);
  CHECK(en.find("no data") != std::string::npos);
  CHECK(en.find("report.") == std::string::npos);  // every key exists
}

TEST_CASE("month_of uses the district's clock") {
  // 2019-06-30T17:00Z is already 1 July in China.
  CHECK(month_of(1'561'914'000'000, 0) == "2019-06");
  CHECK(month_of(1'561'914'000'000, 480) == "2019-07");
  CHECK(month_of(0, 0) == "1970-01");
}
