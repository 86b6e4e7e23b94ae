// Per-response scoring shared by the kiosk's quiz feedback and the indicators.
#pragma once
#include "core/survey/questionnaire.hpp"
#include "core/survey/response.hpp"

namespace eco {

// A knowledge item is correct only when the chosen set equals the correct set.
bool knowledge_correct(const Question& item, const Answer& a);

struct QuizScore {
  int correct = 0;
  int drawn = 0;
};
QuizScore quiz_score(const Questionnaire& q, const Response& r);

}  // namespace eco
