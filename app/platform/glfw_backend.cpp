#include "platform/glfw_backend.hpp"

#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>
#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>
#include <GL/gl.h>
#include <stb_image_write.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <iterator>
#include <iostream>
#include <vector>

namespace eco::platform {

namespace {

std::atomic<unsigned> g_input{0};  // bumped by every input callback; the loop compares

// The finger's path since the last frame: one entry per state of the button (pressed,
// released), with where the state began and where the pointer is now. ImGui 1.86 reads
// the pointer once per frame, so a busy kiosk would see a quick swipe as one press and
// release at its end point (a tap where the finger was lifted); the loop gives each
// point of the path a frame of its own instead. Fixed size: an idle frame allocates nothing.
struct PointerState {
  float x0, y0;  // where this state began (the press, the release)
  float x, y;    // the latest position in it
  bool down;
  double t;      // when it began
};
constexpr int kPath = GlfwBackend::kPath;
PointerState g_path[kPath];
int g_path_len = 0;
bool g_path_carried = false;  // g_path[0] is the state the last frame already showed
bool g_button_down = false;
void note_pointer(float x, float y, bool transition) {
  if (!transition && g_path_len > 0) {
    g_path[g_path_len - 1].x = x;  // a move: the latest position of this state
    g_path[g_path_len - 1].y = y;
    return;
  }
  if (g_path_len == kPath) {  // a storm of clicks within one frame: keep the newest
    std::copy(g_path + 1, g_path + kPath, g_path);
    --g_path_len;
    g_path_carried = false;
  }
  g_path[g_path_len++] = {x, y, x, y, g_button_down, glfwGetTime()};
}

void on_close(GLFWwindow* w) { glfwSetWindowShouldClose(w, GLFW_FALSE); }  // residents cannot close it
// The pointer as of the last motion event handled. Not glfwGetCursorPos: on X11 that
// asks the server where the pointer is now, which under load is already further along
// the swipe than the press being handled.
double g_cursor_x = -1, g_cursor_y = -1;
bool g_cursor_known = false;
void on_cursor(GLFWwindow*, double x, double y) {
  ++g_input;
  g_cursor_x = x;
  g_cursor_y = y;
  g_cursor_known = true;
  note_pointer(static_cast<float>(x), static_cast<float>(y), false);
}
void on_button(GLFWwindow* w, int button, int action, int) {
  ++g_input;
  if (button != GLFW_MOUSE_BUTTON_LEFT) return;
  if (!g_cursor_known) glfwGetCursorPos(w, &g_cursor_x, &g_cursor_y);
  g_button_down = action == GLFW_PRESS;
  note_pointer(static_cast<float>(g_cursor_x), static_cast<float>(g_cursor_y), true);
}
void on_scroll(GLFWwindow*, double, double) { ++g_input; }

// ImGui 1.86 reads each key as held or not once a frame (io.KeysDown): a key pressed and
// released before the next frame began was never seen. Under load that lost the Enter
// of the district console's sign-in (pressed for 0.2 s by the CI's xdotool test). Such a
// key is shown held for one frame, then released. Fixed size: nothing is allocated.
constexpr int kKeys = 512;  // io.KeysDown's size; GLFW's key codes are below it
bool g_pressed[kKeys];      // pressed since the last frame began
bool g_tapped[kKeys];       // and released again before it
int g_held[16];             // keys shown held by the last frame on that account
int g_held_n = 0;
void on_key(GLFWwindow*, int key, int, int action, int) {
  ++g_input;
  if (key < 0 || key >= kKeys) return;
  if (action == GLFW_PRESS) g_pressed[key] = true;
  if (action == GLFW_RELEASE && g_pressed[key]) g_tapped[key] = true;
}

}  // namespace

GlfwBackend::~GlfwBackend() {
  if (imgui_) {
    ImGui_ImplOpenGL3_Shutdown();
    ImGui_ImplGlfw_Shutdown();
    ImGui::DestroyContext();
  }
  if (win_) glfwDestroyWindow(win_);
  if (glfw_) glfwTerminate();
}

bool GlfwBackend::init() {
  glfwSetErrorCallback([](int code, const char* msg) { std::cerr << "GLFW error " << code << ": " << msg << "\n"; });
  if (!glfwInit()) {
    std::cerr << "error: cannot start the window system (is DISPLAY set? try xvfb-run)\n";
    return false;
  }
  glfw_ = true;
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 0);
  return true;
}

