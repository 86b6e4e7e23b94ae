// The admin console's screens: functions of the ConsoleModel that return a
// ConsoleIntent. Dense and calm: a tool for department staff with a keyboard at hand.
#pragma once
#include <imgui.h>

#include <initializer_list>
#include <map>
#include <string>

#include "console/console_model.hpp"
#include "core/support/time.hpp"
#include "core/support/i18n.hpp"
#include "ui/common/fonts.hpp"
#include "ui/common/kept_text.hpp"

namespace eco::ui {

struct ConsoleView {
  const Strings& strings;
  ConsoleModel& model;  // forms are edited in place; everything else goes through intents
  ImFont* font;         // console text (catalog glyphs and common Chinese)
  ImFont* heading;
  float scale = 1;
  ImVec2 size;
  std::string lang = "zh";
  std::string save_banner;  // the kiosk's unsaved responses, shown in red when not empty

  const std::string& t(std::string_view key) const { return strings.get(lang, key); }
  // Formatted text, kept while it is drawn again (kept_text.hpp): valid within the frame.
  const std::string& tf(std::string_view key, TextArgs args) const { return kept_format(t(key), args); }
  // A model message (key and argument) in words.
  std::string message(const ConsoleMessage& m) const;
  float px(float v) const { return v * scale; }
};

ConsoleIntent draw_console(ConsoleView& v);
ConsoleIntent draw_console_pin(ConsoleView& v);
ConsoleIntent draw_console_overview(ConsoleView& v);
ConsoleIntent draw_console_detail(ConsoleView& v);
ConsoleIntent draw_console_departments(ConsoleView& v);
ConsoleIntent draw_console_survey(ConsoleView& v);
ConsoleIntent draw_console_audit(ConsoleView& v);
ConsoleIntent draw_console_settings(ConsoleView& v);
// The touch keyboard over the page while a field is being written (console_input.cpp),
// and the button beside a field that opens it.
ConsoleIntent draw_console_input(ConsoleView& v);
bool touch_input_button(ConsoleView& v, const char* field, ConsoleIntent& out);

// Shared widgets: a button that headless tests can find by its label, a filter chip,
// a coloured status badge, and horizontal bars with the number beside each.
bool cbutton(const std::string& label, const char* id, ImVec2 size = ImVec2(0, 0));
bool chip(const std::string& label, const char* id, bool selected);
void status_badge(const ConsoleView& v, Status s);
ImU32 status_colour(Status s);
void hbar(const std::string& label, double value, double max, const std::string& number, float label_w, float bar_w,
          ImU32 colour);
std::string fmt_time(TimeMs t, int utc_offset_minutes);
// A table filling the rest of the page, one stretched column per header, the header
// row frozen while the rows scroll; when it returns true, the rows, then EndTable().
bool begin_page_table(const char* id, std::initializer_list<std::string> headers);

}  // namespace eco::ui
