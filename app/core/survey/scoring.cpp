#include "core/survey/scoring.hpp"

#include <algorithm>

namespace eco {

bool knowledge_correct(const Question& item, const Answer& a) {
  std::vector<std::string> chosen;
  if (auto* c = std::get_if<Choice>(&a)) chosen = {c->option};
  else if (auto* s = std::get_if<ChoiceSet>(&a)) chosen = s->options;
  else return false;
  std::vector<std::string> want = item.correct;
  std::sort(chosen.begin(), chosen.end());
  std::sort(want.begin(), want.end());
  return !want.empty() && chosen == want;
}

QuizScore quiz_score(const Questionnaire& q, const Response& r) {
  QuizScore s;
  for (const auto& id : r.drawn) {
    const Question* item = q.find(id);
    if (!item) continue;
    ++s.drawn;
    if (const Answer* a = r.find(id); a && knowledge_correct(*item, *a)) ++s.correct;
  }
  return s;
}

}  // namespace eco
