// The district console's publish page (admins, issue 17): a questionnaire file checked
// by the kiosk's own loader and published to every kiosk, and the versions published so
// far, each withdrawable. Kiosks take a change from their next resident on.
#include <imgui.h>
#include <imgui_stdlib.h>

#include "ui/console/console_view.hpp"
#include "ui/console/district_view.hpp"
#include "ui/common/theme.hpp"
#include "ui/resident/view.hpp"

namespace eco::ui {

namespace di = district_intent;

namespace {
constexpr int kOffset = 480;  // the district's clock (UTC+8)

void published_row(DistrictView& v, const central::PublishedRow& p, DistrictIntent& out) {
  DistrictModel& m = v.model;
  ImGui::TableNextRow();
  ImGui::TableNextColumn();
  ImGui::TextUnformatted(p.questionnaire.c_str());
  ImGui::TableNextColumn();
  ImGui::Text("%d", p.version);
  ImGui::TableNextColumn();
  ImGui::TextUnformatted(p.content_hash.substr(0, 12).c_str());
  ImGui::TableNextColumn();
  ImGui::TextWrapped("%s %s", p.published_by.c_str(), fmt_time(p.published_at, kOffset).c_str());
  ImGui::TableNextColumn();
  if (p.withdrawn_at) {
    ImGui::PushStyleColor(ImGuiCol_Text, color::muted);
    ImGui::TextWrapped("%s", Strings::format(v.t(T("district.publish.is_withdrawn")),
                                             {{"by", p.withdrawn_by}, {"at", fmt_time(p.withdrawn_at, kOffset)}})
                                 .c_str());
    ImGui::PopStyleColor();
    return;
  }
  std::string label = Strings::format(v.t(T("district.publish.withdraw")),
                                      {{"id", p.questionnaire}, {"version", std::to_string(p.version)}});
  std::string id = "wd_" + p.questionnaire + "_" + std::to_string(p.version);
  if (cbutton(label, id.c_str()) && !m.busy()) out = di::Withdraw{p.questionnaire, p.version};
}
}  // namespace

DistrictIntent draw_district_publish(DistrictView& v) {
  DistrictModel& m = v.model;
  DistrictIntent out;
  ImGui::TextUnformatted(v.t(T("district.publish.file")).c_str());
  ImGui::SetNextItemWidth(v.px(640));
  ImVec2 p = ImGui::GetCursorScreenPos();
  ImGui::InputTextWithHint("##pub_file", "/srv/ecokiosk/satisfaction-v3.json", &m.publish_path);
  record_hit(v.t(T("district.publish.file")), p, ImGui::GetItemRectMax());
  ImGui::SameLine();
  if (cbutton(v.t(T("district.publish.do")), "pub_do") && !m.busy()) out = di::Publish{};
  ImGui::PushStyleColor(ImGuiCol_Text, color::muted);
  ImGui::TextWrapped("%s", v.t(T("district.publish.hint")).c_str());
  ImGui::PopStyleColor();
  ImGui::Dummy(ImVec2(0, v.px(6)));
  if (m.published().empty() && !m.busy()) ImGui::TextUnformatted(v.t(T("district.publish.none")).c_str());
  if (begin_page_table("##published", {v.t(T("district.publish.questionnaire")), v.t(T("district.publish.version")),
                                       v.t(T("district.publish.hash")), v.t(T("district.publish.published_by")),
                                       v.t(T("district.publish.state"))})) {
    for (const auto& row : m.published()) published_row(v, row, out);
    ImGui::EndTable();
  }
  return out;
}

}  // namespace eco::ui
