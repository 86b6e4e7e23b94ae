// Two themes of our own: the calm light-green standard one, and a high-contrast one
// (white and yellow on black, every text at least 7:1) a resident can switch on.
#pragma once
#include <imgui.h>

namespace eco::ui {

namespace color {
constexpr ImU32 rgb(unsigned r, unsigned g, unsigned b, unsigned a = 255) {
  return (a << 24) | (b << 16) | (g << 8) | r;
}
}  // namespace color

// Every colour a resident screen draws with. Text colours are checked against what they
// are drawn on (tests/test_ui_theme.cpp composites each glyph over the shapes beneath it):
// at least 4.5:1 in the standard theme, 7:1 in high contrast.
struct Palette {
  ImU32 background, card, card_border, card_pressed;
  ImU32 primary, primary_pressed, primary_light;
  ImU32 text, muted, on_primary, error, correct;
  ImU32 scrim, banner;
  ImU32 selected_border;  // a chosen card's outline, drawn thicker than the others
  float border = 1;       // outlines are this much thicker (high contrast: easier to see)
};

constexpr Palette kStandardPalette{
    color::rgb(0xF4, 0xF6, 0xF1), color::rgb(0xFF, 0xFF, 0xFF), color::rgb(0xC9, 0xD3, 0xC9),
    color::rgb(0xE3, 0xEE, 0xE5),
    color::rgb(0x1F, 0x6B, 0x43),  // white text on it: 6.6:1
    color::rgb(0x17, 0x52, 0x33), color::rgb(0xDC, 0xEE, 0xE2),
    color::rgb(0x1C, 0x26, 0x20),  // on background: 14:1
    color::rgb(0x4A, 0x57, 0x4F),  // on background: 7:1
    color::rgb(0xFF, 0xFF, 0xFF),
    color::rgb(0xA3, 0x1F, 0x17),  // on background: 7:1
    color::rgb(0x1F, 0x6B, 0x43), color::rgb(0x10, 0x18, 0x12, 0xB0), color::rgb(0xFF, 0xF1, 0xC7),
    color::rgb(0x0E, 0x3B, 0x24), 1.f};

// Black ground, white text, yellow for what can be tapped; chosen cards turn yellow with
// black text, a ✓ and a white outline, so the choice never rests on colour alone.
constexpr Palette kHighContrastPalette{
    color::rgb(0x00, 0x00, 0x00), color::rgb(0x00, 0x00, 0x00), color::rgb(0xFF, 0xFF, 0xFF),
    color::rgb(0x2A, 0x2A, 0x2A),
    color::rgb(0xFF, 0xE0, 0x33),  // on black: 16:1; black text on it: 16:1
    color::rgb(0xE6, 0xC2, 0x00), color::rgb(0x24, 0x24, 0x24),
    color::rgb(0xFF, 0xFF, 0xFF),  // 21:1
    color::rgb(0xE6, 0xE6, 0xE6),  // 16:1
    color::rgb(0x00, 0x00, 0x00),
    color::rgb(0xFF, 0xB0, 0xB0),  // on black: 12:1, on the pressed grey 8:1
    color::rgb(0x9C, 0xF5, 0xB0), color::rgb(0x00, 0x00, 0x00, 0xE6), color::rgb(0x33, 0x33, 0x00),
    color::rgb(0xFF, 0xFF, 0xFF), 2.f};

namespace color {
// The palette in use. The names below read it, so drawing code says color::text and
// gets the theme's; use_palette() switches (the resident frame does, per the model).
inline Palette current = kStandardPalette;
inline const ImU32& background = current.background;
inline const ImU32& card = current.card;
inline const ImU32& card_border = current.card_border;
inline const ImU32& card_pressed = current.card_pressed;
inline const ImU32& primary = current.primary;
inline const ImU32& primary_pressed = current.primary_pressed;
inline const ImU32& primary_light = current.primary_light;
inline const ImU32& text = current.text;
inline const ImU32& muted = current.muted;
inline const ImU32& on_primary = current.on_primary;
inline const ImU32& error = current.error;
inline const ImU32& correct = current.correct;
inline const ImU32& scrim = current.scrim;
inline const ImU32& banner = current.banner;
inline const ImU32& selected_border = current.selected_border;
}  // namespace color

void apply_theme(float scale);
// Switches the palette and ImGui's style colours to it (no allocation; sizes untouched).
void use_palette(const Palette& p);
bool high_contrast_in_use();

// WCAG 2 contrast ratio between two opaque colours.
double contrast_ratio(ImU32 a, ImU32 b);

}  // namespace eco::ui
