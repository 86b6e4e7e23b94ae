// A calm theme of our own: light, green, large rounded touch targets.
#pragma once
#include <imgui.h>

namespace eco::ui {

namespace color {
// Text colours are checked against the background for at least 4.5:1 contrast
// (tests/test_ui.cpp computes the WCAG ratios).
constexpr ImU32 rgb(unsigned r, unsigned g, unsigned b, unsigned a = 255) {
  return (a << 24) | (b << 16) | (g << 8) | r;
}
constexpr ImU32 background = rgb(0xF4, 0xF6, 0xF1);
constexpr ImU32 card = rgb(0xFF, 0xFF, 0xFF);
constexpr ImU32 card_border = rgb(0xC9, 0xD3, 0xC9);
constexpr ImU32 card_pressed = rgb(0xE3, 0xEE, 0xE5);
constexpr ImU32 primary = rgb(0x1F, 0x6B, 0x43);       // white text on it: 6.6:1
constexpr ImU32 primary_light = rgb(0xDC, 0xEE, 0xE2);
constexpr ImU32 text = rgb(0x1C, 0x26, 0x20);          // on background: 14:1
constexpr ImU32 muted = rgb(0x4A, 0x57, 0x4F);         // on background: 7:1
constexpr ImU32 on_primary = rgb(0xFF, 0xFF, 0xFF);
constexpr ImU32 error = rgb(0xA3, 0x1F, 0x17);         // on background: 7:1
constexpr ImU32 correct = rgb(0x1F, 0x6B, 0x43);
constexpr ImU32 scrim = rgb(0x10, 0x18, 0x12, 0xB0);
constexpr ImU32 banner = rgb(0xFF, 0xF1, 0xC7);
}  // namespace color

void apply_theme(float scale);

// WCAG 2 contrast ratio between two opaque colours.
double contrast_ratio(ImU32 a, ImU32 b);

}  // namespace eco::ui
