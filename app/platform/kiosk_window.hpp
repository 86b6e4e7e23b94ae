// The kiosk's window: GLFW + OpenGL 3 + Dear ImGui, an event-driven loop, and the
// screenshot tour.
#pragma once
#include <chrono>
#include <string>

namespace eco::ui {

struct WindowOptions {
  int width = 0, height = 0;  // windowed size; 0 = fullscreen on the primary monitor
  std::string screenshot_dir; // --screenshot-tour: render the main screens to PNG and exit
  int tour_text_size = -1;       // the tour in this text size (resident screens only); -1: as before
  bool tour_high_contrast = false;
  std::string lang;           // overrides the configured default language
  std::string font;           // overrides the fontconfig lookup
  std::string font_cache;     // baked atlases kept here between starts; empty: baked each time
  std::string db, data_dir, config;
  bool print_timing = false;
  bool hide_cursor = false;   // touch screens: no pointer drawn over the kiosk
  // When main() began: --timing counts start-up from there (the argument parsing
  // included), as the bench's bare window counts from its own main(). Unset: run_kiosk's start.
  std::chrono::steady_clock::time_point started{};
};

int run_kiosk(const WindowOptions& o);

}  // namespace eco::ui
