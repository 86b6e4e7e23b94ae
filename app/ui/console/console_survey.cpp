// Survey results: per questionnaire, the indicator with its interval, responses per
// day, items worst first, the mode split, the completion funnel and every question's
// distribution. Numbers beside every bar. Figures come from the worker thread.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "ui/console/console_view.hpp"
#include "ui/common/theme.hpp"

namespace eco::ui {

namespace {

std::string pct(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.1f%%", v);
  return b;
}

void day_chart(const ConsoleView& v, const std::vector<DayCount>& days) {
  if (days.empty()) return;
  std::size_t first = days.size() > 90 ? days.size() - 90 : 0;  // the last 90 days with responses
  std::int64_t max = 1;
  for (std::size_t i = first; i < days.size(); ++i) max = std::max(max, days[i].n);
  ImVec2 p = ImGui::GetCursorScreenPos();
  ImVec2 sz(ImGui::GetContentRegionAvail().x, v.px(140));
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddRectFilled(p, ImVec2(p.x + sz.x, p.y + sz.y), color::card, 8);
  float n = static_cast<float>(days.size() - first);
  float bw = (sz.x - v.px(20)) / n;
  float h = ImGui::GetTextLineHeight();
  for (std::size_t i = first; i < days.size(); ++i) {
    float x = p.x + v.px(10) + bw * static_cast<float>(i - first);
    float bh = (sz.y - 2 * h) * static_cast<float>(days[i].n) / static_cast<float>(max);
    dl->AddRectFilled(ImVec2(x + 1, p.y + sz.y - h - bh), ImVec2(x + std::max(2.f, bw - 1), p.y + sz.y - h), color::primary);
  }
  const std::string& top = v.tf(T("console.per_day_max"), {{"arg", std::to_string(max)}});  // kept: no copy
  dl->AddText(ImVec2(p.x + v.px(10), p.y + 4), color::muted, top.c_str());
  dl->AddText(ImVec2(p.x + v.px(10), p.y + sz.y - h), color::muted, days[first].day.c_str());
  ImVec2 ts = ImGui::CalcTextSize(days.back().day.c_str());
  dl->AddText(ImVec2(p.x + sz.x - ts.x - v.px(10), p.y + sz.y - h), color::muted, days.back().day.c_str());
  ImGui::Dummy(sz);
}

// The questionnaire chips, and Refresh (or the progress of the figures and Cancel).
ConsoleIntent survey_header(ConsoleView& v) {
  ConsoleIntent out;
  ConsoleModel& m = v.model;
  // The keys whole, not built each frame (a frame of an idle page allocates nothing).
  static constexpr std::pair<const char*, const char*> kChips[] = {{"knowledge", T("console.q.knowledge")},
                                                                   {"satisfaction", T("console.q.satisfaction")},
                                                                   {"green-travel", T("console.q.green-travel")}};
  for (const auto& [id, key] : kChips) {
    if (chip(v.t(key), id, m.survey_selected == id)) out = console_intent::SelectQuestionnaire{id};
    ImGui::SameLine();
  }
  if (m.computing()) {
    // Indeterminate: a band that sweeps while the worker runs (the loop wakes every 250 ms).
    float phase = static_cast<float>(std::fmod(m.computing_seconds() / 3.0, 1.0));
    ImGui::ProgressBar(phase, ImVec2(v.px(240), 0),
                       v.tf(T("console.computing"), {{"arg", std::to_string(static_cast<int>(m.computing_seconds()))}}).c_str());
    ImGui::SameLine();
    if (cbutton(v.t(T("console.cancel")), "cancel")) out = console_intent::Cancel{};
  } else if (cbutton(v.t(T("console.refresh")), "refresh")) {
    out = console_intent::Refresh{};
  }
  return out;
}

// Started, completed, abandoned and flagged; the indicator with its interval.
void funnel_and_estimate(ConsoleView& v, const QuestionnaireResults* qr, const IndicatorResult* ind) {
  std::int64_t started = qr->completed + qr->abandoned;
  ImGui::TextUnformatted(v.tf(T("console.funnel"), {{"started", std::to_string(started)},
                                                  {"completed", std::to_string(qr->completed)},
                                                  {"abandoned", std::to_string(qr->abandoned)},
                                                  {"rate", started ? pct(100.0 * qr->completed / started) : "—"},
                                                  {"flagged", std::to_string(ind ? ind->excluded.total : qr->flagged)}})
                             .c_str());
  if (ind) {
    ImGui::PushFont(v.heading);
    if (ind->est.value && !ind->est.ci)  // one respondent: no interval can be given
      ImGui::Text("%d  %s  %.1f%%  [—]  n=%lld  (%s %g)", ind->no, v.t(T("report.name.") + std::to_string(ind->no)).c_str(),
                  *ind->est.value, static_cast<long long>(ind->est.n), v.t(T("console.col.target")).c_str(), ind->target);
    else if (ind->est.value)
      ImGui::Text("%d  %s  %.1f%%  [%.1f, %.1f]  n=%lld  (%s %g)", ind->no, v.t(T("report.name.") + std::to_string(ind->no)).c_str(),
                  *ind->est.value, ind->est.ci->lo, ind->est.ci->hi, static_cast<long long>(ind->est.n),
                  v.t(T("console.col.target")).c_str(), ind->target);
    else
      ImGui::Text("%d  %s  %s", ind->no, v.t(T("report.name.") + std::to_string(ind->no)).c_str(), v.t(T("console.status.no_data")).c_str());
    ImGui::PopFont();
  }
}

// Per item (knowledge, satisfaction), per mode (green travel), and where residents left.
void item_bars(ConsoleView& v, const QuestionnaireResults* qr, const IndicatorResult* ind, float label_w, float bar_w) {
  ConsoleModel& m = v.model;
  if (ind && !ind->items.empty()) {
    ImGui::Separator();
    ImGui::TextUnformatted(v.t(ind->method == ScoringMethod::knowledge ? T("report.items_knowledge") : T("report.items_satisfaction")).c_str());
    for (const auto& it : ind->items) {
      const std::string& label = m.question_text(m.survey_selected, it.item, v.lang);
      hbar(label, it.pct, 100, pct(it.pct) + "  n=" + std::to_string(it.n), label_w, bar_w,
           it.pct < 60 ? color::error : color::primary);
    }
  }
  if (ind && !ind->modes.empty()) {
    ImGui::Separator();
    ImGui::TextUnformatted(v.t(T("report.modes")).c_str());
    for (const auto& md : ind->modes)
      hbar(m.option_text(m.survey_selected, "trips", md.mode, v.lang), md.pct, 100,
           pct(md.pct) + "  " + std::to_string(md.trips), label_w, bar_w, color::primary);
  }
  if (!qr->abandoned_at.empty()) {
    ImGui::Separator();
    ImGui::TextUnformatted(v.t(T("console.abandoned_at")).c_str());
    std::int64_t mx = qr->abandoned_at.front().second;
    for (const auto& [qid, n] : qr->abandoned_at)
      hbar(m.question_text(m.survey_selected, qid, v.lang), static_cast<double>(n), static_cast<double>(mx),
           std::to_string(n), label_w, bar_w, color::error);
  }
}

// Each question's answers as bars.
void distributions(ConsoleView& v, const QuestionnaireResults* qr, float label_w, float bar_w) {
  ConsoleModel& m = v.model;
  ImGui::Separator();
  ImGui::TextUnformatted(v.t(T("console.distributions")).c_str());
  for (const auto& d : qr->questions) {
    if (d.counts.empty() && d.mean == 0) continue;
    ImGui::PushFont(v.heading);
    ImGui::TextWrapped("%s", m.question_text(m.survey_selected, d.question, v.lang).c_str());
    ImGui::PopFont();
    std::int64_t mx = 1;
    for (const auto& c : d.counts) mx = std::max(mx, c.n);
    if (d.mean > 0) ImGui::Text("%s %.1f", v.t(T("console.mean")).c_str(), d.mean);
    for (const auto& c : d.counts) {
      double share = d.answered ? 100.0 * static_cast<double>(c.n) / static_cast<double>(d.answered) : 0;
      hbar(m.option_text(m.survey_selected, d.question, c.option, v.lang), static_cast<double>(c.n), static_cast<double>(mx),
           std::to_string(c.n) + "  (" + pct(share) + ")", label_w, bar_w, color::primary);
    }
  }
}

}  // namespace

ConsoleIntent draw_console_survey(ConsoleView& v) {
  ConsoleModel& m = v.model;
  ConsoleIntent out = survey_header(v);
  const SurveyResults* res = m.results();
  const IndicatorReport* rep = m.report();
  if (!res || !rep) {
    ImGui::TextUnformatted(v.t(T("console.no_results_yet")).c_str());
    return out;
  }
  const QuestionnaireResults* qr = nullptr;
  for (const auto& q : res->questionnaires)
    if (q.id == m.survey_selected) qr = &q;
  const IndicatorResult* ind = nullptr;
  for (const auto& i : rep->indicators)
    if (i.questionnaire == m.survey_selected) ind = &i;
  if (!qr) return out;

  ImGui::BeginChild("##survey", ImVec2(0, 0));
  funnel_and_estimate(v, qr, ind);
  ImGui::TextUnformatted(v.t(T("console.per_day")).c_str());
  day_chart(v, qr->per_day);
  float label_w = ImGui::GetContentRegionAvail().x * 0.42f, bar_w = ImGui::GetContentRegionAvail().x * 0.35f;
  item_bars(v, qr, ind, label_w, bar_w);
  distributions(v, qr, label_w, bar_w);
  ImGui::EndChild();
  return out;
}

}  // namespace eco::ui
