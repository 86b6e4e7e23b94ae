// One frame of the kiosk: which screen is up (the refusal notice, the staff console or
// the resident's screens), with the fonts it needs baked first. The frame's pixels go
// through the GLFW backend; what the resident did comes back as an Intent.
#pragma once
#include <imgui.h>

#include <cstdint>
#include <string>

#include "platform/glfw_backend.hpp"
#include "platform/kiosk_app.hpp"
#include "ui/common/fonts.hpp"
#include "ui/resident/view.hpp"

namespace eco::ui {

class KioskFrame {
 public:
  KioskFrame(KioskApp& app, platform::GlfwBackend& backend) : app_(app), backend_(backend) {}

  // Bakes the first atlas into `atlas` (before any ImGui context exists: the window and
  // its GL context are made meanwhile). full = every glyph (the tour), else the welcome
  // screen's. Returns whether a Chinese font was found.
  bool bake_first(ImFontAtlas* atlas, float scale, bool full);
  // After the window opened: the scale for its real size (rebaking if it differs).
  void adopt_size(ImVec2 size);
  // Every later bake: the resident screens' glyphs, the text size in use, and the
  // console's fonts when staff are in it.
  void bake(bool for_console);
  bool full_atlas() const { return full_atlas_; }
  float scale() const { return scale_; }
  const Fonts& fonts() const { return fonts_; }

  // Draws and shows a frame; `replay` is one point of the finger's path (or null); a
  // non-empty `png` saves it.
  Intent render(const platform::PointerStep* replay = nullptr, const std::string& png = {});

 private:
  void draw_refusal();
  void draw_staff_console();

  KioskApp& app_;
  platform::GlfwBackend& backend_;
  Fonts fonts_;
  FontFile font_file_;
  float scale_ = 1;
  ImVec2 size_;
  bool full_atlas_ = false;
  std::string resident_glyphs_, staff_glyphs_;  // gathered once (the residents': again after an update)
  std::uint64_t glyphs_of_update_ = 0;           // the model's updates_taken() they were gathered for
  bool rebake_ = false;                          // an update was taken: its characters need baking
  bool staff_calls_read_ = false;  // this entry to the console has read the staff calls
  std::string staff_calls_text_;
};

// Resident memory now and at its peak, for --timing.
long rss_mb();
long peak_mb();

}  // namespace eco::ui