void GlfwBackend::choose_size(int want_w, int want_h, int& w, int& h, GLFWmonitor*& monitor) const {
  monitor = nullptr;
  w = want_w;
  h = want_h;
  if (w <= 0 || h <= 0) {
    monitor = glfwGetPrimaryMonitor();
    const GLFWvidmode* mode = monitor ? glfwGetVideoMode(monitor) : nullptr;
    w = mode ? mode->width : 1920;
    h = mode ? mode->height : 1080;
  }
}

bool GlfwBackend::open(int w, int h, GLFWmonitor* monitor, bool hide_cursor) {
  win_ = glfwCreateWindow(w, h, "EcoKiosk", monitor, nullptr);
  if (!win_) return false;
  glfwMakeContextCurrent(win_);
  glfwSwapInterval(1);
  glfwSetWindowCloseCallback(win_, on_close);
  glfwSetCursorPosCallback(win_, on_cursor);
  glfwSetMouseButtonCallback(win_, on_button);
  glfwSetScrollCallback(win_, on_scroll);
  glfwSetKeyCallback(win_, on_key);
  if (hide_cursor) glfwSetInputMode(win_, GLFW_CURSOR, GLFW_CURSOR_HIDDEN);
  return true;
}

void GlfwBackend::init_imgui(ImFontAtlas* atlas) {
  IMGUI_CHECKVERSION();
  ImGui::CreateContext(atlas);
  ImGui::GetIO().IniFilename = nullptr;  // nothing of a session is written to disk by ImGui
  ImGui_ImplGlfw_InitForOpenGL(win_, true);  // chains the callbacks installed in open()
  ImGui_ImplOpenGL3_Init("#version 130");
  // Shaders now; the font texture is ours (upload_font_texture). The backend's
  // CreateDeviceObjects also uploads io.Fonts, converted to RGBA: for the kiosk's first
  // atlas a 2.7 MB copy and upload on the way to the first frame (13 ms of its 40 here,
  // with Mesa's llvmpipe), thrown away at once. It is given a one-pixel atlas instead.
  ImFontAtlas one_pixel;
  one_pixel.TexPixelsAlpha8 = static_cast<unsigned char*>(IM_ALLOC(1));
  one_pixel.TexPixelsAlpha8[0] = 0;
  one_pixel.TexWidth = one_pixel.TexHeight = 1;
  ImGuiIO& io = ImGui::GetIO();
  io.Fonts = &one_pixel;
  ImGui_ImplOpenGL3_CreateDeviceObjects();
  io.Fonts = atlas;
  imgui_ = true;
  glfwGetFramebufferSize(win_, &fb_w_, &fb_h_);  // the kiosk lays out for this size for good

}

ImVec2 GlfwBackend::framebuffer_size() const {
  return ImVec2(static_cast<float>(fb_w_), static_cast<float>(fb_h_));
}

bool GlfwBackend::should_close() const { return glfwWindowShouldClose(win_); }

void GlfwBackend::wait(double seconds) { glfwWaitEventsTimeout(seconds); }

unsigned GlfwBackend::input_count() const { return g_input.load(); }

int GlfwBackend::take_pointer_steps(PointerStep* steps) {
  int n = 0;
  for (int i = 0; i < g_path_len; ++i) {
    const PointerState& p = g_path[i];
    if (i > 0 || !g_path_carried) steps[n++] = {p.x0, p.y0, p.down, p.t};
    if (p.x != p.x0 || p.y != p.y0) steps[n++] = {p.x, p.y, p.down, p.t};
  }
  if (g_path_len > 0) {  // the next batch continues from the current state, already shown
    PointerState last = g_path[g_path_len - 1];
    g_path[0] = {last.x, last.y, last.x, last.y, last.down, last.t};
    g_path_len = 1;
    g_path_carried = true;
  }
  return n;
}

