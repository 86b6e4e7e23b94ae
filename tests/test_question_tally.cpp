// QuestionTally (core/analysis/question_tally.*) counts the responses as they pass; the
// console's survey results sum the hourly counts kept at save time. On the same
// responses the two must agree question by question, option by option.
#include <doctest/doctest.h>

#include <map>

#include "core/analysis/question_tally.hpp"
#include "core/analysis/survey_results.hpp"
#include "core/storage/demo_data.hpp"
#include "core/storage/store.hpp"
#include "helpers.hpp"

using namespace eco;

namespace {

constexpr TimeMs kEnd = 1'561'000'000'000;  // 2019-06-20, on an hour
constexpr TimeMs kHour = 3'600'000;

// The tallies of every shipped questionnaire over the responses f selects.
std::map<std::string, std::vector<QuestionDist>> tallied(Store& s, const ResponseFilter& f) {
  const auto& set = test::shipped();
  std::map<std::string, QuestionTally> tallies;
  for (const auto& q : set.list)
    if (set.find(q.id) == &q) tallies.emplace(q.id, QuestionTally(q));
  s.each_with_id(f, [&](std::int64_t, const Response& r) {
    if (auto it = tallies.find(r.questionnaire); it != tallies.end()) it->second.add(r);
    return true;
  });
  std::map<std::string, std::vector<QuestionDist>> out;
  for (const auto& [id, t] : tallies) out[id] = t.results();
  return out;
}

void same(const std::vector<QuestionDist>& counted, const std::vector<QuestionDist>& summed) {
  REQUIRE(counted.size() == summed.size());
  for (std::size_t i = 0; i < counted.size(); ++i) {
    CAPTURE(summed[i].question);
    CHECK(counted[i].question == summed[i].question);
    CHECK(counted[i].answered == summed[i].answered);
    CHECK(counted[i].mean == doctest::Approx(summed[i].mean));
    REQUIRE(counted[i].counts.size() == summed[i].counts.size());
    for (std::size_t k = 0; k < counted[i].counts.size(); ++k) {
      CAPTURE(summed[i].counts[k].option);
      CHECK(counted[i].counts[k].option == summed[i].counts[k].option);
      CHECK(counted[i].counts[k].n == summed[i].counts[k].n);
    }
  }
}

}  // namespace

TEST_CASE("counting the responses as they pass gives the survey results' distributions") {
  for (std::int64_t n : {0, 1, 2, 300}) {
    CAPTURE(n);
    test::TempDir dir;
    Store s(dir.file("t.db"));
    DemoOptions d;
    d.responses = n;
    d.end = kEnd;
    d.days = 20;
    fill_demo_data(s, test::shipped(), d);
    if (n == 300) {  // a second hall's responses, to filter by
      d.kiosk = "hall-2";
      d.responses = 120;
      d.seed = 9;
      fill_demo_data(s, test::shipped(), d);
    }
    std::vector<ResponseFilter> filters(4);
    filters[1].kiosk = "hall-2";
    filters[2].from = kEnd - 10 * 24 * kHour;  // the last ten days, on hours as the hourly counts are
    filters[3].to = kEnd - 5 * 24 * kHour - 7 * kHour;
    filters[3].questionnaire = "green-travel";
    for (std::size_t fi = 0; fi < filters.size(); ++fi) {
      CAPTURE(fi);
      SurveyResults sr = compute_survey_results(s, test::shipped(), filters[fi], 480);
      auto counted = tallied(s, filters[fi]);
      std::int64_t answers = 0;
      for (const auto& qr : sr.questionnaires) {
        CAPTURE(qr.id);
        if (!filters[fi].questionnaire.empty() && qr.id != filters[fi].questionnaire) continue;
        REQUIRE(counted.count(qr.id));
        same(counted[qr.id], qr.questions);
        for (const auto& q : qr.questions) answers += q.answered;
      }
      if (n == 300) CHECK(answers > 0);  // every filter selects some
    }
  }
}

TEST_CASE("a tally leaves out what this version lacks and counts answers out of the asked order") {
  const Questionnaire* q = test::shipped().find("satisfaction");
  REQUIRE(q);
  QuestionTally t(*q);
  Response r;
  r.questionnaire = q->id;
  const Question& first = q->questions.front();
  const Question& last = q->questions.back();
  REQUIRE(!first.options.empty());
  r.answers.push_back({"no_such_question", Choice{"x"}});
  r.answers.push_back({last.id, last.options.empty() ? Answer{Text{"x"}} : Answer{Choice{last.options[0].id}}});
  r.answers.push_back({first.id, Choice{"no_such_option"}});  // answered, but no option of this version
  r.answers.push_back({first.id, Choice{first.options[0].id}});
  t.add(r);
  t.add(r);
  auto res = t.results();
  REQUIRE(res.size() == q->questions.size());
  CHECK(res.front().answered == 4);
  CHECK(res.front().counts[0].n == 2);
  std::int64_t others = 0;
  for (std::size_t k = 1; k < res.front().counts.size(); ++k) others += res.front().counts[k].n;
  CHECK(others == 0);
  CHECK(res.back().answered == 2);
  for (std::size_t i = 1; i + 1 < res.size(); ++i) CHECK(res[i].answered == 0);
}

TEST_CASE("the survey results hold each questionnaire once, its newest version, when the set holds a retired one") {
  // A set can hold older versions (definitions read from a database): each was a second
  // entry, with the id moved out of it (""), and the retired version's questions.
  QuestionnaireSet full = test::shipped();
  Questionnaire v1 = *full.find("satisfaction");
  v1.version = 1;
  v1.questions.pop_back();
  full.add(v1, *full.expanded_json(*full.find("satisfaction")));
  test::TempDir dir;
  Store store(dir.file("x.db"));
  test::fill_demo(store, 40);
  SurveyResults sr = compute_survey_results(store, full, {}, 0);
  std::map<std::string, std::size_t> seen;
  for (const auto& q : sr.questionnaires) ++seen[q.id];
  CHECK(seen == std::map<std::string, std::size_t>{{"green-travel", 1}, {"knowledge", 1}, {"satisfaction", 1}});
  for (const auto& q : sr.questionnaires) {
    CAPTURE(q.id);
    const Questionnaire* newest = full.find(q.id);
    REQUIRE(newest);
    CHECK(q.questions.size() == newest->questions.size());
    CHECK(q.completed > 0);
  }
}
