// Overview: all 40 indicators in one table grouped by domain, with a summary line,
// filters (domain, status, department, ★), a search box and sorting.
#include <imgui.h>
#include <imgui_stdlib.h>

#include <cstdio>
#include <set>

#include "ui/console/console_view.hpp"
#include "ui/common/theme.hpp"
#include "ui/resident/view.hpp"

namespace eco::ui {

namespace {

// How many indicators are met, not met, binding and not met, to judge, without data.
void summary_line(ConsoleView& v) {
  ConsoleModel& m = v.model;
  const Dashboard& d = m.dashboard();
  ImGui::TextUnformatted(v.tf(T("console.summary"), {{"met", std::to_string(d.met)},
                                                  {"not_met", std::to_string(d.not_met)},
                                                  {"binding", std::to_string(d.binding_not_met)},
                                                  {"judge", std::to_string(d.to_judge)},
                                                  {"none", std::to_string(d.no_data)}})
                             .c_str());
  if (m.computing()) {
    ImGui::SameLine();
    ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(color::muted), "%s",
                       v.tf(T("console.computing"), {{"arg", std::to_string(static_cast<int>(m.computing_seconds()))}}).c_str());
  }

}

// Domain, status and department filters, ★ only, the search box and the sort order.
ConsoleIntent filters(ConsoleView& v) {
  ConsoleIntent out;
  ConsoleModel& m = v.model;
  if (chip(v.t(T("console.all")), "dom_all", m.filter_domain.empty())) out = console_intent::FilterDomain{""};
  for (std::size_t i = 0; i < m.catalog().domains.size(); ++i) {
    ImGui::SameLine();
    const std::string& dom = m.catalog().domains[i];
    char id[24];
    std::snprintf(id, sizeof id, "dom%zu", i);
    if (chip(dom, id, m.filter_domain == dom)) out = console_intent::FilterDomain{dom};
  }
  ImGui::SameLine(0, v.px(30));
  if (chip(kept_format("★ {h}", {{"h", v.t(T("console.hardest"))}}), "star", m.star_only)) out = console_intent::ToggleStar{};

  if (chip(v.t(T("console.all_status")), "st_all", m.filter_status.empty())) out = console_intent::FilterStatus{""};
  for (const char* s : {"met", "not_met", "to_judge", "no_data"}) {
    ImGui::SameLine();
    char id[24], key[48];
    std::snprintf(id, sizeof id, "st_%s", s);
    std::snprintf(key, sizeof key, "%s%s", T("console.status."), s);
    if (chip(v.t(key), id, m.filter_status == s))
      out = console_intent::FilterStatus{s};
  }
  ImGui::SameLine(0, v.px(30));
  ImGui::SetNextItemWidth(v.px(300));
  const std::string& dept_label = m.filter_dept.empty() ? v.t(T("console.all_departments")) : m.filter_dept;
  if (ImGui::BeginCombo(kept_format("{l}###dept", {{"l", v.t(T("console.department"))}}).c_str(), dept_label.c_str())) {
    if (ImGui::Selectable(v.t(T("console.all_departments")).c_str(), m.filter_dept.empty()))
      out = console_intent::FilterDept{""};
    std::set<std::string> leads;
    for (const auto& ind : m.catalog().indicators)
      for (const auto& l : ind.lead) leads.insert(l);
    for (const auto& l : leads)
      if (ImGui::Selectable(l.c_str(), m.filter_dept == l)) out = console_intent::FilterDept{l};
    ImGui::EndCombo();
  }
  ImGui::SetNextItemWidth(v.px(420));
  ImGui::InputTextWithHint("###search", v.t(T("console.search_hint")).c_str(), &m.search);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(v.px(260));
  static const char* sorts[] = {"no", "status", "updated", "dept"};
  char sort_key[48];
  std::snprintf(sort_key, sizeof sort_key, "%s%s", T("console.sort."), m.sort.c_str());
  const std::string& sort_label = v.t(sort_key);
  if (ImGui::BeginCombo(kept_format("{l}###sort", {{"l", v.t(T("console.sort_by"))}}).c_str(), sort_label.c_str())) {
    for (const char* s : sorts)
      if (ImGui::Selectable(v.t(std::string(T("console.sort.")) + s).c_str(), m.sort == s))
        out = console_intent::SortBy{s};
    ImGui::EndCombo();
  }

  return out;
}

void setup_columns(ConsoleView& v) {
  ImGui::TableSetupScrollFreeze(0, 1);
  ImGui::TableSetupColumn(v.t(T("console.col.no")).c_str(), ImGuiTableColumnFlags_WidthFixed, v.px(60));
  ImGui::TableSetupColumn(v.t(T("console.col.name")).c_str(), 0, 3.0f);
  ImGui::TableSetupColumn(v.t(T("console.col.lead")).c_str(), 0, 1.6f);
  ImGui::TableSetupColumn(v.t(T("console.col.target")).c_str(), 0, 1.8f);
  ImGui::TableSetupColumn(v.t(T("console.col.value")).c_str(), 0, 1.0f);
  ImGui::TableSetupColumn(v.t(T("console.col.status")).c_str(), ImGuiTableColumnFlags_WidthFixed, v.px(130));
  ImGui::TableSetupColumn(v.t(T("console.col.binding")).c_str(), ImGuiTableColumnFlags_WidthFixed, v.px(110));
  ImGui::TableSetupColumn(v.t(T("console.col.tasks")).c_str(), ImGuiTableColumnFlags_WidthFixed, v.px(110));
  ImGui::TableSetupColumn(v.t(T("console.col.updated")).c_str(), ImGuiTableColumnFlags_WidthFixed, v.px(190));
  ImGui::TableHeadersRow();
}

// One indicator's row; a tap anywhere on it opens the indicator.
ConsoleIntent indicator_row(ConsoleView& v, const DashboardRow* r) {
  ConsoleIntent out;
  const IndicatorDef& def = *r->def;
  ImGui::TableNextRow();
  ImGui::TableSetColumnIndex(0);
  ImGui::PushID(def.id.c_str());
  if (ImGui::Selectable(r->no_text.c_str(), false, ImGuiSelectableFlags_SpanAllColumns | ImGuiSelectableFlags_AllowItemOverlap))
    out = console_intent::OpenIndicator{def.id};
  if (g_hit_items) record_hit("row:" + def.id, ImGui::GetItemRectMin(), ImGui::GetItemRectMax());
  ImGui::PopID();
  ImGui::TableSetColumnIndex(1);
  ImGui::TextWrapped("%s", def.name.c_str());
  ImGui::TableSetColumnIndex(2);
  ImGui::TextUnformatted(r->lead_text.c_str());
  ImGui::TableSetColumnIndex(3);
  ImGui::TextWrapped("%s", r->target_text.c_str());
  ImGui::TableSetColumnIndex(4);
  ImGui::TextWrapped("%s", r->value_text.empty() ? "—" : r->value_text.c_str());
  if (r->survey && r->survey->est.ci)
    ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(color::muted), "[%.1f, %.1f] n=%lld", r->survey->est.ci->lo,
                       r->survey->est.ci->hi, static_cast<long long>(r->survey->est.n));
  ImGui::TableSetColumnIndex(5);
  status_badge(v, r->status);
  ImGui::TableSetColumnIndex(6);
  ImGui::TextUnformatted(def.binding.empty() ? "—" : def.binding.c_str());
  ImGui::TableSetColumnIndex(7);
  if (def.tasks_shared_with) ImGui::TextUnformatted(v.tf(T("console.tasks_shared"), {{"arg", std::to_string(def.tasks_shared_with)}}).c_str());
  else ImGui::Text("%d / %zu", r->done_tasks, def.tasks.size());
  if (r->blocked_tasks) {
    ImGui::SameLine();
    ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(color::error), "!%d", r->blocked_tasks);
  }
  ImGui::TableSetColumnIndex(8);
  ImGui::TextUnformatted(r->updated_text.c_str());
  return out;
}

}  // namespace