double GlfwBackend::now() { return glfwGetTime(); }

void GlfwBackend::begin_frame(const PointerStep* replay) {
  ImGui_ImplOpenGL3_NewFrame();
  ImGui_ImplGlfw_NewFrame();
  {
    ImGuiIO& io = ImGui::GetIO();
    for (int i = 0; i < g_held_n; ++i)  // shown held by the last frame: released now
      io.KeysDown[g_held[i]] = glfwGetKey(win_, g_held[i]) == GLFW_PRESS;
    g_held_n = 0;
    for (int k = 0; k < kKeys; ++k) {
      if (g_tapped[k] && g_held_n < static_cast<int>(std::size(g_held))) {
        io.KeysDown[k] = true;
        g_held[g_held_n++] = k;
      }
      g_pressed[k] = g_tapped[k] = false;
    }
  }
  if (replay) {  // one point of the finger's path, not the backend's summary
    ImGuiIO& io = ImGui::GetIO();
    io.MousePos = ImVec2(replay->x, replay->y);
    io.MouseDown[0] = replay->down;
  }
  ImGui::NewFrame();
}

namespace {
bool save_png(const std::string& path, int w, int h) {
  std::vector<unsigned char> px(static_cast<std::size_t>(w) * static_cast<std::size_t>(h) * 4);
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  glReadPixels(0, 0, w, h, GL_RGBA, GL_UNSIGNED_BYTE, px.data());
  stbi_flip_vertically_on_write(1);
  return stbi_write_png(path.c_str(), w, h, 4, px.data(), w * 4) != 0;
}
}  // namespace

bool GlfwBackend::end_frame(ImU32 background, const std::string& png) {
  ImGui::Render();
  int fbw = fb_w_, fbh = fb_h_;
  glViewport(0, 0, fbw, fbh);
  ImVec4 bg = ImGui::ColorConvertU32ToFloat4(background);
  glClearColor(bg.x, bg.y, bg.z, 1);
  glClear(GL_COLOR_BUFFER_BIT);
  ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
  bool saved = png.empty() || save_png(png, fbw, fbh);
  glfwSwapBuffers(win_);
  return saved;
}

void GlfwBackend::dark_frame() {
  glClearColor(0, 0, 0, 1);
  glClear(GL_COLOR_BUFFER_BIT);
  glfwSwapBuffers(win_);
}

void GlfwBackend::post_empty_event() { glfwPostEmptyEvent(); }

void GlfwBackend::finish_gpu() { glFinish(); }

// One channel read as (1, 1, 1, a): a quarter of the memory of the backend's RGBA
// upload, on the CPU side and in the GL driver.
void GlfwBackend::upload_font_texture() {
  ImGuiIO& io = ImGui::GetIO();
  unsigned char* pixels = nullptr;
  int w = 0, h = 0;
  io.Fonts->GetTexDataAsAlpha8(&pixels, &w, &h);
  ImGui_ImplOpenGL3_DestroyFontsTexture();  // the backend's RGBA texture, if any
  GLuint tex = font_texture_;
  if (tex) glDeleteTextures(1, &tex);
  glGenTextures(1, &tex);
  font_texture_ = tex;
  glBindTexture(GL_TEXTURE_2D, tex);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
  const GLint swizzle[4] = {GL_ONE, GL_ONE, GL_ONE, GL_RED};
  glTexParameteriv(GL_TEXTURE_2D, GL_TEXTURE_SWIZZLE_RGBA, swizzle);
  glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
  glTexImage2D(GL_TEXTURE_2D, 0, GL_R8, w, h, 0, GL_RED, GL_UNSIGNED_BYTE, pixels);
  io.Fonts->SetTexID(reinterpret_cast<ImTextureID>(static_cast<intptr_t>(tex)));
  io.Fonts->ClearTexData();  // the GPU has it now
}

}  // namespace eco::platform
