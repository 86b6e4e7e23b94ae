// Every question's distribution counted from the responses themselves as they pass
// (question_tally.cpp). The console's survey results sum the hourly counts kept at save
// time instead (survey_results.hpp); the xlsx export's per-question sheets are counted
// this way during the pass it makes over the responses anyway, so they count exactly
// the responses of its responses sheets, flagged ones left out unless asked (issue 20:
// reading the hourly counts was a fifth of a second after the pass).
#pragma once
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/analysis/survey_results.hpp"
#include "core/survey/questionnaire.hpp"
#include "core/survey/response.hpp"

namespace eco {

class QuestionTally {
 public:
  explicit QuestionTally(const Questionnaire& q);  // q outlives the tally
  // A response of q's questionnaire (of any version: answers to questions or options
  // this version lacks are left out, as the survey results leave them out).
  void add(const Response& r);
  // What compute_survey_results gives as QuestionnaireResults::questions for the same
  // responses: the fixed questions in order.
  std::vector<QuestionDist> results() const;

 private:
  struct PerQuestion {
    std::int64_t answered = 0;
    std::vector<std::int64_t> n;  // per option (count matrix: trips per row)
    std::int64_t values = 0, sum = 0;  // integer answers
  };
  const Questionnaire* q_;
  std::unordered_map<std::string, std::size_t> index_;  // question id -> position
  std::vector<PerQuestion> per_;
  std::size_t next_ = 0;  // answers come in the order asked: the next one is tried first
};

}  // namespace eco
