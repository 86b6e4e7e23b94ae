// What the public said, questionnaire by questionnaire, for the console's survey
// page and the reports: responses per day, every question's distribution, and the
// completion funnel (where people walked away).
#pragma once
#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "core/survey/questionnaire_loader.hpp"
#include "core/storage/response_queries.hpp"

namespace eco {

struct OptionCount {
  std::string option;  // option id, count-matrix row, or "" for integer/text answers
  std::int64_t n = 0;  // respondents choosing it (count matrix: trips)
};
struct QuestionDist {
  std::string question;
  std::int64_t answered = 0;  // respondents who answered it
  std::vector<OptionCount> counts;  // in the questionnaire's option order
  double mean = 0;            // integer questions
};
struct DayCount {
  std::string day;  // YYYY-MM-DD on the district's clock
  std::int64_t n = 0;
};
struct QuestionnaireResults {
  std::string id;
  std::int64_t completed = 0, abandoned = 0, flagged = 0;
  std::vector<DayCount> per_day;
  std::vector<QuestionDist> questions;                          // fixed questions in order
  std::vector<std::pair<std::string, std::int64_t>> abandoned_at;  // last question reached, most first
};
struct SurveyResults {
  std::vector<QuestionnaireResults> questionnaires;
  bool cancelled = false;
};

// `cancel` is polled between queries and interrupts a long one.
SurveyResults compute_survey_results(ResponseQueries& store, const QuestionnaireSet& set, const ResponseFilter& f,
                                     int utc_offset_minutes, const std::atomic<bool>* cancel = nullptr);

}  // namespace eco
