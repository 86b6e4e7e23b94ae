// By department: what each one leads, and the tasks it is responsible for or
// cooperates on, open ones first: "what does 区生态环境局 still owe?"
#include <imgui.h>
#include <imgui_stdlib.h>

#include "ui/console/console_view.hpp"
#include "ui/common/theme.hpp"
#include "ui/resident/view.hpp"

namespace eco::ui {

ConsoleIntent draw_console_departments(ConsoleView& v) {
  ConsoleIntent out;
  ConsoleModel& m = v.model;
  const Catalog& c = m.catalog();
  static std::vector<std::string> depts;  // the catalog never changes while running
  if (depts.empty()) depts = c.departments();
  if (m.dept_selected.empty()) m.dept_selected = "区生态环境局";

  ImGui::BeginChild("##depts", ImVec2(v.px(340), 0));
  for (const auto& d : depts) {
    int open = 0;
    for (const auto& ind : c.indicators)
      for (const auto& t : ind.tasks)
        if (t.responsible.find(d) != std::string::npos && m.task_status(t.id) != TaskStatus::done) ++open;
    std::string label = d + (open ? "  (" + std::to_string(open) + ")" : "");
    if (ImGui::Selectable((label + "###" + d).c_str(), m.dept_selected == d)) m.dept_selected = d;
    record_hit("dept:" + d, ImGui::GetItemRectMin(), ImGui::GetItemRectMax());
  }
  ImGui::EndChild();
  ImGui::SameLine();
  ImGui::BeginChild("##deptbody", ImVec2(0, 0));
  const std::string& d = m.dept_selected;
  ImGui::PushFont(v.heading);
  ImGui::TextUnformatted(d.c_str());
  ImGui::PopFont();

  ImGui::TextUnformatted(v.t(T("console.dept_leads")).c_str());
  for (const auto& row : m.dashboard().rows) {
    bool leads = false;
    for (const auto& l : row.def->lead) leads = leads || l.find(d) != std::string::npos;
    if (!leads) continue;
    if (cbutton(row.def->id + " " + row.def->name, ("lead" + row.def->id).c_str())) out = console_intent::OpenIndicator{row.def->id};
    ImGui::SameLine();
    status_badge(v, row.status);
  }
  ImGui::Separator();
  // Open tasks first (blocked before in progress before not started), then done ones.
  auto rank = [](TaskStatus s) { return s == TaskStatus::blocked ? 0 : s == TaskStatus::in_progress ? 1 : s == TaskStatus::not_started ? 2 : 3; };
  for (int role = 0; role < 2; ++role) {
    ImGui::TextUnformatted(v.t(role == 0 ? T("console.dept_responsible") : T("console.dept_cooperating")).c_str());
    if (ImGui::BeginTable(role == 0 ? "##resp" : "##coop", 4, ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingStretchProp)) {
      ImGui::TableSetupColumn(v.t(T("console.col.task")).c_str(), ImGuiTableColumnFlags_WidthFixed, v.px(90));
      ImGui::TableSetupColumn(v.t(T("console.col.key_task")).c_str(), 0, 2);
      ImGui::TableSetupColumn(v.t(T("console.col.task_2019")).c_str(), 0, 4);
      ImGui::TableSetupColumn(v.t(T("console.col.status")).c_str(), ImGuiTableColumnFlags_WidthFixed, v.px(140));
      ImGui::TableHeadersRow();
      for (int r = 0; r < 4; ++r)
        for (const auto& ind : c.indicators)
          for (const auto& t : ind.tasks) {
            const std::string& who = role == 0 ? t.responsible : t.cooperating;
            if (who.find(d) == std::string::npos) continue;
            TaskStatus s = m.task_status(t.id);
            if (rank(s) != r) continue;
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            ImGui::PushID(t.id.c_str());
            if (ImGui::Selectable(t.id.c_str(), false, ImGuiSelectableFlags_SpanAllColumns))
              out = console_intent::OpenIndicator{std::to_string(ind.no)};
            ImGui::PopID();
            ImGui::TableNextColumn();
            ImGui::TextWrapped("%s", t.key_task.c_str());
            ImGui::TableNextColumn();
            ImGui::TextWrapped("%s", t.task.c_str());
            ImGui::TableNextColumn();
            ImU32 col = s == TaskStatus::done ? color::primary : s == TaskStatus::blocked ? color::error : color::text;
            ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(col), "%s", v.t(std::string(T("console.task.")) + task_status_code(s)).c_str());
          }
      ImGui::EndTable();
    }
  }
  ImGui::EndChild();
  return out;
}

}  // namespace eco::ui
