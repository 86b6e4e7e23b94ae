// An ImGui context with no window and no GL, for the headless UI tests, the soak and
// the frame benchmark: display size, fonts baked, theme applied, hit items recorded.
#pragma once
#include <imgui.h>

#include <optional>
#include <string>
#include <vector>

#include "ui/common/fonts.hpp"
#include "ui/common/theme.hpp"
#include "ui/resident/view.hpp"

namespace eco::ui {

struct Headless {
  Fonts fonts;
  std::vector<HitItem> hits;
  std::vector<std::string> texts;  // text_wrapped() strings of the last frame
  bool fonts_found = false;

  float scale_ = 1;
  std::string glyphs_;

  Headless(ImVec2 size, float scale, const std::string& glyphs, const std::string& console_glyphs = {})
      : scale_(scale), glyphs_(glyphs) {
    ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;
    io.DisplaySize = size;
    io.DeltaTime = 1.f / 60;
    fonts_found = build_fonts(fonts, find_cjk_font(), scale, glyphs, console_glyphs);
    unsigned char* px;
    int w, h;
    io.Fonts->GetTexDataAsRGBA32(&px, &w, &h);  // ImGui needs the atlas "uploaded" once
    apply_theme(scale);
    g_hit_items = &hits;
    g_text_items = &texts;
  }
  ~Headless() {
    g_hit_items = nullptr;
    g_text_items = nullptr;
    ImGui::DestroyContext();
  }
  // Bakes the normal or the larger text set, between frames, as the kiosk does when a
  // resident switches the text size.
  void rebake(bool large) {
    build_fonts(fonts, find_cjk_font(), scale_, glyphs_, {}, large);
    unsigned char* px;
    int w, h;
    ImGui::GetIO().Fonts->GetTexDataAsRGBA32(&px, &w, &h);
  }

  // Starts a frame with the pointer at `mouse`, pressed or not (levels, as ImGui 1.86
  // reads them), and forgets the last frame's hit items and texts.
  void begin_frame(ImVec2 mouse, bool down) {
    ImGuiIO& io = ImGui::GetIO();
    io.MousePos = mouse;
    io.MouseDown[0] = down;
    hits.clear();
    texts.clear();
    ImGui::NewFrame();
  }

  // Draws a frame (with `frame(mouse, down)`), finds the nth item with this label,
  // and taps its centre: a frame pressed, one released (Button fires on release), one
  // after. Returns the item tapped, or nullopt when there is none.
  template <class Frame>
  std::optional<HitItem> tap(const std::string& label, int nth, Frame&& frame) {
    frame(ImVec2(-1, -1), false);
    std::optional<HitItem> hit;
    for (const auto& it : hits)
      if (it.label == label && nth-- == 0) { hit = it; break; }
    if (!hit) return hit;
    ImVec2 c((hit->min.x + hit->max.x) / 2, (hit->min.y + hit->max.y) / 2);
    frame(c, false);
    frame(c, true);
    frame(c, false);
    frame(ImVec2(-1, -1), false);
    return hit;
  }

  // Whether the last frame drew this text (whole, through text_wrapped).
  bool shows(const std::string& text) const {
    for (const auto& t : texts)
      if (t == text) return true;
    return false;
  }

  Headless(const Headless&) = delete;
  Headless& operator=(const Headless&) = delete;
};

}  // namespace eco::ui
