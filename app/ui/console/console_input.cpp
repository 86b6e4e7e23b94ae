// The touch keyboard for the console's notes and evidence: a button beside the field
// opens the kiosk's on-screen input over the page; 完成 puts the text back, 取消 does not.
#include "ui/common/input_panel.hpp"
#include "ui/common/theme.hpp"
#include "ui/console/console_view.hpp"

namespace eco::ui {

bool touch_input_button(ConsoleView& v, const char* field, ConsoleIntent& out) {
  ImGui::PushID(field);
  bool tapped = cbutton(v.t(T("console.input.open")), "touch_input");
  ImGui::PopID();
  if (tapped) out = console_intent::InputOpen{field};
  return tapped;
}

ConsoleIntent draw_console_input(ConsoleView& v) {
  ConsoleIntent out;
  const input::TextEntry* e = v.model.text_entry();
  if (!e) return out;
  ImGui::SetNextWindowPos(ImVec2(0, 0));
  ImGui::SetNextWindowSize(v.size);
  ImGui::PushStyleColor(ImGuiCol_WindowBg, color::background);
  ImGui::Begin("##console_input", nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                   ImGuiWindowFlags_NoScrollWithMouse | ImGuiWindowFlags_NoScrollbar);
  ImGui::PushFont(v.heading);
  std::string title = v.model.input_field() == "evidence"    ? v.t(T("console.evidence"))
                      : v.model.input_field() == "task_note" ? v.t(T("console.task_note"))
                      : v.model.input_field() == "source"    ? v.t(T("console.source"))
                                                             : v.t(T("console.your_name"));
  ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(color::primary), "%s", title.c_str());
  ImGui::PopFont();
  float bh = v.px(64);
  ImVec2 avail = ImGui::GetContentRegionAvail();
  InputPanelView pv{*e, v.strings, v.lang, v.font, v.font, v.scale};
  input::InputIntent in = draw_input_panel(pv, ImVec2(avail.x, avail.y - bh - ImGui::GetStyle().ItemSpacing.y));
  if (in.kind != input::InputIntent::Kind::none) out = console_intent::Input{std::move(in)};
  if (cbutton(v.t(T("console.input.done")), "input_done", ImVec2(v.px(240), bh))) out = console_intent::InputDone{};
  ImGui::SameLine();
  if (cbutton(v.t(T("console.input.cancel")), "input_cancel", ImVec2(v.px(240), bh))) out = console_intent::InputCancel{};
  ImGui::End();
  ImGui::PopStyleColor();
  return out;
}

}  // namespace eco::ui
