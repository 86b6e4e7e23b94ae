#include "core/analysis/dashboard.hpp"

#include <cstdio>
#include <map>

namespace eco {

Status survey_status(const IndicatorResult& r) {
  if (!r.met) return Status::no_data;
  return *r.met ? Status::met : Status::not_met;
}

namespace {

std::string fmt(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  std::string s = buf;
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

DashboardRow row_for(const IndicatorDef& d, RecordQueries& admin, const IndicatorReport* survey, const std::string& lang,
                     const std::map<std::string, TaskStatus>& tasks) {
  DashboardRow row;
  row.def = &d;
  row.no_text = (d.hardest ? "★" : "") + std::to_string(d.no);
  for (const auto& l : d.lead) row.lead_text += (row.lead_text.empty() ? "" : "\n") + l;
  row.target_text = d.target;
  for (const auto& s : d.sub) row.target_text += (row.target_text.empty() ? "" : "\n") + s.name + ": " + s.target;
  for (const auto& t : d.tasks) {
    auto it = tasks.find(t.id);
    TaskStatus s = it == tasks.end() ? TaskStatus::not_started : it->second;
    if (s == TaskStatus::done) row.done_tasks++;
    else row.open_tasks++;
    if (s == TaskStatus::blocked) row.blocked_tasks++;
  }
  if (!d.sub.empty()) {
    bool any_not = false, any_open = false, all_met = true;
    for (const auto& s : d.sub) {
      row.sub.push_back(row_for(s, admin, survey, lang, tasks));
      const auto& sr = row.sub.back();
      row.updated_at = std::max(row.updated_at, sr.updated_at);
      all_met = all_met && sr.status == Status::met;
      any_not = any_not || sr.status == Status::not_met;
      any_open = any_open || sr.status == Status::to_judge;
      if (!row.value_text.empty()) row.value_text += " / ";
      row.value_text += sr.value_text.empty() ? "—" : sr.value_text;
    }
    // A parent is met only when every sub-indicator is.
    row.status = all_met ? Status::met : any_not ? Status::not_met : any_open ? Status::to_judge : Status::no_data;
    return row;
  }
  if (!d.rule.survey.empty()) {
    if (survey)
      for (const auto& r : survey->indicators)
        if (r.questionnaire == d.rule.survey) row.survey = &r;
    if (row.survey) {
      row.status = survey_status(*row.survey);
      if (row.survey->est.value) row.value_text = fmt(*row.survey->est.value) + "%";
      row.updated_at = survey->generated_at;
    }
    return row;
  }
  IndicatorRecord prev;
  row.latest = admin.latest(d.id, &prev);
  if (row.latest) {
    Observation last{row.latest->value, row.latest->state, row.latest->judged};
    Observation before{prev.value, prev.state, prev.judged};
    row.status = evaluate(d.rule, &last, prev.id ? &before : nullptr);
    row.updated_at = row.latest->recorded_at;
    if (row.latest->value) row.value_text = fmt(*row.latest->value) + (d.unit == "%" ? "%" : "");
    else if (!row.latest->state.empty()) row.value_text = row.latest->state;
    else if (row.latest->judged) row.value_text = lang == "en" ? (*row.latest->judged ? "meets" : "does not meet")
                                                               : (*row.latest->judged ? "符合要求" : "不符合要求");
  } else {
    row.status = evaluate(d.rule, nullptr, nullptr);
  }
  return row;
}

}  // namespace

Dashboard build_dashboard(const Catalog& c, RecordQueries& admin, const IndicatorReport* survey, const std::string& lang) {
  Dashboard out;
  std::map<std::string, TaskStatus> tasks;
  for (const auto& u : admin.task_states()) tasks[u.task] = u.status;
  for (const auto& d : c.indicators) {
    out.rows.push_back(row_for(d, admin, survey, lang, tasks));
    switch (out.rows.back().status) {
      case Status::met: out.met++; break;
      case Status::not_met:
        out.not_met++;
        if (d.binding.find("约束性") != std::string::npos) out.binding_not_met++;
        break;
      case Status::to_judge: out.to_judge++; break;
      case Status::no_data: out.no_data++; break;
    }
  }
  return out;
}

}  // namespace eco
