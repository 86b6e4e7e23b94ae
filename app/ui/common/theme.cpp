#include "ui/common/theme.hpp"

#include <algorithm>
#include <cmath>

namespace eco::ui {

namespace {
void set_colors(ImGuiStyle& style) {
  auto& c = style.Colors;
  c[ImGuiCol_WindowBg] = ImGui::ColorConvertU32ToFloat4(color::background);
  c[ImGuiCol_ChildBg] = ImVec4(0, 0, 0, 0);
  c[ImGuiCol_Text] = ImGui::ColorConvertU32ToFloat4(color::text);
  c[ImGuiCol_Button] = ImGui::ColorConvertU32ToFloat4(color::primary);
  c[ImGuiCol_ButtonHovered] = ImGui::ColorConvertU32ToFloat4(color::primary);
  c[ImGuiCol_ButtonActive] = ImGui::ColorConvertU32ToFloat4(color::primary_pressed);
  c[ImGuiCol_PlotHistogram] = ImGui::ColorConvertU32ToFloat4(color::primary);
  c[ImGuiCol_FrameBg] = ImGui::ColorConvertU32ToFloat4(color::primary_light);
  // A scrollbar a resident notices: a pale green track and a green grab.
  c[ImGuiCol_ScrollbarBg] = ImGui::ColorConvertU32ToFloat4(color::primary_light);
  c[ImGuiCol_ScrollbarGrab] = ImGui::ColorConvertU32ToFloat4((color::primary & 0x00FFFFFF) | 0xB0000000);
  c[ImGuiCol_ScrollbarGrabHovered] = ImGui::ColorConvertU32ToFloat4(color::primary);
  c[ImGuiCol_ScrollbarGrabActive] = ImGui::ColorConvertU32ToFloat4(color::primary);
  // Tables, selectables and combos of the console: the same greens, not ImGui's blue.
  c[ImGuiCol_Header] = ImGui::ColorConvertU32ToFloat4(color::primary_light);
  c[ImGuiCol_HeaderHovered] = ImGui::ColorConvertU32ToFloat4(color::card_pressed);
  c[ImGuiCol_HeaderActive] = ImGui::ColorConvertU32ToFloat4(color::primary_light);
  c[ImGuiCol_TableHeaderBg] = ImGui::ColorConvertU32ToFloat4(color::primary_light);
  c[ImGuiCol_TableRowBg] = ImGui::ColorConvertU32ToFloat4(color::card);
  c[ImGuiCol_TableRowBgAlt] = ImGui::ColorConvertU32ToFloat4(color::background);
  c[ImGuiCol_FrameBgHovered] = ImGui::ColorConvertU32ToFloat4(color::card_pressed);
  c[ImGuiCol_FrameBgActive] = ImGui::ColorConvertU32ToFloat4(color::card_pressed);
  c[ImGuiCol_CheckMark] = ImGui::ColorConvertU32ToFloat4(color::primary);
  c[ImGuiCol_SliderGrab] = ImGui::ColorConvertU32ToFloat4(color::primary);
  c[ImGuiCol_SliderGrabActive] = ImGui::ColorConvertU32ToFloat4(color::primary);
  c[ImGuiCol_PopupBg] = ImGui::ColorConvertU32ToFloat4(color::card);
}
}  // namespace

void use_palette(const Palette& p) {
  color::current = p;
  set_colors(ImGui::GetStyle());
}

bool high_contrast_in_use() { return color::current.background == kHighContrastPalette.background; }

void apply_theme(float scale) {
  ImGuiStyle style;  // fresh, so repeated calls do not compound the scaling
  ImGui::StyleColorsLight(&style);
  style.WindowPadding = ImVec2(40, 32);
  style.FramePadding = ImVec2(20, 14);
  style.ItemSpacing = ImVec2(20, 18);
  style.ItemInnerSpacing = ImVec2(12, 10);
  style.ScrollbarSize = 40;  // a finger can hold it (scaled below)
  style.GrabMinSize = 40;
  style.WindowBorderSize = 0;
  style.ChildBorderSize = 0;
  style.FrameRounding = 14;
  style.ChildRounding = 14;
  style.WindowRounding = 0;
  style.ScrollbarRounding = 14;
  style.TouchExtraPadding = ImVec2(4, 4);
  set_colors(style);
  style.ScaleAllSizes(scale);
  ImGui::GetStyle() = style;
}

namespace {
double channel(unsigned v) {
  double c = v / 255.0;
  return c <= 0.03928 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4);
}
double luminance(ImU32 c) {
  return 0.2126 * channel(c & 0xFF) + 0.7152 * channel((c >> 8) & 0xFF) + 0.0722 * channel((c >> 16) & 0xFF);
}
}  // namespace

double contrast_ratio(ImU32 a, ImU32 b) {
  double la = luminance(a), lb = luminance(b);
  return (std::max(la, lb) + 0.05) / (std::min(la, lb) + 0.05);
}

}  // namespace eco::ui
