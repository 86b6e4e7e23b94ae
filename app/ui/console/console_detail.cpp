// One indicator: definition, target in words, status, value history with a small
// trend chart, the record form, and its tasks with their status and notes.
#include <imgui.h>
#include <imgui_stdlib.h>

#include <algorithm>
#include <cstdio>

#include "ui/console/console_view.hpp"
#include "ui/common/theme.hpp"

namespace eco::ui {

namespace {

void trend_chart(const ConsoleView& v, const std::vector<IndicatorRecord>& hist, double target) {
  std::vector<std::pair<std::string, double>> pts;
  for (const auto& r : hist)
    if (r.value) pts.emplace_back(r.as_of, *r.value);
  if (pts.size() < 2) return;
  ImVec2 p = ImGui::GetCursorScreenPos();
  ImVec2 sz(ImGui::GetContentRegionAvail().x, v.px(160));
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddRectFilled(p, ImVec2(p.x + sz.x, p.y + sz.y), color::card, 8);
  double lo = target, hi = target;
  for (const auto& [d, y] : pts) { lo = std::min(lo, y); hi = std::max(hi, y); }
  double span = std::max(1e-9, hi - lo);
  lo -= span * 0.15;
  hi += span * 0.15;
  float padx = v.px(70), pady = v.px(14);
  auto X = [&](std::size_t i) { return p.x + padx + (sz.x - 2 * padx) * static_cast<float>(i) / static_cast<float>(pts.size() - 1); };
  auto Y = [&](double y) { return p.y + sz.y - pady - static_cast<float>((y - lo) / (hi - lo)) * (sz.y - 2 * pady); };
  // The target as a dashed line, so "above" and "below" read at a glance.
  for (float x = p.x + padx; x < p.x + sz.x - padx; x += 16)
    dl->AddLine(ImVec2(x, Y(target)), ImVec2(x + 8, Y(target)), color::error, 2);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", target);
  dl->AddText(ImVec2(p.x + 6, Y(target) - ImGui::GetTextLineHeight() / 2), color::error, buf);
  for (std::size_t i = 1; i < pts.size(); ++i)
    dl->AddLine(ImVec2(X(i - 1), Y(pts[i - 1].second)), ImVec2(X(i), Y(pts[i].second)), color::primary, 3);
  for (std::size_t i = 0; i < pts.size(); ++i) {
    dl->AddCircleFilled(ImVec2(X(i), Y(pts[i].second)), 5, color::primary);
    std::snprintf(buf, sizeof buf, "%g", pts[i].second);
    dl->AddText(ImVec2(X(i) + 6, Y(pts[i].second) - ImGui::GetTextLineHeight()), color::text, buf);
  }
  ImGui::Dummy(sz);
}

// Domain, binding, lead departments, target, rule and the current status.
void indicator_facts(ConsoleView& v, const DashboardRow* row, const IndicatorDef& d) {
  ImGui::TextWrapped("%s: %s    %s: %s", v.t(T("console.domain")).c_str(), d.domain.c_str(),
                     v.t(T("console.col.binding")).c_str(), d.binding.empty() ? "—" : d.binding.c_str());
  std::string leads;
  for (const auto& l : d.lead) leads += (leads.empty() ? "" : "、") + l;
  ImGui::TextWrapped("%s: %s", v.t(T("console.col.lead")).c_str(), leads.c_str());
  if (!d.target.empty()) ImGui::TextWrapped("%s: %s", v.t(T("console.col.target")).c_str(), d.target.c_str());
  ImGui::TextWrapped("%s: %s", v.t(T("console.rule")).c_str(), rule_text(d.rule, d.unit, v.lang).c_str());
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted(v.t(T("console.col.status")).c_str());
  ImGui::SameLine();
  status_badge(v, row->status);
  ImGui::SameLine();
  ImGui::TextUnformatted(row->value_text.empty() ? "—" : row->value_text.c_str());
}

// A survey indicator: the live estimate with its interval, and how many were excluded.
void survey_estimate(ConsoleView& v, const DashboardRow* row) {
  const auto& e = row->survey->est;
  ImGui::Separator();
  ImGui::TextWrapped("%s", v.t(T("console.survey_live")).c_str());
  if (e.value && e.ci)
    ImGui::Text("%.1f%%  95%%: [%.1f, %.1f]  n=%lld  ±%.1f", *e.value, e.ci->lo, e.ci->hi, static_cast<long long>(e.n), e.moe);
  else if (e.value)  // one respondent: no interval can be given
    ImGui::Text("%.1f%%  95%%: —  n=%lld", *e.value, static_cast<long long>(e.n));
  else
    ImGui::TextUnformatted(v.t(T("console.status.no_data")).c_str());
  ImGui::TextWrapped("%s", v.tf(T("console.survey_excluded"), {{"arg", std::to_string(row->survey->excluded.total)}}).c_str());
}

// A kiosk that reports to the center records nothing itself: where to record instead.
void at_center_notice(ConsoleView& v) {
  ImGui::PushStyleColor(ImGuiCol_Text, color::muted);
  ImGui::TextWrapped("%s", v.t(T("console.records_at_center")).c_str());
  ImGui::PopStyleColor();
}

// The form for a new record: date, value / state / verdict, source, evidence, who.
ConsoleIntent record_form(ConsoleView& v, const IndicatorDef& d) {
  ConsoleIntent out;
  ConsoleModel& m = v.model;
  ImGui::Separator();
  if (m.records_at_center()) {
    at_center_notice(v);
    return out;
  }
  ImGui::TextUnformatted(v.t(T("console.record_new")).c_str());
  RecordForm& f = m.form;
  if (f.as_of.empty()) f.as_of = m.today();
  float field = v.px(360);
  ImGui::SetNextItemWidth(field);
  ImGui::InputText((v.t(T("console.as_of")) + "###asof").c_str(), &f.as_of);
  switch (d.rule.kind) {
    case Rule::Kind::at_least:
      ImGui::SetNextItemWidth(field);
      ImGui::InputText((v.t(T("console.value")) + (d.unit.empty() ? "" : " (" + d.unit + ")") + "###value").c_str(), &f.value,
                       ImGuiInputTextFlags_CharsDecimal);
      break;
    case Rule::Kind::state:
      for (std::size_t i = 0; i < d.rule.states.size(); ++i) {
        if (i) ImGui::SameLine();
        std::string id = "state" + std::to_string(i);
        if (chip(d.rule.states[i], id.c_str(), f.state == d.rule.states[i])) f.state = d.rule.states[i];
      }
      break;
    case Rule::Kind::judged:
      if (chip(v.t(T("console.judged_met")), "judged1", f.judged == 1)) f.judged = 1;
      ImGui::SameLine();
      if (chip(v.t(T("console.judged_not_met")), "judged0", f.judged == 0)) f.judged = 0;
      break;
    case Rule::Kind::all_sub: break;
  }
  ImGui::SetNextItemWidth(-1);
  ImGui::InputTextWithHint("###source", v.t(T("console.source")).c_str(), &f.source);
  ImGui::TextUnformatted(v.t(T("console.evidence")).c_str());
  ImGui::SameLine();
  touch_input_button(v, "evidence", out);
  ImGui::InputTextMultiline((v.t(T("console.evidence")) + "###evidence").c_str(), &f.evidence, ImVec2(-1, v.px(70)));
  ImGui::SetNextItemWidth(field);
  ImGui::InputTextWithHint("###name", v.t(T("console.your_name")).c_str(), &m.user_name);
  ImGui::SameLine();
  if (cbutton(v.t(T("console.record")), "record")) out = console_intent::RecordValue{d.id};
  return out;
}

// The indicator's append-only history, newest first, with its trend for "at least" rules.
void record_history(ConsoleView& v, const IndicatorDef& d, int offset) {
  ConsoleModel& m = v.model;
  const auto& hist = m.selected_history();
  // The record form first (always in view), then the append-only history.
  ImGui::Separator();
  ImGui::TextUnformatted(v.t(T("console.history")).c_str());
  if (d.rule.kind == Rule::Kind::at_least) trend_chart(v, hist, d.rule.value);
  if (ImGui::BeginTable("##hist", 5, ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY | ImGuiTableFlags_SizingStretchProp,
                        ImVec2(0, std::max(v.px(120), ImGui::GetContentRegionAvail().y)))) {
    ImGui::TableSetupColumn(v.t(T("console.as_of")).c_str());
    ImGui::TableSetupColumn(v.t(T("console.col.value")).c_str());
    ImGui::TableSetupColumn(v.t(T("console.source")).c_str(), 0, 2);
    ImGui::TableSetupColumn(v.t(T("console.evidence")).c_str(), 0, 2);
    ImGui::TableSetupColumn(v.t(T("console.recorded_by")).c_str(), 0, 1.5f);
    ImGui::TableHeadersRow();
    for (auto it = hist.rbegin(); it != hist.rend(); ++it) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(it->as_of.c_str());
      ImGui::TableNextColumn();
      if (it->value) ImGui::Text("%g", *it->value);
      else if (!it->state.empty()) ImGui::TextUnformatted(it->state.c_str());
      else ImGui::TextUnformatted(v.t(*it->judged ? T("console.judged_met") : T("console.judged_not_met")).c_str());
      ImGui::TableNextColumn();
      ImGui::TextWrapped("%s", it->source.c_str());
      ImGui::TableNextColumn();
      ImGui::TextWrapped("%s", it->evidence.c_str());
      ImGui::TableNextColumn();
      ImGui::TextWrapped("%s %s", it->recorded_by.c_str(), fmt_time(it->recorded_at, offset).c_str());
    }
    ImGui::EndTable();
  }
}

// The key tasks of the indicator (or of the one it shares them with), each with its status chips.
ConsoleIntent task_list(ConsoleView& v, const IndicatorDef& d, int offset) {
  ConsoleIntent out;
  ConsoleModel& m = v.model;
  const IndicatorDef* owner = &d;
  if (d.id.find('.') != std::string::npos) owner = m.catalog().find(d.id.substr(0, d.id.find('.')));
  if (owner && owner->tasks_shared_with) owner = m.catalog().find(std::to_string(owner->tasks_shared_with));
  ImGui::TextUnformatted(v.tf(T("console.tasks_of"), {{"arg", owner ? owner->id : d.id}}).c_str());
  const bool editable = !m.records_at_center();
  if (editable) {
    ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x * 0.5f);
    ImGui::InputTextWithHint("###tasknote", v.t(T("console.task_note")).c_str(), &m.task_form.note);
    ImGui::SameLine();
    touch_input_button(v, "task_note", out);
    ImGui::SameLine();
    ImGui::SetNextItemWidth(-1);
    ImGui::InputTextWithHint("###name2", v.t(T("console.your_name")).c_str(), &m.user_name);
  } else {
    at_center_notice(v);
  }
  if (owner)
    for (const auto& t : owner->tasks) {
      ImGui::PushID(t.id.c_str());
      ImGui::Separator();
      ImGui::TextWrapped("%s  %s", t.id.c_str(), t.key_task.c_str());
      ImGui::PushStyleColor(ImGuiCol_Text, color::muted);
      ImGui::TextWrapped("%s", t.task.c_str());
      ImGui::TextWrapped("%s: %s   %s: %s", v.t(T("console.responsible")).c_str(), t.responsible.c_str(),
                         v.t(T("console.cooperating")).c_str(), t.cooperating.empty() ? "—" : t.cooperating.c_str());
      ImGui::PopStyleColor();
      TaskStatus cur = m.task_status(t.id);
      if (const TaskUpdate* last = m.task_update(t.id); last && !last->note.empty())
        ImGui::TextWrapped("%s: %s (%s %s)", v.t(T("console.task_note_last")).c_str(), last->note.c_str(),
                           last->recorded_by.c_str(), fmt_time(last->recorded_at, offset).c_str());
      if (!editable) {  // read only here: the status as this kiosk last knew it
        ImGui::TextUnformatted(v.t(T("console.task.") + std::string(task_status_code(cur))).c_str());
        ImGui::PopID();
        continue;
      }
      for (auto s : {TaskStatus::not_started, TaskStatus::in_progress, TaskStatus::done, TaskStatus::blocked}) {
        std::string code = task_status_code(s);
        std::string id = t.id + ":" + code;
        if (chip(v.t(T("console.task.") + code), id.c_str(), cur == s)) out = console_intent::SetTask{t.id, s};
        ImGui::SameLine();
      }
      ImGui::NewLine();
      ImGui::PopID();
    }
  return out;
}

}  // namespace

