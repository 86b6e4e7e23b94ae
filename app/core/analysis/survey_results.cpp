#include "core/analysis/survey_results.hpp"

#include <algorithm>
#include <map>

#include "core/survey/metrics.hpp"

namespace eco {

namespace {

using QuestionKey = std::pair<std::string, std::string>;  // questionnaire, question
// Per question: option -> (respondents, or trips for a count row; sum of integer answers).
using Distributions = std::map<QuestionKey, std::map<std::string, std::pair<std::int64_t, std::int64_t>>>;

void add_answer_counts(const std::vector<AnswerCountRow>& rows, Distributions& dist,
                       std::map<QuestionKey, std::int64_t>& answered) {
  for (const auto& r : rows) {
    auto key = std::make_pair(r.questionnaire, r.question);
    if (r.kind == AnswerAtom::respondents) {
      answered[key] += r.n;
      continue;
    }
    auto& cell = dist[key][r.item];
    cell.first += r.kind == AnswerAtom::count_row ? r.total : r.n;  // count matrix: trips, else respondents
    if (r.kind == AnswerAtom::integer) cell.second += r.total;      // integer: sum, for the mean
  }
}

QuestionDist question_dist(const Questionnaire& q, const Question& qu, const Distributions& dist,
                           const std::map<QuestionKey, std::int64_t>& answered) {
  QuestionDist d;
  d.question = qu.id;
  auto key = std::make_pair(q.id, qu.id);
  auto it = dist.find(key);
  if (auto a = answered.find(key); a != answered.end()) d.answered = a->second;
  const auto& opts = qu.type == QuestionType::count_matrix ? qu.rows : qu.options;
  for (const auto& o : opts) {
    std::int64_t n = 0;
    if (it != dist.end())
      if (auto c = it->second.find(o.id); c != it->second.end()) n = c->second.first;
    d.counts.push_back({o.id, n});
  }
  if (qu.type == QuestionType::integer && it != dist.end())
    if (auto c = it->second.find(""); c != it->second.end() && c->second.first > 0)
      d.mean = static_cast<double>(c->second.second) / static_cast<double>(c->second.first);
  return d;
}

}  // namespace

SurveyResults compute_survey_results(ResponseQueries& store, const QuestionnaireSet& set, const ResponseFilter& f,
                                     int utc_offset_minutes, const std::atomic<bool>* cancel) {
  SurveyResults out;
  auto stop = [&] { return cancel && cancel->load(); };
  // A long query stops as soon as the flag is set, not only between queries.
  CancelScope interruptible(store, cancel);
  std::map<std::string, QuestionnaireResults> by_q;
  for (const auto& q : set.list) by_q[q.id].id = q.id;
  Distributions dist;
  std::map<QuestionKey, std::int64_t> answered;
  bool stopped = false;
  try {
    // One view of the responses (ResponseQueries::read_consistently): a response saved
    // meanwhile is in none of these figures or in all of them, so a question is never
    // answered by more people than completed the questionnaire.
    store.read_consistently([&] {
      for (const auto& d : store.responses_per_day(f, utc_offset_minutes)) {  // on the district's clock
        auto& qr = by_q[d.questionnaire];
        qr.id = d.questionnaire;
        qr.per_day.push_back({d.day, d.n});
        qr.completed += d.n;
      }
      if ((stopped = stop())) return;
      // Flagged (stored flags; the speed flag needs the threshold and is in the indicators).
      for (const auto& c : store.flagged_per_questionnaire(f)) by_q[c.questionnaire].flagged = c.n;
      for (const auto& a : store.abandoned_at(f)) {  // abandoned sessions and where
        auto& qr = by_q[a.questionnaire];
        qr.abandoned += a.n;
        qr.abandoned_at.emplace_back(a.last_question, a.n);
      }
      if ((stopped = stop())) return;
      add_answer_counts(store.answer_counts(f), dist, answered);  // from the hourly counts kept at save time
    });
  } catch (const QueryCancelled&) {
    stopped = true;
  }
  if (stopped || stop()) {
    out.cancelled = true;
    return out;
  }
  for (const auto& q : set.list) {
    // Once a questionnaire, with its newest version's questions: a set may hold older ones.
    if (set.find(q.id) != &q) continue;
    auto& qr = by_q[q.id];
    std::sort(qr.abandoned_at.begin(), qr.abandoned_at.end(),
              [](const auto& a, const auto& b) { return a.second > b.second; });
    for (const auto& qu : q.questions) qr.questions.push_back(question_dist(q, qu, dist, answered));
    out.questionnaires.push_back(std::move(qr));
  }
  return out;
}

}  // namespace eco
