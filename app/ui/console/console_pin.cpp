// Sign-in: a large number pad (staff may have no keyboard either), dots for the
// digits entered, and the model's message: wrong PIN, locked, or choose a first PIN.
#include <algorithm>
#include <string>

#include "ui/console/console_view.hpp"
#include "ui/common/theme.hpp"
#include "ui/resident/view.hpp"

namespace eco::ui {

ConsoleIntent draw_console_pin(ConsoleView& v) {
  ConsoleIntent out;
  ConsoleModel& m = v.model;
  float key = std::min(v.px(120), (v.size.y - v.px(420)) / 5);
  float pad_w = 3 * key + 2 * v.px(16);
  float x0 = (v.size.x - pad_w) / 2;
  ImGui::Dummy(ImVec2(0, v.px(20)));
  ImGui::PushFont(v.heading);
  const char* title = m.setting_first_pin()      ? T("console.pin_title_first")
                      : m.entering_setup_code()  ? T("console.pin_title_setup")
                      : m.pin_state() == PinState::set ? T("console.pin_title")
                                                 : T("console.pin_title_none");
  std::string head = v.t(title);
  ImGui::SetCursorPosX((v.size.x - ImGui::CalcTextSize(head.c_str()).x) / 2);
  ImGui::TextUnformatted(head.c_str());
  // Dots, one per digit entered (never the digits themselves).
  std::string dots;
  for (std::size_t i = 0; i < m.pin_length(); ++i) dots += "● ";
  if (dots.empty()) dots = " ";
  ImGui::SetCursorPosX((v.size.x - ImGui::CalcTextSize(dots.c_str()).x) / 2);
  ImGui::TextUnformatted(dots.c_str());
  ImGui::PopFont();
  std::string msg = v.message(m.note());
  if (m.lock_seconds_left() > 0)
    msg += " " + v.tf(T("console.pin_locked_for"), {{"arg", std::to_string(m.lock_seconds_left())}});
  ImGui::SetCursorPosX((v.size.x - ImGui::CalcTextSize(msg.c_str()).x) / 2);
  ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(m.message_is_error() ? color::error : color::muted), "%s", msg.c_str());
  ImGui::Dummy(ImVec2(0, v.px(10)));
  static const char* keys[12] = {"1", "2", "3", "4", "5", "6", "7", "8", "9", "←", "0", "OK"};
  for (int i = 0; i < 12; ++i) {
    if (i % 3 == 0) ImGui::SetCursorPosX(x0);
    else ImGui::SameLine(0, v.px(16));
    std::string label = i == 11 ? v.t(T("console.pin_ok")) : keys[i];
    std::string id = std::string("pin") + std::to_string(i);
    ImGui::PushFont(v.heading);
    if (big_button(id.c_str(), label, ImVec2(key, key * 0.8f), v.heading, i == 11)) {
      if (i == 9) out = console_intent::PinDelete{};
      else if (i == 11) out = console_intent::PinSubmit{};
      else out = console_intent::PinKey{keys[i][0]};
    }
    ImGui::PopFont();
  }
  return out;
}

}  // namespace eco::ui
