// The few widgets every screen shares, drawn with the draw list so they look like
// touch cards rather than ImGui's debug buttons.
#include <imgui_internal.h>

#include <algorithm>
#include <span>
#include <string_view>

#include "ui/common/theme.hpp"
#include "ui/resident/view.hpp"

namespace eco::ui {

std::vector<HitItem>* g_hit_items = nullptr;
std::vector<std::string>* g_text_items = nullptr;

void record_hit(const std::string& label, ImVec2 min, ImVec2 max) {
  if (!g_hit_items) return;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  g_hit_items->push_back({label, min, max, dl->GetClipRectMin(), dl->GetClipRectMax()});
}

namespace {
// Where a line may break: after these, or before the opening ones.
bool closing(unsigned c) {
  switch (c) {
    case 0xFF0C: case 0x3002: case 0x3001: case 0xFF1B: case 0xFF1A: case 0xFF01: case 0xFF1F:  // ，。、；：！？
    case 0xFF09: case 0x300B: case 0x300D: case 0x300F: case 0x201D: case 0x2019:              // ）》」』”’
    case ',': case '.': case ';': case ':': case '!': case '?': case ')': case 0x00B7: case 0x2014:
      return true;
    default: return false;
  }
}
bool cjk(unsigned c) { return c >= 0x2E80 && c < 0xA000; }
bool digit(unsigned c) { return c >= '0' && c <= '9'; }
bool opening(unsigned c) {
  return c == 0xFF08 || c == 0x300A || c == 0x300C || c == 0x300E || c == 0x201C || c == 0x2018 || c == '(';
}
}  // namespace

std::vector<TextLine> wrap_lines(ImFont* font, float size, const char* text, const char* text_end, float width) {
  std::vector<TextLine> lines;
  wrap_lines(font, size, text, text_end, width, lines);
  return lines;
}

void wrap_lines(ImFont* font, float size, const char* text, const char* text_end, float width, std::vector<TextLine>& lines) {
  lines.clear();
  const float k = size / font->FontSize;
  const char* line = text;  // start of the current line
  const char* brk = nullptr;  // the latest place on this line where it may break
  float w = 0, brk_w = 0;     // width of the line so far, and up to brk
  auto emit = [&](const char* end, float lw) {
    // Trailing spaces do not count.
    while (end > line && end[-1] == ' ') {
      --end;
      lw -= font->GetCharAdvance(' ') * k;
    }
    lines.push_back({line, end, std::max(0.f, lw)});
  };
  const char* p = text;
  unsigned prev = 0;
  while (p < text_end) {
    unsigned c = 0;
    int n = ImTextCharFromUtf8(&c, p, text_end);
    if (n <= 0) n = 1;
    const char* next = p + n;
    if (c == '\n') {
      emit(p, w);
      line = next;
      brk = nullptr;
      w = brk_w = 0;
      p = next;
      continue;
    }
    if (c == ' ' && p == line && !lines.empty()) {  // no leading space on a wrapped line
      line = next;
      p = next;
      continue;
    }
    float cw = font->GetCharAdvance(static_cast<ImWchar>(c)) * k;
    if (opening(c) && p > line) { brk = p; brk_w = w; }
    // 11:07, 3.5, 1,000: the mark between two digits is inside one number.
    unsigned after_c = 0;
    if (next < text_end) ImTextCharFromUtf8(&after_c, next, text_end);
    bool in_number = (c == ':' || c == '.' || c == ',') && digit(prev) && digit(after_c);
    // Closing punctuation may hang past the edge (it never starts a line); a separator
    // such as · or — may not: it would run into a card's border.
    bool hangs = closing(c) && c != 0x00B7 && c != 0x2014 && !in_number;
    if (w + cw > width && p > line && c != ' ' && !hangs) {
      if (brk && brk > line) {
        emit(brk, brk_w);
        line = brk;
        while (line < text_end && *line == ' ') ++line;
        // Measure again from the new line start up to here.
        w = 0;
        for (const char* q = line; q < p;) {
          unsigned cc = 0;
          int m = ImTextCharFromUtf8(&cc, q, text_end);
          w += font->GetCharAdvance(static_cast<ImWchar>(cc)) * k;
          q += m > 0 ? m : 1;
        }
      } else {
        emit(p, w);  // no place to break: between characters
        line = p;
        w = 0;
      }
      brk = nullptr;
      brk_w = 0;
    }
    w += cw;
    bool may_break = closing(c) && !in_number;
    if (c == ' ') {
      // "约 4 分钟", "第 1 题": the space between a number and its Chinese word holds.
      unsigned after = 0;
      if (next < text_end) ImTextCharFromUtf8(&after, next, text_end);
      may_break = !((digit(prev) && cjk(after)) || (cjk(prev) && digit(after)));
    }
    if (may_break) { brk = next; brk_w = w; }
    prev = c;
    p = next;
  }
  if (line < text_end || lines.empty()) emit(text_end, w);
}

namespace {
// The lines of the text being measured or drawn, kept between calls (UI thread only) so
// that wrapping the same text again allocates nothing.
std::vector<TextLine>& scratch_lines() {
  static std::vector<TextLine> lines;
  return lines;
}
}  // namespace

ImVec2 measure_wrapped(ImFont* font, float size, const std::string& s, float width) {
  std::vector<TextLine>& lines = scratch_lines();
  wrap_lines(font, size, s.data(), s.data() + s.size(), width, lines);
  float w = 0;
  for (const auto& l : lines) w = std::max(w, l.width);
  return ImVec2(w, size * static_cast<float>(lines.size()));
}

ImVec2 draw_wrapped(ImDrawList* dl, ImFont* font, float size, ImVec2 pos, ImU32 colour, const std::string& s, float width) {
  std::vector<TextLine>& lines = scratch_lines();
  wrap_lines(font, size, s.data(), s.data() + s.size(), width, lines);
  float w = 0, y = pos.y;
  for (const auto& l : lines) {
    dl->AddText(font, size, ImVec2(pos.x, y), colour, l.begin, l.end);
    y += size;
    w = std::max(w, l.width);
  }
  return ImVec2(w, y - pos.y);
}

namespace {
void record(const std::string& label, ImVec2 p, ImVec2 size) {
  record_hit(label, p, ImVec2(p.x + size.x, p.y + size.y));
}
}  // namespace

bool card(const char* id, const std::string& label, ImVec2 size, bool selected, ImFont* font,
          const std::string& detail, ImFont* detail_font) {
  ImVec2 p = ImGui::GetCursorScreenPos();
  bool clicked = ImGui::InvisibleButton(id, size);
  record(label, p, size);
  bool held = ImGui::IsItemActive();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  float r = std::min(size.y * 0.2f, ImGui::GetStyle().FrameRounding * 1.4f);
  ImVec2 q(p.x + size.x, p.y + size.y);
  ImU32 fill = selected ? color::primary : held ? color::card_pressed : color::card;
  dl->AddRectFilled(p, q, fill, r);
  // Chosen: filled, a ✓ and an outline twice as thick, so the choice never rests on colour alone.
  float edge = std::max(2.f, font->FontSize * 0.06f) * color::current.border;
  dl->AddRect(p, q, selected ? color::selected_border : color::card_border, r, 0, selected ? edge * 2 : edge);
  ImU32 ink = selected ? color::on_primary : color::text;
  float pad = font->FontSize * 0.6f;
  float mark_w = font->FontSize * 1.1f;
  float wrap = size.x - 2 * pad - mark_w;
  ImVec2 ts = measure_wrapped(font, font->FontSize, label, wrap);
  float total_h = ts.y;
  ImVec2 ds(0, 0);
  if (!detail.empty() && detail_font) {
    ds = measure_wrapped(detail_font, detail_font->FontSize, detail, wrap);
    total_h += ds.y + detail_font->FontSize * 0.2f;
  }
  // Plain options are centred; cards with a description read from the top.
  float y = ds.y > 0 ? p.y + pad * 1.5f : p.y + std::max(pad * 0.5f, (size.y - total_h) * 0.5f);
  dl->PushClipRect(p, q, true);
  draw_wrapped(dl, font, font->FontSize, ImVec2(p.x + pad, y), ink, label, wrap);
  if (ds.y > 0)
    draw_wrapped(dl, detail_font, detail_font->FontSize, ImVec2(p.x + pad, y + ts.y + detail_font->FontSize * 0.2f),
                 selected ? color::on_primary : color::muted, detail, wrap);
  if (selected)
    dl->AddText(font, font->FontSize, ImVec2(q.x - pad - font->FontSize, p.y + (size.y - font->FontSize) * 0.5f),
                color::on_primary, "✓");
  dl->PopClipRect();
  return clicked;
}

bool big_button(const char* id, const std::string& label, ImVec2 size, ImFont* font, bool primary) {
  ImVec2 p = ImGui::GetCursorScreenPos();
  bool clicked = ImGui::InvisibleButton(id, size);
  record(label, p, size);
  bool held = ImGui::IsItemActive();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  ImVec2 q(p.x + size.x, p.y + size.y);
  float r = size.y * 0.5f;
  if (primary) {
    dl->AddRectFilled(p, q, held ? color::primary_pressed : color::primary, r);
  } else {
    dl->AddRectFilled(p, q, held ? color::card_pressed : color::card, r);
    dl->AddRect(p, q, color::primary, r, 0, std::max(2.f, size.y * 0.03f) * color::current.border);
  }
  ImVec2 ts = font->CalcTextSizeA(font->FontSize, FLT_MAX, 0, label.c_str());
  dl->AddText(font, font->FontSize, ImVec2(p.x + (size.x - ts.x) * 0.5f, p.y + (size.y - ts.y) * 0.5f),
              primary ? color::on_primary : color::primary, label.c_str());
  return clicked;
}

// Clear of the welcome screen's staff corner while beside it (view.hpp).
float header_row_left(const View& v, float y) {
  ImGuiStyle& st = ImGui::GetStyle();
  return y < v.staff_corner() ? std::max(st.WindowPadding.x, v.staff_corner() + st.ItemSpacing.x) : st.WindowPadding.x;
}

// Each switch has one place at a given text size, on the welcome screen and on every
// question, in both languages and whichever way it is set: a resident who switched to
// English and tapped the same spot to switch back pressed 呼叫工作人员, because the labels
// had changed width and the row had moved. So each switch is as wide as its widest label
// in either language and state; rows fill from the top-right corner (the text-size
// switch in the corner itself, where a larger size only grows it down and left, so the
// same spot steps through all three); 退出 takes the last place and on the welcome
// screen leaves it empty.
float top_switches(const View& v, Intent& out, bool with_quit, float* left, float* last_left, float* last_h) {
  ImGuiStyle& st = ImGui::GetStyle();
  ImFont* f = v.fonts.body;
  float h = std::max(v.px(76), f->FontSize * 1.7f);
  // The size switch names the size a tap gives: normal -> large -> extra large -> normal.
  static const char* const size_keys[] = {T("welcome.large_text"), T("welcome.xlarge_text"), T("welcome.normal_text")};
  static const char* const contrast_keys[] = {T("theme.high_contrast"), T("theme.standard")};
  static const char* const call_keys[] = {T("staff_call.button")};
  static const char* const lang_keys[] = {T("lang.switch")};
  static const char* const quit_keys[] = {T("nav.quit_survey")};
  static const std::string_view langs[] = {"zh", "en"};  // what the language switch steps between
  struct Switch {
    const char* id;
    std::span<const char* const> keys;  // every label it can show
    const char* key;                    // the one it shows now
    Intent ask;
  };
  // Right to left, the order they take their places in.
  const Switch all[] = {
      {"##size", size_keys, size_keys[std::clamp(v.model.text_size(), 0, 2)], intent::ToggleLargeText{}},
      {"##lang", lang_keys, lang_keys[0], intent::SetLang{}},
      {"##contrast", contrast_keys, contrast_keys[v.model.high_contrast() ? 1 : 0], intent::ToggleContrast{}},
      {"##call_staff", call_keys, call_keys[0], intent::CallStaff{}},
      {"##quit", quit_keys, quit_keys[0], intent::Quit{}},
  };
  constexpr int n = 5;
  float width[n];
  for (int i = 0; i < n; ++i) {
    float text = 0;
    for (const char* key : all[i].keys)
      for (std::string_view l : langs) text = std::max(text, f->CalcTextSizeA(f->FontSize, FLT_MAX, 0, v.strings.get(l, key).c_str()).x);
    width[i] = std::max(v.px(200), text + h * 0.75f);  // clear of the pill's round ends
  }
  ImVec2 origin = ImGui::GetCursorPos();
  float y = origin.y, min_x = v.size.x, row_left = v.size.x;
  for (int i = 0; i < n;) {
    float row_y = i > 0 ? y + h + st.ItemSpacing.y : y;
    // As many to a row as fit (larger text, portrait: more rows).
    float avail = v.size.x - st.WindowPadding.x - header_row_left(v, row_y);
    int end = i + 1;
    for (float used = width[i]; end < n && used + st.ItemSpacing.x + width[end] <= avail; ++end) used += st.ItemSpacing.x + width[end];
    if (!with_quit && i == n - 1) break;  // 退出 alone on the last row: the welcome screen has no such row
    y = row_y;
    float x = v.size.x - st.WindowPadding.x;
    for (int k = i; k < end; ++k) {
      x -= width[k];
      if (k < n - 1 || with_quit) {  // else its place stays empty
        ImGui::SetCursorPos(ImVec2(x, y));
        if (big_button(all[k].id, v.strings.get(v.model.lang(), all[k].key), ImVec2(width[k], h), f, false)) {
          out = all[k].ask;
          if (auto* l = std::get_if<intent::SetLang>(&out)) l->lang = v.model.lang() == "zh" ? "en" : "zh";
        }
        row_left = x;
        min_x = std::min(min_x, x);
      }
      x -= st.ItemSpacing.x;
    }
    i = end;
  }
  if (left) *left = ImGui::GetWindowPos().x + min_x;
  if (last_left) *last_left = ImGui::GetWindowPos().x + row_left;
  if (last_h) *last_h = h;
  ImGui::SetCursorPos(ImVec2(origin.x, y + h + st.ItemSpacing.y));
  return y + h - origin.y;
}

void text_wrapped(const std::string& s, ImU32 colour, ImFont* font, float wrap_width) {
  if (g_text_items) g_text_items->push_back(s);
  ImVec2 p = ImGui::GetCursorScreenPos();
  ImVec2 used = draw_wrapped(ImGui::GetWindowDrawList(), font, font->FontSize, p, colour, s, wrap_width);
  ImGui::Dummy(ImVec2(std::max(used.x, 1.f), used.y));
}

}  // namespace eco::ui
