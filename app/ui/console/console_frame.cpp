// The console's frame: a top bar with the pages and sign-out, the kiosk's save
// warning in red when responses wait unsaved, the model's message, then the page.
#include "ui/console/console_view.hpp"
#include "ui/common/theme.hpp"
#include "ui/common/touch_scroll.hpp"

namespace eco::ui {

ConsoleIntent draw_console(ConsoleView& v) {
  ImGui::SetNextWindowPos(ImVec2(0, 0));
  ImGui::SetNextWindowSize(v.size);
  ImGui::Begin("##console", nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                   ImGuiWindowFlags_NoBringToFrontOnFocus);
  ImGui::PushFont(v.font);
  ImGuiStyle& st = ImGui::GetStyle();
  ImVec2 saved_pad = st.FramePadding, saved_spacing = st.ItemSpacing;
  st.FramePadding = ImVec2(v.px(14), v.px(8));
  st.ItemSpacing = ImVec2(v.px(12), v.px(10));
  ConsoleIntent out;
  ConsoleModel& m = v.model;

  ImGui::PushFont(v.heading);
  ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(color::primary), "%s", v.t(T("console.title")).c_str());
  ImGui::PopFont();
  if (m.signed_in()) {
    ImGui::SameLine(0, v.px(40));
    struct Tab { const char* page; const char* key; ConsolePage p; };
    static const Tab tabs[] = {{"overview", T("console.tab.overview"), ConsolePage::overview},
                               {"departments", T("console.tab.departments"), ConsolePage::departments},
                               {"survey", T("console.tab.survey"), ConsolePage::survey},
                               {"audit", T("console.tab.audit"), ConsolePage::audit},
                               {"settings", T("console.tab.settings"), ConsolePage::settings}};
    for (const auto& tab : tabs) {
      bool on = m.page() == tab.p || (tab.p == ConsolePage::overview && m.page() == ConsolePage::detail);
      if (chip(v.t(tab.key), tab.page, on)) out = console_intent::ShowPage{tab.p};
      ImGui::SameLine();
    }
  }
  ImGui::SetCursorPosX(v.size.x - v.px(200));
  if (cbutton(v.t(m.signed_in() ? T("console.sign_out") : T("console.back_to_kiosk")), "signout"))
    out = console_intent::SignOut{};
  ImGui::Separator();
  if (!v.save_banner.empty()) {
    ImGui::PushStyleColor(ImGuiCol_ChildBg, color::error);
    ImGui::BeginChild("##banner", ImVec2(0, ImGui::GetTextLineHeightWithSpacing() * 1.6f));
    ImGui::SetCursorPos(ImVec2(v.px(12), v.px(6)));
    ImGui::TextColored(ImVec4(1, 1, 1, 1), "%s", v.save_banner.c_str());
    ImGui::EndChild();
    ImGui::PopStyleColor();
  }
  if (!m.note().key.empty() && m.page() != ConsolePage::pin) {
    ImU32 c = m.message_is_error() ? color::error : color::primary;
    ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(c), "%s", v.message(m.note()).c_str());
  }

  ConsoleIntent page;
  switch (m.page()) {
    case ConsolePage::pin: page = draw_console_pin(v); break;
    case ConsolePage::overview: page = draw_console_overview(v); break;
    case ConsolePage::detail: page = draw_console_detail(v); break;
    case ConsolePage::departments: page = draw_console_departments(v); break;
    case ConsolePage::survey: page = draw_console_survey(v); break;
    case ConsolePage::audit: page = draw_console_audit(v); break;
    case ConsolePage::settings: page = draw_console_settings(v); break;
  }
  if (!none(page)) out = std::move(page);
  ImGui::PopFont();
  ImGui::End();
  if (m.text_entry()) {  // on top, and only it answers while open
    ImGui::PushFont(v.font);
    out = draw_console_input(v);
    ImGui::PopFont();
  }
  st.FramePadding = saved_pad;
  st.ItemSpacing = saved_spacing;
  touch_drag(kTouchSlop * v.scale);  // tables and lists scroll by finger, as on the resident screens
  return out;
}

}  // namespace eco::ui
