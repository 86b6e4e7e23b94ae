// The header of a question or the thanks page: the switches where they are on every
// screen, 🔊 朗读 beside them, and the page's own lines (title, progress, thanks) in the
// room that is left, so the answers or the quiz's review keep as much height as they can.

#include <algorithm>

#include "ui/resident/view.hpp"

namespace eco::ui {

float page_header(const View& v, Intent& out, bool with_quit, std::span<const HeaderLine> lines) {
  ImGuiStyle& st = ImGui::GetStyle();
  const float w = v.size.x - 2 * st.WindowPadding.x;
  const ImVec2 top = ImGui::GetCursorPos();
  float right = 0, last_left = 0, last_h = 0;  // where the switches begin (screen x), the last row
  float row_h = top_switches(v, out, with_quit, &right, &last_left, &last_h);
  // 🔊 朗读, as tall as a switch: just left of the switches' last row (their only row, or
  // beside 退出 when they take two); else under them, beside the lines or below them.
  const float read_w = read_aloud_width(v, last_h);
  const float left_edge = ImGui::GetWindowPos().x + top.x;
  bool read_below = read_w > 0 && last_left - read_w - st.ItemSpacing.x < left_edge;
  if (read_w > 0 && !read_below) {
    last_left -= read_w + st.ItemSpacing.x;
    right = std::min(right, last_left);  // the header's buttons begin there now
    ImGui::SetCursorScreenPos(ImVec2(last_left, ImGui::GetWindowPos().y + top.y + row_h - last_h));
    read_aloud_button(v, out, last_h);
  }
  auto width = [](const HeaderLine& l) { return measure_wrapped(l.font, l.font->FontSize, *l.text, FLT_MAX).x; };
  auto height = [&](float wrap) {
    float h = 0;
    for (const auto& l : lines) h += measure_wrapped(l.font, l.font->FontSize, *l.text, wrap).y + st.ItemSpacing.y;
    return h - st.ItemSpacing.y;
  };
  float need_w = 0;
  for (const auto& l : lines) need_w = std::max(need_w, width(l));
  float left_w = right - left_edge - st.ItemSpacing.x;
  const float last_w = last_left - left_edge - st.ItemSpacing.x;
  // The first line (a title) may wrap onto a second line beside both rows; the others not.
  auto rest_fit = [&](float wrap) {
    for (std::size_t i = 1; i < lines.size(); ++i)
      if (width(lines[i]) > wrap) return false;
    return !lines.empty() &&
           measure_wrapped(lines[0].font, lines[0].font->FontSize, *lines[0].text, wrap).y <= lines[0].font->FontSize * 2.5f;
  };
  if (need_w <= left_w) {  // beside the switches
    ImGui::SetCursorPos(ImVec2(top.x, top.y + std::max(0.f, (row_h - height(FLT_MAX)) * 0.5f)));
  } else if (row_h > last_h && need_w <= last_w) {  // beside their last row (larger text: 退出 alone there)
    left_w = last_w;
    ImGui::SetCursorPos(ImVec2(top.x, top.y + row_h - last_h + std::max(0.f, (last_h - height(FLT_MAX)) * 0.5f)));
  } else if (row_h > last_h && rest_fit(left_w) && height(left_w) <= row_h) {
    // Beside both rows, the title on two lines (larger text, landscape).
    ImGui::SetCursorPos(ImVec2(top.x, top.y));
  } else {  // below them (portrait, larger text)
    const float y = top.y + row_h + st.ItemSpacing.y;
    ImGui::SetCursorPos(ImVec2(top.x, y));
    left_w = w;
    const float narrow = w - read_w - st.ItemSpacing.x;
    if (read_below && narrow > 0 && std::max(last_h, height(narrow)) < height(w) + st.ItemSpacing.y + last_h) {
      // 朗读 at the right end of the lines' rows rather than on a row of its own, when that
      // is shorter, however the lines wrap: the page keeps the height (1280×800 in large
      // text: a row of answer cards).
      ImGui::SetCursorPos(ImVec2(top.x + w - read_w, y));
      read_aloud_button(v, out, last_h);
      read_below = false;
      left_w = w - read_w - st.ItemSpacing.x;
      ImGui::SetCursorPos(ImVec2(top.x, y + std::max(0.f, (last_h - height(left_w)) * 0.5f)));
      row_h += st.ItemSpacing.y + last_h;  // the header ends under 朗读 at least
    }
  }
  ImGui::BeginGroup();
  for (const auto& l : lines) text_wrapped(*l.text, l.color, l.font, left_w);
  ImGui::EndGroup();
  if (read_below) {
    ImGui::SetCursorPosY(std::max(top.y + row_h, ImGui::GetCursorPosY()) + st.ItemSpacing.y);
    read_aloud_button(v, out, last_h);
  }
  return std::max(top.y + row_h, ImGui::GetCursorPosY()) + st.ItemSpacing.y;
}

}  // namespace eco::ui
