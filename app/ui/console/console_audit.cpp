// The audit log, newest first, with whether its hash chain is intact.
#include "ui/console/console_view.hpp"
#include "ui/common/theme.hpp"

namespace eco::ui {

ConsoleIntent draw_console_audit(ConsoleView& v) {
  ConsoleModel& m = v.model;
  bool ok = m.audit_intact();
  ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(ok ? color::primary : color::error), "%s",
                     v.t(ok ? T("console.audit_ok") : T("console.audit_broken")).c_str());
  // The head, and the copy kept outside the database: a cut tail shows as a difference.
  const AuditVerdict& av = m.audit_verdict();
  std::string anchored = av.anchored ? std::to_string(av.anchored->count) + " / " + av.anchored->last_hash.substr(0, 12)
                                     : v.t(T("console.audit_no_anchor"));
  ImGui::TextWrapped("%s", v.tf(T("console.audit_head"), {{"n", std::to_string(av.head.count)},
                                                       {"hash", av.head.last_hash.substr(0, 12)},
                                                       {"anchor", anchored}}).c_str());
  ImGui::PushStyleColor(ImGuiCol_Text, color::error);
  for (const auto& p : av.problems) ImGui::TextWrapped("%s", p.c_str());
  ImGui::PopStyleColor();
  const auto& entries = m.audit_entries();
  const int offset = m.config().utc_offset_minutes;
  if (ImGui::BeginTable("##audit", 5, ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY | ImGuiTableFlags_SizingStretchProp,
                        ImVec2(0, ImGui::GetContentRegionAvail().y))) {
    ImGui::TableSetupScrollFreeze(0, 1);
    ImGui::TableSetupColumn(v.t(T("console.audit.time")).c_str(), ImGuiTableColumnFlags_WidthFixed, v.px(200));
    ImGui::TableSetupColumn(v.t(T("console.audit.actor")).c_str(), 0, 1);
    ImGui::TableSetupColumn(v.t(T("console.audit.action")).c_str(), 0, 1);
    ImGui::TableSetupColumn(v.t(T("console.audit.detail")).c_str(), 0, 4);
    ImGui::TableSetupColumn(v.t(T("console.audit.hash")).c_str(), ImGuiTableColumnFlags_WidthFixed, v.px(150));
    ImGui::TableHeadersRow();
    for (const auto& e : entries) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(fmt_time(e.at, offset).c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(e.actor.c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(e.action.c_str());
      ImGui::TableNextColumn();
      ImGui::TextWrapped("%s", e.detail.c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(e.hash.substr(0, 12).c_str());
    }
    ImGui::EndTable();
  }
  return {};
}

}  // namespace eco::ui
