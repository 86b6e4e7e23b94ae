// The thin window layer under the kiosk: GLFW + OpenGL 3 + Dear ImGui's backends. It
// opens the window, feeds ImGui the finger's path point by point, begins and ends a
// frame, sleeps until an event or a deadline, and uploads the font atlas. Nothing in
// here knows about surveys (after Tracy's BackendGlfw.cpp).
#pragma once
#include <imgui.h>

#include <string>

struct GLFWwindow;
struct GLFWmonitor;

namespace eco::platform {

// One state of the pointer's button (pressed, released) at one position.
struct PointerStep {
  float x, y;
  bool down;
  double t;  // when the button took this state (GlfwBackend::now()): the frame that shows it comes later
};

class GlfwBackend {
 public:
  static constexpr int kPath = 16;        // states of the button kept between two frames
  static constexpr int kMaxSteps = 2 * kPath;

  GlfwBackend() = default;
  GlfwBackend(const GlfwBackend&) = delete;
  GlfwBackend& operator=(const GlfwBackend&) = delete;
  ~GlfwBackend();

  // glfwInit. False (with the reason on stderr) when there is no display.
  bool init();
  // The size to open: the one asked for, else the primary monitor's (fullscreen).
  void choose_size(int want_w, int want_h, int& w, int& h, GLFWmonitor*& monitor) const;
  // The window and its GL context (no ImGui yet). False when it cannot be made.
  bool open(int w, int h, GLFWmonitor* monitor, bool hide_cursor);
  // The ImGui context on `atlas`, and the GLFW and OpenGL 3 backends.
  void init_imgui(ImFontAtlas* atlas);

  ImVec2 framebuffer_size() const;
  bool should_close() const;
  // Sleeps until an event arrives or `seconds` pass (0 = only what is pending).
  void wait(double seconds);
  // Bumped by every input callback: the loop compares it to see input arrived.
  unsigned input_count() const;
  // The finger's path since the last call, one step per point worth a frame of its own
  // (each press and release where it happened, then where the pointer went). Fills up
  // to kMaxSteps; returns how many.
  int take_pointer_steps(PointerStep* out);
  // GLFW's clock, in seconds: what PointerStep::t counts on.
  static double now();

  // A frame: `replay` (or null) overrides the backends' pointer summary for this frame.
  void begin_frame(const PointerStep* replay);
  // Renders ImGui's draw data on `background`; writes it to `png` when not empty; shows it.
  // Returns false only when the PNG could not be written.
  bool end_frame(ImU32 background, const std::string& png);
  // A black frame (the screen dark outside opening hours).
  void dark_frame();
  // Wakes wait() from any thread (a worker posted a result).
  static void post_empty_event();
  // Waits for the GPU (start-up timing).
  void finish_gpu();
  // Uploads the atlas as a one-channel texture and drops its CPU copy.
  void upload_font_texture();

 private:
  GLFWwindow* win_ = nullptr;
  bool glfw_ = false, imgui_ = false;
  unsigned font_texture_ = 0;
  int fb_w_ = 0, fb_h_ = 0;
};

}  // namespace eco::platform