ConsoleIntent draw_console_detail(ConsoleView& v) {
  ConsoleIntent out;
  ConsoleModel& m = v.model;
  const DashboardRow* row = m.selected();
  if (!row) return out;
  const IndicatorDef& d = *row->def;
  const int offset = m.config().utc_offset_minutes;
  if (cbutton("← " + v.t(T("console.back")), "back")) out = console_intent::ShowPage{ConsolePage::overview};
  ImGui::SameLine();
  ImGui::PushFont(v.heading);
  ImGui::Text("%s%s  %s", d.hardest ? "★" : "", d.id.c_str(), d.name.c_str());
  ImGui::PopFont();

  float left_w = ImGui::GetContentRegionAvail().x * 0.48f;
  ImGui::BeginChild("##left", ImVec2(left_w, 0));
  indicator_facts(v, row, d);
  if (!d.sub.empty()) {
    ImGui::Separator();
    ImGui::TextUnformatted(v.t(T("console.sub_indicators")).c_str());
    for (const auto& s : row->sub) {
      if (cbutton(s.def->id + " " + s.def->name + " (" + s.def->target + ")", s.def->id.c_str()))
        out = console_intent::OpenIndicator{s.def->id};
      ImGui::SameLine();
      status_badge(v, s.status);
    }
  } else if (row->survey) {
    survey_estimate(v, row);
  } else {
    if (ConsoleIntent in = record_form(v, d); !none(in)) out = std::move(in);
    record_history(v, d, offset);
  }
  ImGui::EndChild();

  ImGui::SameLine();
  ImGui::BeginChild("##tasks", ImVec2(0, 0));
  if (ConsoleIntent in = task_list(v, d, offset); !none(in)) out = std::move(in);
  ImGui::EndChild();
  return out;
}

}  // namespace eco::ui
