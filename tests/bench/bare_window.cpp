// The baseline for start-up: a bare Dear ImGui GLFW/OpenGL3 window with the default
// font, timed from the start of main to its first frame on screen, as the kiosk is. With --hold it
// keeps drawing (event-driven) until killed: the baseline for peak memory.
#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>
#include <imgui.h>
#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>
#include <GL/gl.h>

#include <chrono>
#include <cstdio>
#include <string_view>

int main(int argc, char** argv) {
  bool hold = argc > 1 && std::string_view(argv[1]) == "--hold";
  auto t0 = std::chrono::steady_clock::now();
  if (!glfwInit()) return 1;
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 0);
  GLFWwindow* w = glfwCreateWindow(1920, 1080, "bare", nullptr, nullptr);
  if (!w) return 1;
  glfwMakeContextCurrent(w);
  ImGui::CreateContext();
  ImGui::GetIO().IniFilename = nullptr;
  ImGui_ImplGlfw_InitForOpenGL(w, true);
  ImGui_ImplOpenGL3_Init("#version 130");
  ImGui_ImplOpenGL3_NewFrame();
  ImGui_ImplGlfw_NewFrame();
  ImGui::NewFrame();
  ImGui::Begin("hello");
  ImGui::Text("first frame");
  ImGui::End();
  ImGui::Render();
  glClear(GL_COLOR_BUFFER_BIT);
  ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
  glFinish();
  double drawn = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  // Shown, not only drawn: the kiosk's clock stops after its first frame's swap and a
  // glFinish (kiosk_window.cpp, after_first_frame), so this one stops at the same point.
  glfwSwapBuffers(w);
  glFinish();
  std::printf("first frame after %.1f ms (drawn after %.1f ms)\n",
              std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count(), drawn);
  std::fflush(stdout);  // seen even when the held window is killed
  while (hold && !glfwWindowShouldClose(w)) {
    glfwWaitEventsTimeout(0.5);
    ImGui_ImplOpenGL3_NewFrame();
    ImGui_ImplGlfw_NewFrame();
    ImGui::NewFrame();
    ImGui::Begin("hello");
    ImGui::Text("first frame");
    ImGui::End();
    ImGui::Render();
    glClear(GL_COLOR_BUFFER_BIT);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
    glfwSwapBuffers(w);
  }
  ImGui_ImplOpenGL3_Shutdown();
  ImGui_ImplGlfw_Shutdown();
  ImGui::DestroyContext();
  glfwDestroyWindow(w);
  glfwTerminate();
  return 0;
}
