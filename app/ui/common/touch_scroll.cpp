#include "ui/common/touch_scroll.hpp"

#include <imgui_internal.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>

#include "ui/common/theme.hpp"

namespace eco::ui {

namespace {

// Per ImGui context (tests make a fresh context per case): what the finger is doing.
struct State {
  ImGuiContext* ctx = nullptr;
  std::uint64_t page = 0;
  int page_frame = -1;      // the frame on which the page last changed
  bool armed = false;       // a finger is down and may still become a drag
  bool dragging = false;    // past the slop: scrolling, never tapping
  ImGuiID window = 0;       // the window it scrolls (0: none under it can scroll)
  ImVec2 press, scroll0;
  std::uint64_t signature = 0;
  bool changed = false;
  ImGuiID claimed = 0;      // the active item that handles its own drags (touch_claim)
  // The "more above / below" arrows drawn this frame (at most a few regions a page: no
  // allocation), and the one a press began on: its release pages that region.
  std::array<ScrollArrow, 8> arrows{};
  std::size_t arrow_count = 0;
  int arrow_frame = -1;
  ScrollArrow pressed_arrow{};
};

State& state() {
  static State s;
  if (s.ctx != ImGui::GetCurrentContext()) s = State{ImGui::GetCurrentContext()};
  return s;
}

void mix(std::uint64_t& h, const void* p, std::size_t n) {
  const auto* b = static_cast<const unsigned char*>(p);
  for (std::size_t i = 0; i < n; ++i) h = (h ^ b[i]) * 1099511628211ULL;
}
void mix(std::uint64_t& h, ImVec2 v) {
  float f[2] = {std::round(v.x * 4) / 4, std::round(v.y * 4) / 4};  // quarter pixels: no float noise
  mix(h, f, sizeof f);
}

// Where every visible window is, how big, how far scrolled and how tall its content.
std::uint64_t layout_signature() {
  ImGuiContext& g = *GImGui;
  std::uint64_t h = 1469598103934665603ULL;
  for (ImGuiWindow* w : g.Windows) {
    if (!w->Active) continue;
    mix(h, &w->ID, sizeof w->ID);
    mix(h, w->Pos);
    mix(h, w->Size);
    mix(h, w->Scroll);
    mix(h, w->ContentSize);
    mix(h, ImVec2(w->DC.CursorMaxPos.x - w->DC.CursorStartPos.x, w->DC.CursorMaxPos.y - w->DC.CursorStartPos.y));
    bool bars[2] = {w->ScrollbarX, w->ScrollbarY};
    mix(h, bars, sizeof bars);
  }
  return h;
}

// The innermost window under the pointer that can scroll and lets the user scroll it.
ImGuiWindow* scrollable_under_pointer() {
  for (ImGuiWindow* w = GImGui->HoveredWindow; w; w = (w->Flags & ImGuiWindowFlags_ChildWindow) ? w->ParentWindow : nullptr)
    if ((w->ScrollMax.y > 0 || w->ScrollMax.x > 0) && !(w->Flags & ImGuiWindowFlags_NoScrollWithMouse)) return w;
  return nullptr;
}

// Whether `w` is `id` or a child window inside it (a popup or modal above is not).
bool within(ImGuiWindow* w, ImGuiID id) {
  for (; w; w = (w->Flags & ImGuiWindowFlags_ChildWindow) ? w->ParentWindow : nullptr)
    if (w->ID == id) return true;
  return false;
}

void arrow(ImDrawList* dl, ImVec2 c, float r, bool down) {
  dl->AddCircleFilled(c, r, color::primary, 24);
  float s = r * 0.45f, dy = down ? s * 0.5f : -s * 0.5f;
  dl->AddTriangleFilled(ImVec2(c.x - s, c.y - dy), ImVec2(c.x + s, c.y - dy), ImVec2(c.x, c.y + dy), color::on_primary);
}

}  // namespace

void touch_page(std::uint64_t key) {
  State& s = state();
  if (key == s.page) return;
  s.page = key;
  s.page_frame = ImGui::GetFrameCount();
  // A finger held over the page before: its release must not act on this one.
  ImGui::ClearActiveID();
  s.armed = s.dragging = false;
  s.window = 0;
  s.pressed_arrow = ScrollArrow{};  // nor page this one's list
}

bool begin_scroll_region(const char* id, ImVec2 size, bool overflows, ImGuiWindowFlags flags) {
  if (state().page_frame == ImGui::GetFrameCount()) ImGui::SetNextWindowScroll(ImVec2(0, 0));
  if (overflows) flags |= ImGuiWindowFlags_AlwaysVerticalScrollbar;
  return ImGui::BeginChild(id, size, false, flags);
}

void end_scroll_region(float scale) {
  ImGuiWindow* w = ImGui::GetCurrentWindow();
  float max_y = w->ScrollMax.y, y = w->Scroll.y;
  if (max_y > 0.5f) {
    ImDrawList* dl = w->DrawList;
    ImRect r = w->InnerRect, outer = w->Rect();
    dl->PushClipRect(outer.Min, outer.Max, false);
    float fade = std::min(48.f * scale, r.GetHeight() * 0.2f), rad = 22.f * scale;
    ImU32 clear = color::background & 0x00FFFFFFu, solid = (color::background & 0x00FFFFFFu) | 0xE6000000u;
    // The arrows sit at the ends of the scrollbar, as a scrollbar's buttons do: in the
    // middle of the region they covered the word of a card drawn there (a rating's 一般).
    // (No scrollbar yet in a region's first frame: its right edge then.)
    float cx = w->ScrollbarY && w->ScrollbarSizes.x > 0 ? ImGui::GetWindowScrollbarRect(w, ImGuiAxis_Y).GetCenter().x
                                                         : r.Max.x;
    cx = std::min(cx, outer.Max.x - rad);
    // An arrow looks like a button and is one: a tap on it (a little around it, for a
    // finger) pages the region, and never reaches the answer drawn under it (the review
    // of session 24 tapped ▼ and stored the answer beneath).
    State& s = state();
    if (s.arrow_frame != ImGui::GetFrameCount()) s.arrow_count = 0, s.arrow_frame = ImGui::GetFrameCount();
    auto keep = [&](ImVec2 c, bool down) {
      if (s.arrow_count == s.arrows.size()) return;
      float reach = rad * 1.5f;
      ImRect hit(ImVec2(c.x - reach, c.y - reach), ImVec2(c.x + reach, c.y + reach));
      hit.ClipWith(outer);
      s.arrows[s.arrow_count++] = ScrollArrow{w->ID, hit.Min, hit.Max, down, c, rad};
    };
    if (y > 0.5f) {  // more above
      dl->AddRectFilledMultiColor(r.Min, ImVec2(r.Max.x, r.Min.y + fade), solid, solid, clear, clear);
      arrow(dl, ImVec2(cx, r.Min.y + rad + 4 * scale), rad, false);
      keep(ImVec2(cx, r.Min.y + rad + 4 * scale), false);
    }
    if (y < max_y - 0.5f) {  // more below
      dl->AddRectFilledMultiColor(ImVec2(r.Min.x, r.Max.y - fade), r.Max, clear, clear, solid, solid);
      arrow(dl, ImVec2(cx, r.Max.y - rad - 4 * scale), rad, true);
      keep(ImVec2(cx, r.Max.y - rad - 4 * scale), true);
    }
    dl->PopClipRect();
  }
  ImGui::EndChild();
}

void touch_drag(float slop) {
  State& s = state();
  ImGuiContext& g = *GImGui;
  ImGuiIO& io = g.IO;
  std::uint64_t sig = layout_signature();
  s.changed = sig != s.signature;
  s.signature = sig;
  if (io.MouseClicked[0]) {
    s.armed = s.dragging = false;
    s.window = 0;
    // The press was tested against a layout other than the one on screen (a new page,
    // or one that moved since the last frame): it must not act.
    if (s.page_frame == g.FrameCount || s.changed) {
      ImGui::ClearActiveID();
      return;
    }
    ImGuiWindow* w = scrollable_under_pointer();
    bool left_to_imgui = g.ActiveId != 0 &&
                         ((w && (g.ActiveId == ImGui::GetWindowScrollbarID(w, ImGuiAxis_Y) ||
                                 g.ActiveId == ImGui::GetWindowScrollbarID(w, ImGuiAxis_X))) ||
                          g.ActiveId == g.InputTextState.ID || g.ActiveId == s.claimed);
    if (left_to_imgui) return;
    s.pressed_arrow = ScrollArrow{};
    if (s.arrow_frame == g.FrameCount)
      for (std::size_t i = 0; i < s.arrow_count; ++i) {
        const ScrollArrow& a = s.arrows[i];
        if (ImRect(a.min, a.max).Contains(io.MousePos) && within(g.HoveredWindow, a.window)) {
          ImGui::ClearActiveID();  // the answer under the arrow is not pressed
          s.pressed_arrow = a;
          break;
        }
      }
    s.armed = true;
    s.window = w ? w->ID : 0;
    s.press = io.MousePos;
    s.scroll0 = w ? w->Scroll : ImVec2(0, 0);
  }
  if (!io.MouseDown[0] && s.pressed_arrow.window) {
    // Lifted without dragging: a page, keeping a fifth of the last one in view.
    ImGuiWindow* w = ImGui::FindWindowByID(s.pressed_arrow.window);
    if (!s.dragging && io.MouseReleased[0] && w && w->Active) {
      float step = w->InnerRect.GetHeight() * 0.8f;
      ImGui::SetScrollY(w, std::clamp(w->Scroll.y + (s.pressed_arrow.down ? step : -step), 0.f, w->ScrollMax.y));
    }
    s.pressed_arrow = ScrollArrow{};
  }
  if (!io.MouseDown[0] || !s.armed || !ImGui::IsMousePosValid()) {
    if (!io.MouseDown[0]) s.armed = s.dragging = false;
    return;
  }
  ImVec2 d(io.MousePos.x - s.press.x, io.MousePos.y - s.press.y);
  float len = std::sqrt(d.x * d.x + d.y * d.y);
  if (!s.dragging && len > slop) {
    s.dragging = true;
    // Follow the finger from the slop's edge, so the content does not jump by the slop.
    s.press = ImVec2(s.press.x + d.x * slop / len, s.press.y + d.y * slop / len);
    d = ImVec2(io.MousePos.x - s.press.x, io.MousePos.y - s.press.y);
  }
  if (!s.dragging) return;
  ImGui::ClearActiveID();  // a drag is never a tap
  ImGuiWindow* w = s.window ? ImGui::FindWindowByID(s.window) : nullptr;
  if (!w || !w->Active) return;
  if (w->ScrollMax.y > 0) ImGui::SetScrollY(w, s.scroll0.y - d.y);
  if (w->ScrollMax.x > 0) ImGui::SetScrollX(w, s.scroll0.x - d.x);
}

void touch_claim() {
  state().claimed = GImGui->LastItemData.ID;
  state().armed = state().dragging = false;
}

bool touch_dragging() { return state().dragging; }

std::span<const ScrollArrow> scroll_arrows() {
  const State& s = state();
  if (s.arrow_frame != ImGui::GetFrameCount()) return {};
  return {s.arrows.data(), s.arrow_count};
}

bool layout_changed() { return state().changed; }

}  // namespace eco::ui
