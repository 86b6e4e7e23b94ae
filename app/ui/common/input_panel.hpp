// The on-screen input, drawn with ImGui primitives: what is written (with its count and
// why a key did nothing), the keyboards' tabs, the candidate row, and the writing pad
// (with undo and clear) or the pinyin / letter / symbol keys. A function of the entry
// that returns what the finger did; the kiosk's comment and the console's notes share it.
#pragma once
#include <imgui.h>

#include <string>

#include "core/input/text_entry.hpp"
#include "core/support/i18n.hpp"

namespace eco::ui {

struct InputPanelView {
  const input::TextEntry& entry;
  const Strings& strings;
  const std::string& lang;
  ImFont* font;   // text, keys, candidates: must hold the candidates' glyphs
  ImFont* small;  // the count and notices
  float scale = 1;
  const std::string& t(const char* key) const { return strings.get(lang, key); }
};

// Fills `size` from the cursor (nothing scrolls: a finger on the pad always writes).
input::InputIntent draw_input_panel(const InputPanelView& v, ImVec2 size);
// The height below which some key would be smaller than a fingertip: the screen gives
// the panel at least this much (it scrolls the question's text instead).
float input_panel_min_height(const InputPanelView& v, float width);

}  // namespace eco::ui
