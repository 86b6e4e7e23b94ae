// One frame of the kiosk: a borderless full-window ImGui window holding the current
// screen, and the idle overlay above it. Shared by the real window and headless tests.
#include "ui/resident/frame.hpp"

#include <algorithm>
#include <cstring>
#include <string>

#include "ui/common/theme.hpp"
#include "ui/resident/view.hpp"
#include "ui/common/touch_scroll.hpp"

namespace eco::ui {

namespace {
// No database could be opened: staff who make the corner gesture see why (the console
// needs a database), and that nothing was moved or lost.
Intent draw_store_problem(const View& v) {
  Intent out;
  float w = v.size.x - 2 * ImGui::GetStyle().WindowPadding.x;
  text_wrapped(v.t(T("staff.db_unavailable.title")), color::primary, v.fonts.title, w);
  text_wrapped(v.t(T("staff.db_unavailable.body")), color::text, v.fonts.body, w);
  ImGui::Dummy(ImVec2(0, v.px(12)));
  text_wrapped(v.model.store_problem(), color::muted, v.fonts.small, w);
  ImGui::Dummy(ImVec2(0, v.px(24)));
  if (big_button("##store_problem_back", v.t(T("staff.db_unavailable.back")), ImVec2(v.px(320), v.px(96)), v.fonts.body))
    out = intent::Home{};
  return out;
}

// An older database is being updated before the kiosk can serve (once, at start-up):
// what is happening, that nothing is lost, and how far it has got.
void draw_database_update(const View& v) {
  const KioskModel::DatabaseUpdate& u = v.model.database_update();
  float w = v.size.x - 2 * ImGui::GetStyle().WindowPadding.x;
  ImGui::Dummy(ImVec2(0, v.size.y * 0.25f));
  text_wrapped(v.t(T("welcome.updating.title")), color::primary, v.fonts.title, w);
  text_wrapped(v.t(T("welcome.updating.body")), color::text, v.fonts.body, w);
  ImGui::Dummy(ImVec2(0, v.px(24)));
  float frac = u.total > 0 ? static_cast<float>(static_cast<double>(u.done) / static_cast<double>(u.total)) : 0.f;
  frac = std::clamp(frac, 0.f, 1.f);
  ImVec2 p = ImGui::GetCursorScreenPos();
  float h = v.px(28);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddRectFilled(p, ImVec2(p.x + w, p.y + h), color::card, h / 2);
  dl->AddRect(p, ImVec2(p.x + w, p.y + h), color::card_border, h / 2, 0, 2 * color::current.border);
  if (frac > 0) dl->AddRectFilled(p, ImVec2(p.x + std::max(h, w * frac), p.y + h), color::primary, h / 2);
  ImGui::Dummy(ImVec2(w, h + v.px(12)));
  std::string pct = std::to_string(static_cast<int>(frac * 100)) + "%";
  text_wrapped(v.tf(T("welcome.updating.progress"), {{"pct", pct}}), color::muted, v.fonts.body, w);
}

// What identifies the page on screen: the screen, the question (of which session), the
// language, the text size and the window. Hashed without allocating (idle frames allocate nothing).
std::uint64_t page_key(const View& v) {
  std::uint64_t h = 1469598103934665603ULL;
  auto mix = [&](const void* p, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) h = (h ^ static_cast<const unsigned char*>(p)[i]) * 1099511628211ULL;
  };
  auto mix_s = [&](const std::string& s) { mix(s.data(), s.size() + 1); };
  Screen screen = v.model.screen();
  int text_size = v.model.text_size();
  mix(&screen, sizeof screen);
  mix(&text_size, sizeof text_size);
  mix(&v.size, sizeof v.size);
  mix(&v.scale, sizeof v.scale);
  mix_s(v.model.lang());
  if (const Session* s = v.model.session()) {
    mix_s(s->id());
    if (const Question* q = s->current()) mix_s(q->id);
  }
  return h;
}
}  // namespace

Intent draw_frame(const View& v) {
  // The resident's theme for this frame only: the console and anything drawn after keep
  // the standard one.
  use_palette(v.model.high_contrast() ? kHighContrastPalette : kStandardPalette);
  touch_page(page_key(v));
  ImGui::SetNextWindowPos(ImVec2(0, 0));
  ImGui::SetNextWindowSize(v.size);
  // No background of its own: the frame is cleared to the palette's background
  // (KioskFrame), and a second full-screen fill costs a software renderer (Mesa's
  // llvmpipe) tens of milliseconds a frame.
  ImGui::Begin("##kiosk", nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                   ImGuiWindowFlags_NoBringToFrontOnFocus | ImGuiWindowFlags_NoScrollWithMouse |
                   ImGuiWindowFlags_NoBackground);
  ImGui::PushFont(v.fonts.body);
  Intent in;
  if (v.model.database_update().on) {
    draw_database_update(v);  // nothing to tap: the kiosk serves when the update is done
    ImGui::PopFont();
    ImGui::End();
    use_palette(kStandardPalette);
    return in;
  }
  switch (v.model.screen()) {
    case Screen::welcome: in = draw_welcome(v); break;
    case Screen::question: in = draw_question(v); break;
    case Screen::finish: in = draw_finish(v); break;
    case Screen::admin:  // the console draws itself (console_frame.cpp); without a database, why
      if (!v.model.store_problem().empty()) in = draw_store_problem(v);
      break;
  }
  ImGui::PopFont();
  ImGui::End();
  if (v.model.idle_overlay()) {
    in = draw_idle_overlay(v);  // the overlay is on top: whatever the screen below asked for is dropped
  } else if (v.model.leave_asked() != LeaveAsk::none) {
    in = draw_leave_dialog(v);  // likewise: only its two answers count
  } else if (v.model.staff_call_shown()) {
    in = draw_staff_call(v);  // the message for staff covers the screen until closed
  }
  // A finger on the glass anywhere (text, empty space) is the resident still there.
  const ImGuiIO& io = ImGui::GetIO();
  // Reading stops the moment a finger lands anywhere (on 朗读 too: its release then
  // does not start it again, read_aloud_widgets.cpp).
  // Where it came down, in the layout's units at the normal text size: how far apart two
  // taps are on the glass, whatever the window or the text size (kiosk_model.hpp, kAimMs).
  const float unit = v.scale / v.model.text_scale();
  const float x = io.MouseClickedPos[0].x / unit, y = io.MouseClickedPos[0].y / unit;
  if (io.MouseClicked[0] && none(in) && v.model.reading()) in = intent::StopReading{true, x, y};
  if (none(in) && (io.MouseDown[0] || io.MouseReleased[0]))
    in = intent::Touch{io.MouseClicked[0], io.MouseReleased[0], x, y};
  touch_drag(kTouchSlop * v.scale);
  use_palette(kStandardPalette);
  return in;
}

float scale_for(ImVec2 size) {
  float longer = std::max(size.x, size.y), shorter = std::min(size.x, size.y);
  return std::max(0.5f, std::min(longer / 1920.f, shorter / 1080.f));
}

}  // namespace eco::ui
