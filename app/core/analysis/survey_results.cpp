#include "core/analysis/survey_results.hpp"

#include <algorithm>
#include <map>

#include "core/survey/metrics.hpp"

namespace eco {

SurveyResults compute_survey_results(Store& store, const QuestionnaireSet& set, const ResponseFilter& f,
                                     int utc_offset_minutes, const std::atomic<bool>* cancel) {
  SurveyResults out;
  auto stop = [&] { return cancel && cancel->load(); };
  std::string where = " WHERE 1";
  if (f.from) where += " AND r.completed_at >= " + std::to_string(*f.from);
  if (f.to) where += " AND r.completed_at < " + std::to_string(*f.to);
  if (!f.kiosk.empty()) where += " AND r.kiosk = :k";
  auto bind_kiosk = [&](Stmt& s) {
    if (!f.kiosk.empty()) s.bind(1, f.kiosk);
  };
  std::map<std::string, QuestionnaireResults> by_q;
  for (const auto& q : set.list) by_q[q.id].id = q.id;

  // Per day, on the district's clock.
  {
    std::string off = std::to_string(utc_offset_minutes * 60);
    Stmt s(store.db(), "SELECT r.questionnaire, date(r.completed_at / 1000 + " + off +
                           ", 'unixepoch'), count(*) FROM responses r" + where + " GROUP BY 1, 2 ORDER BY 1, 2");
    bind_kiosk(s);
    while (s.step()) {
      auto& qr = by_q[std::string(s.text(0))];
      qr.id = s.text(0);
      qr.per_day.push_back({std::string(s.text(1)), s.i64(2)});
      qr.completed += s.i64(2);
    }
  }
  if (stop()) { out.cancelled = true; return out; }
  // Flagged (stored flags; the speed flag needs the threshold and is in the indicators).
  {
    std::string w = where;
    Stmt s(store.db(), "SELECT r.questionnaire, count(*) FROM response_metrics m JOIN responses r ON r.id = m.response" +
                           w + " AND m.flags != 0 GROUP BY 1");
    bind_kiosk(s);
    while (s.step()) by_q[std::string(s.text(0))].flagged = s.i64(1);
  }
  // Abandoned sessions and where.
  {
    std::string w = " WHERE 1";
    if (f.from) w += " AND abandoned_at >= " + std::to_string(*f.from);
    if (f.to) w += " AND abandoned_at < " + std::to_string(*f.to);
    if (!f.kiosk.empty()) w += " AND kiosk = :k";
    Stmt s(store.db(), "SELECT questionnaire, last_question, count(*) FROM abandoned" + w + " GROUP BY 1, 2");
    bind_kiosk(s);
    while (s.step()) {
      auto& qr = by_q[std::string(s.text(0))];
      qr.abandoned += s.i64(2);
      qr.abandoned_at.emplace_back(std::string(s.text(1)), s.i64(2));
    }
  }
  if (stop()) { out.cancelled = true; return out; }
  // Answer distributions: one grouped pass over the answers.
  std::map<std::pair<std::string, std::string>, std::map<std::string, std::pair<std::int64_t, std::int64_t>>> dist;
  std::map<std::pair<std::string, std::string>, std::int64_t> answered;
  {
    // From the hourly counts kept at save time (schema 5). Date filters fall on hour
    // boundaries, exact for the district's whole-hour offset.
    std::string w = " WHERE 1";
    if (f.from) w += " AND hour >= " + std::to_string(*f.from / 3600000);
    if (f.to) w += " AND hour < " + std::to_string((*f.to + 3599999) / 3600000);
    if (!f.kiosk.empty()) w += " AND kiosk = :k";
    Stmt s(store.db(), "SELECT questionnaire, question, kind, item, sum(n), sum(total) FROM answer_counts" + w +
                           " GROUP BY 1, 2, 3, 4");
    bind_kiosk(s);
    while (s.step()) {
      auto key = std::make_pair(std::string(s.text(0)), std::string(s.text(1)));
      int kind = static_cast<int>(s.i64(2));
      if (kind == 0) {
        answered[key] += s.i64(4);
        continue;
      }
      auto& cell = dist[key][std::string(s.text(3))];
      cell.first += kind == 4 ? s.i64(5) : s.i64(4);  // count matrix: trips, else respondents
      if (kind == 3) cell.second += s.i64(5);          // integer: sum, for the mean
    }
  }
  if (stop()) { out.cancelled = true; return out; }
  for (const auto& q : set.list) {
    auto& qr = by_q[q.id];
    std::sort(qr.abandoned_at.begin(), qr.abandoned_at.end(),
              [](const auto& a, const auto& b) { return a.second > b.second; });
    for (const auto& qu : q.questions) {
      QuestionDist d;
      d.question = qu.id;
      auto key = std::make_pair(q.id, qu.id);
      auto it = dist.find(key);
      d.answered = answered.count(key) ? answered[key] : 0;
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
      qr.questions.push_back(std::move(d));
    }
    out.questionnaires.push_back(std::move(qr));
  }
  return out;
}

}  // namespace eco