ConsoleIntent draw_console_overview(ConsoleView& v) {
  ConsoleModel& m = v.model;
  summary_line(v);
  ConsoleIntent out = filters(v);
  const auto& rows = m.visible_rows();
  ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(color::muted), "%s",
                     v.tf(T("console.showing"), {{"n", std::to_string(rows.size())}}).c_str());
  ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerH | ImGuiTableFlags_ScrollY |
                          ImGuiTableFlags_SizingStretchProp | ImGuiTableFlags_Resizable;
  if (ImGui::BeginTable("##overview", 9, flags, ImVec2(0, ImGui::GetContentRegionAvail().y))) {
    setup_columns(v);
    const std::string* last_domain = nullptr;
    bool grouped = m.sort == "no";
    // Clipping is left to ImGui's table: 40 rows plus domain headers draw in well under a millisecond.
    for (const DashboardRow* r : rows) {
      const IndicatorDef& def = *r->def;
      if (grouped && (!last_domain || def.domain != *last_domain)) {
        last_domain = &def.domain;
        ImGui::TableNextRow();
        ImGui::TableSetColumnIndex(1);
        ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(color::primary), "%s", def.domain.c_str());
      }
      if (ConsoleIntent in = indicator_row(v, r); !none(in)) out = std::move(in);
    }
    ImGui::EndTable();
  }
  return out;
}

}  // namespace eco::ui
