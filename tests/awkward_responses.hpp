// Hand-made responses to satisfaction and green travel for the export tests: every
// column kind but the quiz, skipped and empty answers, a kiosk name with something in
// it, and the comments given, in turn.
#pragma once
#include <string>
#include <vector>

#include "core/support/ids.hpp"
#include "core/survey/questionnaire.hpp"
#include "core/survey/response.hpp"

namespace test {

inline std::vector<eco::Response> awkward_responses(const eco::QuestionnaireSet& set, int n,
                                                    const std::vector<std::string>& comments,
                                                    const std::string& odd_kiosk = "大厅,2") {
  using namespace eco;
  std::vector<Response> out;
  for (int i = 0; i < n; ++i) {
    Response r;
    const Questionnaire& q = *set.find(i % 3 == 2 ? "green-travel" : "satisfaction");
    r.id = new_uuid();
    r.questionnaire = q.id;
    r.version = q.version;
    r.content_hash = q.content_hash;
    r.kiosk = i % 2 ? "hall-1" : odd_kiosk;
    r.lang = i % 2 ? "en" : "zh";
    r.started_at = 1'561'000'000'000 + i * 3'600'123LL;
    r.completed_at = r.started_at + 600'000 + i * 1'234;  // durations with fractions of a second
    r.visible_questions = 10;
    if (q.id == "satisfaction") {
      if (i % 4 != 1) r.answers.emplace_back("sat_air", Choice{"satisfied"});  // skipped on every fourth
      r.answers.emplace_back("overall", Choice{i % 2 ? "very_satisfied" : "dont_know"});
      if (i % 5 != 3) r.answers.emplace_back("improve_first", ChoiceSet{{"noise", "air"}});
      if (i % 3 != 1 && !comments.empty())  // "" is an empty answer
        r.answers.emplace_back("comment", Text{comments[static_cast<std::size_t>(i) % comments.size()]});
    } else {
      r.answers.emplace_back("trips", Counts{{{"walk", 3}, {"bus", i}}});
      r.answers.emplace_back("commute", Choice{"ebike"});
      if (i % 2) r.answers.emplace_back("commute_minutes", std::int64_t{25 + i});
      r.answers.emplace_back("barriers", ChoiceSet{{"weather"}});
    }
    out.push_back(r);
  }
  return out;
}

}  // namespace test
