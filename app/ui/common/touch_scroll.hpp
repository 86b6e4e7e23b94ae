// Touch input for every scrollable region, resident screens and console alike: a finger
// dragged over content scrolls it, a tap that wobbles less than the slop is still a tap,
// and a drag never selects. Each new page (question, screen, text size, language) opens
// its regions at the top and drops a press begun on the page before. The loop keeps
// drawing until the layout stops moving, so a press is hit-tested against what is shown.
#pragma once
#include <imgui.h>

#include <cstdint>
#include <span>

namespace eco::ui {

// How far a finger may wobble and still tap, at scale 1 (1920x1080). About 4 mm on a
// 21.5" 1080p screen; the caller multiplies by the UI scale.
constexpr float kTouchSlop = 16.f;

// Once per frame, before any region is drawn: what identifies the page on screen. A new
// key resets every region's scroll to the top this very frame and cancels a press that
// began on the previous page (its release must not act on the new one).
void touch_page(std::uint64_t key);

// BeginChild for content that may be taller than its box: opens at the top on a new page,
// scrolls by finger (touch_drag) and shows a finger-sized scrollbar when it overflows.
// `overflows` says whether the content is known to be taller; the scrollbar then shows
// from the first frame, so the width the content is laid out in does not change.
bool begin_scroll_region(const char* id, ImVec2 size, bool overflows, ImGuiWindowFlags flags = 0);
// Draws "more above / more below" (a fade and an arrow) over the region, then EndChild.
// Each arrow is a button: tapped, it pages the region (touch_drag), and the answer drawn
// under it is not pressed.
void end_scroll_region(float scale);

// An arrow drawn this frame: the region it pages, where it takes a tap, which way.
struct ScrollArrow {
  ImGuiID window = 0;
  ImVec2 min, max;  // where a tap pages (the disc and a little around it)
  bool down = false;
  ImVec2 centre;    // the disc drawn
  float radius = 0;
};
// The arrows drawn in the current frame (tests and the screenshot tour find them here).
std::span<const ScrollArrow> scroll_arrows();

// Once per frame, after every window is submitted and before ImGui::Render: follows the
// finger. A press over any window that can scroll (a scroll region, a console table or
// list, a combo's popup) arms a drag; past the slop the press is cancelled and the window
// follows the finger. Presses on a scrollbar or in a text field are left to ImGui.
void touch_drag(float slop_px);
// Called by a widget that follows the finger itself (the writing pad) while it is held:
// the press is its own, so a drag neither scrolls nor cancels it.
void touch_claim();
// True while the finger that went down is scrolling (tests and the loop's redraws).
bool touch_dragging();

// After ImGui::Render: whether any window moved, resized, scrolled or changed its content
// size since the frame before. The loop draws again until it is false (bounded), so the
// frame the resident sees is the frame the next press is tested against.
bool layout_changed();

}  // namespace eco::ui
