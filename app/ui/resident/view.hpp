// What every screen needs to draw: strings, the model, fonts and sizes. Screens are
// functions of this context that return an Intent; they own nothing.
#pragma once
#include <imgui.h>

#include <map>
#include <span>
#include <string>
#include <vector>

#include "core/support/i18n.hpp"
#include "kiosk/kiosk_model.hpp"
#include "ui/common/fonts.hpp"
#include "ui/common/kept_text.hpp"

namespace eco::ui {

struct View {
  const Strings& strings;
  const KioskModel& model;
  const FontSet& fonts;
  float scale = 1;    // 1.0 at 1920x1080 (or 1080x1920), times the resident's text size
  ImVec2 size;        // the window in pixels
  bool portrait = false;

  const std::string& t(const char* key) const { return strings.get(model.lang(), key); }
  // Formatted text, kept while it is drawn again (kept_text.hpp): valid within the frame.
  const std::string& tf(const char* key, TextArgs args) const { return kept_format(t(key), args); }
  float px(float v) const { return v * scale; }
  // The staff corner's side: the window's scale alone (staff need no larger corner when a
  // resident picks larger text, and the header's switches get the room).
  float staff_corner() const { return 120 * scale / model.text_scale(); }
};

// Where each tappable widget was drawn this frame, by label. Null in the kiosk (no
// cost); headless UI tests point it at a vector to find and tap items by their text.
struct HitItem {
  std::string label;
  ImVec2 min, max;
  // The part of the screen its window shows (the scroll region's visible rectangle):
  // an item is seen in full only when min..max lies inside it.
  ImVec2 clip_min{-1e9f, -1e9f}, clip_max{1e9f, 1e9f};
};
extern std::vector<HitItem>* g_hit_items;
// Every text_wrapped() string drawn this frame; null in the kiosk (no cost), set by
// headless tests to check what a screen says (a score, a refusal's reason).
extern std::vector<std::string>* g_text_items;
// Records an item drawn at min..max in the current window, with that window's clip.
void record_hit(const std::string& label, ImVec2 min, ImVec2 max);

// A large touch card: white, rounded, text wrapped inside; selected = filled green with ✓.
bool card(const char* id, const std::string& label, ImVec2 size, bool selected, ImFont* font,
          const std::string& detail = {}, ImFont* detail_font = nullptr);
// A solid green button (primary) or an outlined one.
bool big_button(const char* id, const std::string& label, ImVec2 size, ImFont* font, bool primary = true);
// Wrapped text in a colour.
void text_wrapped(const std::string& s, ImU32 colour, ImFont* font, float wrap_width);
// A heading: one line in `big`, or in `small` when `big` is too wide, wrapped only if
// neither fits (so a title is not broken inside a word).
void heading(const std::string& s, ImU32 colour, ImFont* big, ImFont* small, float width);

// Line breaking for Chinese and English: a line breaks after a space or punctuation
// (，。、；：！？ and their ASCII forms) or before an opening bracket where it can, so
// a word such as 满意度 is not split while the line has a place to break; closing
// punctuation never starts a line. A run with no such place that is wider than the
// line is broken between characters, as the last resort. '\n' always breaks.
struct TextLine {
  const char* begin;
  const char* end;
  float width;
};
std::vector<TextLine> wrap_lines(ImFont* font, float size, const char* text, const char* text_end, float width);
void wrap_lines(ImFont* font, float size, const char* text, const char* text_end, float width, std::vector<TextLine>& lines);
// Draws wrapped lines at `pos`; returns the size they took.
ImVec2 draw_wrapped(ImDrawList* dl, ImFont* font, float size, ImVec2 pos, ImU32 colour, const std::string& s, float width);
ImVec2 measure_wrapped(ImFont* font, float size, const std::string& s, float width);

// 呼叫工作人员, the language, text-size and contrast switches (and, on a question, 退出),
// right-aligned in as many rows as they need, each in one place at a text size on every
// screen, language and setting (widgets.cpp); each sets `out` when tapped. Returns the
// rows' height; `left` gets the screen x where the leftmost switch begins, `last_left`
// and `last_h` where the last row begins and how tall it is (room beside it for a title).
float top_switches(const View& v, Intent& out, bool with_quit, float* left = nullptr, float* last_left = nullptr,
                   float* last_h = nullptr);
// The header of a question or the thanks page (page_header.cpp): top_switches, 🔊 朗读
// beside them, and `lines` (the first may wrap once) in the room left, beside the
// switches or under them. Returns the window y where the page's content may begin.
struct HeaderLine {
  const std::string* text;
  ImFont* font;
  ImU32 color;
};
float page_header(const View& v, Intent& out, bool with_quit, std::span<const HeaderLine> lines);
// Where a row of the header drawn at window y may begin: clear of the welcome screen's
// staff corner while beside it, else at the window's padding.
float header_row_left(const View& v, float y);

// Read-aloud (read_aloud_widgets.cpp): 🔊 朗读 / 停止朗读 at the cursor, and the welcome
// screen's switch to read every page; both `h` tall, neither drawn (width 0) without sound.
float read_aloud_width(const View& v, float h);
void read_aloud_button(const View& v, Intent& out, float h);
float auto_read_width(const View& v, float h);
void auto_read_switch(const View& v, Intent& out, float h);

Intent draw_welcome(const View& v);
Intent draw_question(const View& v);
// The on-screen input of the text question on screen, filling `area` (screen_text.cpp).
Intent draw_text_answer(const View& v, ImVec2 area);
// The least height the text question's input needs for fingertip-sized keys (0 without one).
float text_answer_min_height(const View& v, float width);
Intent draw_finish(const View& v);
Intent draw_idle_overlay(const View& v);
Intent draw_leave_dialog(const View& v);
Intent draw_staff_call(const View& v);
// The five-step rating scale: a face, a colour and the words for each step, large and
// centred (screen_rating.cpp). Returns the option tapped.
const Option* rating_scale(const View& v, const Session& s, const Question& q, ImVec2 area);
float rating_scale_height(const View& v, const Session& s, const Question& q, float width, float height);

}  // namespace eco::ui
