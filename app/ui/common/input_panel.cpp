#include "ui/common/input_panel.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "ui/common/theme.hpp"
#include "ui/common/touch_scroll.hpp"
#include "ui/resident/view.hpp"

namespace eco::ui {

using input::InputIntent;
using input::InputMode;
using input::TextEntry;
using K = InputIntent::Kind;

namespace {

// Where a key's label may part over two lines: at the space nearest its middle, or, for
// a label of Chinese characters only, between the two nearest its middle. None (null)
// for a single word or character.
struct LabelSplit {
  const char* first_end = nullptr;
  const char* second_begin = nullptr;
};
LabelSplit split_label(const char* b, const char* e) {
  const char* mid = b + (e - b) / 2;
  LabelSplit best;
  auto closer = [&](const char* at) { return !best.first_end || std::abs(at - mid) < std::abs(best.first_end - mid); };
  bool all_wide = true;
  for (const char* c = b; c < e; ++c) {
    auto u = static_cast<unsigned char>(*c);
    if (u == ' ' && c > b && c + 1 < e && closer(c)) best = {c, c + 1};
    if ((u & 0xC0) != 0x80 && u < 0xE0) all_wide = false;  // a lead byte of ASCII or a two-byte letter
  }
  if (best.first_end || !all_wide) return best;
  for (const char* c = b + 1; c < e; ++c)  // each code point of three or four bytes
    if ((static_cast<unsigned char>(*c) & 0xC0) != 0x80 && closer(c)) best = {c, c};
  return best;
}

InputIntent make(K k) {
  InputIntent in;
  in.kind = k;
  return in;
}

// A key: rounded, outlined (or filled when `on`), its label centred; recorded for tests
// by its label. Returns true on release over it (ImGui's button semantics).
bool key(const char* id, const std::string& label, ImVec2 p, ImVec2 size, ImFont* font, bool on = false,
         bool enabled = true) {
  if (size.x < 1 || size.y < 1) return false;  // no room left for it (ImGui asserts on an empty button)
  ImGui::SetCursorScreenPos(p);
  ImGui::PushID(id);
  bool clicked = ImGui::InvisibleButton("##key", size);
  ImGui::PopID();
  record_hit(label, p, ImVec2(p.x + size.x, p.y + size.y));
  bool held = ImGui::IsItemActive();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  ImVec2 q(p.x + size.x, p.y + size.y);
  float r = std::min(size.y * 0.22f, 18.f);
  ImU32 fill = on ? color::primary : held ? color::card_pressed : color::card;
  dl->AddRectFilled(p, q, fill, r);
  dl->AddRect(p, q, on ? color::primary : color::card_border, r, 0, 2);
  ImU32 ink = on ? color::on_primary : enabled ? color::text : color::muted;
  const char* b = label.c_str();
  const char* e = b + label.size();
  const float fs = font->FontSize, room_w = size.x - 8, room_h = size.y - 4;
  ImVec2 ts = font->CalcTextSizeA(fs, FLT_MAX, 0, b, e);
  float fit = std::min({1.f, room_w / ts.x, room_h / ts.y});  // a long word or a low key: smaller, never clipped
  // Too wide for one line: two lines, where the label parts at a space or between two
  // Chinese characters, are often larger than one line shrunk (数字符号 on a narrow tab
  // was drawn at two thirds of its neighbours' size).
  if (LabelSplit sp = fit < 1 ? split_label(b, e) : LabelSplit{}; sp.first_end) {
    ImVec2 t1 = font->CalcTextSizeA(fs, FLT_MAX, 0, b, sp.first_end);
    ImVec2 t2 = font->CalcTextSizeA(fs, FLT_MAX, 0, sp.second_begin, e);
    float fit2 = std::min({1.f, room_w / std::max(t1.x, t2.x), room_h / (t1.y + t2.y)});
    if (fit2 > fit) {
      float f = fs * fit2;
      t1 = font->CalcTextSizeA(f, FLT_MAX, 0, b, sp.first_end);
      t2 = font->CalcTextSizeA(f, FLT_MAX, 0, sp.second_begin, e);
      float y = p.y + (size.y - t1.y - t2.y) * 0.5f;
      dl->AddText(font, f, ImVec2(p.x + (size.x - t1.x) * 0.5f, y), ink, b, sp.first_end);
      dl->AddText(font, f, ImVec2(p.x + (size.x - t2.x) * 0.5f, y + t1.y), ink, sp.second_begin, e);
      return clicked && enabled;
    }
  }
  if (fit < 1) ts = font->CalcTextSizeA(fs * fit, FLT_MAX, 0, b, e);
  dl->AddText(font, fs * fit, ImVec2(p.x + (size.x - ts.x) * 0.5f, p.y + (size.y - ts.y) * 0.5f), ink, b, e);
  return clicked && enabled;
}

// A paging arrow drawn as a triangle (no glyph needed).
bool arrow_key(const char* id, const std::string& label, ImVec2 p, ImVec2 size, bool right, bool enabled) {
  if (size.x < 1 || size.y < 1) return false;
  ImGui::SetCursorScreenPos(p);
  ImGui::PushID(id);
  bool clicked = ImGui::InvisibleButton("##arrow", size);
  ImGui::PopID();
  record_hit(label, p, ImVec2(p.x + size.x, p.y + size.y));
  ImDrawList* dl = ImGui::GetWindowDrawList();
  bool held = ImGui::IsItemActive();
  dl->AddRectFilled(p, ImVec2(p.x + size.x, p.y + size.y), held ? color::card_pressed : color::card, 12);
  dl->AddRect(p, ImVec2(p.x + size.x, p.y + size.y), color::card_border, 12, 0, 2);
  float cx = p.x + size.x * 0.5f, cy = p.y + size.y * 0.5f, s = std::min(size.x, size.y) * 0.22f;
  ImU32 c = enabled ? color::primary : color::card_border;
  if (right) dl->AddTriangleFilled(ImVec2(cx - s * 0.6f, cy - s), ImVec2(cx - s * 0.6f, cy + s), ImVec2(cx + s * 0.8f, cy), c);
  else dl->AddTriangleFilled(ImVec2(cx + s * 0.6f, cy - s), ImVec2(cx + s * 0.6f, cy + s), ImVec2(cx - s * 0.8f, cy), c);
  return clicked && enabled;
}

// What is written: the last lines that fit, the count, and why the last key did nothing.
void text_box(const InputPanelView& v, ImVec2 p, ImVec2 size) {
  const TextEntry& e = v.entry;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  ImVec2 q(p.x + size.x, p.y + size.y);
  dl->AddRectFilled(p, q, color::card, 12);
  dl->AddRect(p, q, e.full() ? color::error : color::primary, 12, 0, 3);
  ImFont* f = v.font;
  float pad = f->FontSize * 0.35f;
  float line_h = f->FontSize * 1.15f;
  int max_lines = std::max(1, static_cast<int>((size.y - pad) / line_h));
  float wrap = size.x - 2 * pad;
  char count[48];
  std::snprintf(count, sizeof count, "%zu / %zu", e.length(), e.max_chars());
  ImVec2 cs = v.small->CalcTextSizeA(v.small->FontSize, FLT_MAX, 0, count);
  dl->PushClipRect(p, q, true);
  if (e.text().empty()) {
    // As many of the hint's lines as fit, clear of the count; a cut ends with "…".
    const std::string& hint = v.t(T("input.placeholder"));
    float sf = v.small->FontSize, hw = wrap - cs.x - pad;
    static std::vector<TextLine> hl;  // kept between frames (UI thread only): no allocation
    wrap_lines(v.small, sf, hint.c_str(), hint.c_str() + hint.size(), hw, hl);
    std::size_t fit = static_cast<std::size_t>(std::max(1.f, std::floor((size.y - pad) / sf)));
    if (e.notice() != input::InputNotice::none && fit > 1) --fit;  // the notice's line stays clear
    for (std::size_t i = 0; i < hl.size() && i < fit; ++i) {
      bool cut = i + 1 == fit && hl.size() > fit;
      const char* end = hl[i].end;
      if (cut)  // room for the "…": drop characters from the line's end until it fits
        while (end > hl[i].begin && v.small->CalcTextSizeA(sf, FLT_MAX, 0, hl[i].begin, end).x + v.small->CalcTextSizeA(sf, FLT_MAX, 0, "…").x > hw) {
          do --end; while (end > hl[i].begin && (static_cast<unsigned char>(*end) & 0xC0) == 0x80);
        }
      ImVec2 at(p.x + pad, p.y + pad * 0.5f + static_cast<float>(i) * sf);
      dl->AddText(v.small, sf, at, color::muted, hl[i].begin, end);
      if (cut) dl->AddText(v.small, sf, ImVec2(at.x + v.small->CalcTextSizeA(sf, FLT_MAX, 0, hl[i].begin, end).x, at.y), color::muted, "…");
    }
  } else {
    const char* b = e.text().c_str();
    static std::vector<TextLine> lines;  // kept between frames (UI thread only): no allocation
    wrap_lines(f, f->FontSize, b, b + e.text().size(), wrap - f->FontSize * 0.2f, lines);
    std::size_t first = lines.size() > static_cast<std::size_t>(max_lines) ? lines.size() - static_cast<std::size_t>(max_lines) : 0;
    float y = p.y + pad;
    for (std::size_t i = first; i < lines.size(); ++i, y += line_h)
      dl->AddText(f, f->FontSize, ImVec2(p.x + pad, y), color::text, lines[i].begin, lines[i].end);
    // The caret: where the next character goes.
    float cx = p.x + pad + (lines.empty() ? 0 : lines.back().width) + 2;
    float cy = y - line_h;
    dl->AddRectFilled(ImVec2(cx, cy + line_h * 0.1f), ImVec2(cx + 3, cy + line_h * 0.9f), color::primary);
  }
  float by = q.y - pad * 0.5f - cs.y;
  dl->AddText(v.small, v.small->FontSize, ImVec2(q.x - pad - cs.x, by), e.full() ? color::error : color::muted, count);
  const char* why = nullptr;
  switch (e.notice()) {
    case input::InputNotice::none: break;
    case input::InputNotice::full: why = T("input.full"); break;
    case input::InputNotice::not_allowed: why = T("input.not_allowed"); break;
    case input::InputNotice::engine_missing: why = T("input.engine_missing"); break;
    case input::InputNotice::unpicked: why = T("input.unpicked"); break;
  }
  if (why) dl->AddText(v.small, v.small->FontSize, ImVec2(p.x + pad, by), color::error, v.t(why).c_str());
  dl->PopClipRect();
}

// The pad: a square with a 田 grid, the ink, and the finger's strokes as intents.
void pad(const InputPanelView& v, ImVec2 p, float side, InputIntent& out) {
  const TextEntry& e = v.entry;
  side = std::max(side, 1.f);
  ImGui::SetCursorScreenPos(p);
  ImGui::InvisibleButton("##pad", ImVec2(side, side));
  if (ImGui::IsItemActive()) touch_claim();  // the finger writes here; it never scrolls
  const std::string& hint = v.t(T("input.pad_hint"));
  record_hit(hint, p, ImVec2(p.x + side, p.y + side));
  ImGuiIO& io = ImGui::GetIO();
  float k = TextEntry::kPadBox / side;
  input::Point at{(io.MousePos.x - p.x) * k, (io.MousePos.y - p.y) * k};
  if (ImGui::IsItemActivated()) {
    out = make(K::pen_down);
    out.at = at;
  } else if (ImGui::IsItemActive() && e.drawing()) {
    out = make(K::pen_move);
    out.at = at;
  } else if (ImGui::IsItemDeactivated() && e.drawing()) {
    out = make(K::pen_up);
  }
  ImDrawList* dl = ImGui::GetWindowDrawList();
  ImVec2 q(p.x + side, p.y + side);
  dl->AddRectFilled(p, q, color::card, 12);
  dl->AddRect(p, q, color::primary, 12, 0, 3);
  ImU32 grid = color::card_border;
  float m = side * 0.5f;
  for (float d = 0; d < side; d += side / 24) {  // dashed centre lines, like squared writing paper
    dl->AddLine(ImVec2(p.x + m, p.y + d), ImVec2(p.x + m, p.y + std::min(side, d + side / 48)), grid, 2);
    dl->AddLine(ImVec2(p.x + d, p.y + m), ImVec2(p.x + std::min(side, d + side / 48), p.y + m), grid, 2);
  }
  if (e.ink().empty() && !e.drawing()) {
    ImVec2 hs = v.small->CalcTextSizeA(v.small->FontSize, FLT_MAX, side * 0.8f, hint.c_str());
    dl->AddText(v.small, v.small->FontSize, ImVec2(p.x + (side - hs.x) * 0.5f, p.y + side * 0.08f), color::muted,
                hint.c_str(), nullptr, side * 0.8f);
  }
  // The ink, as thick as a brush tip; the buffer is kept so idle frames allocate nothing.
  static std::vector<ImVec2> pts;
  float thick = std::max(4.f, side / 55);
  dl->PushClipRect(p, q, true);
  for (const auto& s : e.ink().strokes) {
    pts.clear();
    for (const auto& pt : s) pts.emplace_back(p.x + pt.x / k, p.y + pt.y / k);
    if (pts.size() == 1) dl->AddCircleFilled(pts[0], thick * 0.6f, color::text);
    else dl->AddPolyline(pts.data(), static_cast<int>(pts.size()), color::text, 0, thick);
  }
  dl->PopClipRect();
}

// The keyboards' tabs and 删除, in a row of width w from p.
void tab_row(const InputPanelView& v, ImVec2 p, float w, float kh, float gap, InputIntent& out) {
  struct Tab { InputMode mode; const char* label; };
  static const Tab tabs[] = {{InputMode::handwriting, T("input.mode.handwriting")}, {InputMode::pinyin, T("input.mode.pinyin")},
                             {InputMode::letters, T("input.mode.letters")}, {InputMode::symbols, T("input.mode.symbols")}};
  float tab_w = std::min((w - 4 * gap) / 5, 260 * v.scale);
  for (int i = 0; i < 4; ++i) {
    if (key(tabs[i].label, v.t(tabs[i].label), ImVec2(p.x + static_cast<float>(i) * (tab_w + gap), p.y), ImVec2(tab_w, kh),
            v.font, v.entry.mode() == tabs[i].mode)) {
      out = make(K::mode);
      out.mode = tabs[i].mode;
    }
  }
  if (key("bksp", v.t(T("input.backspace")), ImVec2(p.x + w - tab_w, p.y), ImVec2(tab_w, kh), v.font)) out = make(K::backspace);
}

// The tabs as a 2×2 grid with 删除 below, in a column of width w (landscape keyboards).
void tab_grid(const InputPanelView& v, ImVec2 p, float w, float u, float gap, InputIntent& out) {
  struct Tab { InputMode mode; const char* label; };
  static const Tab tabs[] = {{InputMode::handwriting, T("input.mode.handwriting")}, {InputMode::pinyin, T("input.mode.pinyin")},
                             {InputMode::letters, T("input.mode.letters")}, {InputMode::symbols, T("input.mode.symbols")}};
  float cw = (w - gap) / 2;
  for (int i = 0; i < 4; ++i) {
    ImVec2 at(p.x + static_cast<float>(i % 2) * (cw + gap), p.y + static_cast<float>(i / 2) * (u + gap));
    if (key(tabs[i].label, v.t(tabs[i].label), at, ImVec2(cw, u), v.font, v.entry.mode() == tabs[i].mode)) {
      out = make(K::mode);
      out.mode = tabs[i].mode;
    }
  }
  if (key("bksp", v.t(T("input.backspace")), ImVec2(p.x, p.y + 2 * (u + gap)), ImVec2(w, u), v.font)) out = make(K::backspace);
}

// The candidates in `cols` columns from p (one row when cols = 0: as many as fit the
// width, widest words included), the paging arrows at the end of the last row or at
// `arrows` when given. Returns the height used.
float candidates(const InputPanelView& v, ImVec2 p, float w, float ch, float gap, int cols, InputIntent& out) {
  const TextEntry& e = v.entry;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  float arrow_w = ch;
  float x = p.x, y = p.y;
  if (e.mode() == InputMode::pinyin) {
    const std::string& shown = e.preedit().empty() && !e.pinyin_available() ? v.t(T("input.preparing")) : e.preedit();
    ImVec2 ts = v.small->CalcTextSizeA(v.small->FontSize, FLT_MAX, 0, shown.c_str());
    dl->AddText(v.small, v.small->FontSize, ImVec2(x, y + (ch - ts.y) * 0.5f), color::primary, shown.c_str());
    x += ts.x + gap;
  }
  float right = p.x + w - 2 * arrow_w - gap;
  int i = 0;
  if (cols > 0) {  // a grid of equal cells, the paging arrows in a column on its right
    float cw = (w - arrow_w - gap * static_cast<float>(cols)) / static_cast<float>(cols);
    int rows = static_cast<int>((TextEntry::kPage + static_cast<std::size_t>(cols) - 1) / static_cast<std::size_t>(cols));
    for (const auto& c : e.page()) {
      ImVec2 at(p.x + static_cast<float>(i % cols) * (cw + gap), p.y + static_cast<float>(i / cols) * (ch + gap));
      char id[16];
      std::snprintf(id, sizeof id, "cand%d", i);
      if (key(id, c, at, ImVec2(cw, ch), v.font, i == 0 && e.mode() == InputMode::pinyin)) {
        out = make(K::pick);
        out.index = i;
      }
      ++i;
    }
    y = p.y + static_cast<float>(rows - 1) * (ch + gap);
  } else {
    float cell_min = std::max(ch * 1.1f, (right - x - gap * (TextEntry::kPage - 1)) / TextEntry::kPage);
    for (const auto& c : e.page()) {
      float cw = std::max(cell_min, v.font->CalcTextSizeA(v.font->FontSize, FLT_MAX, 0, c.c_str()).x + v.font->FontSize);
      if (x + cw > right && i > 0) break;  // the rest starts the next page
      char id[16];
      std::snprintf(id, sizeof id, "cand%d", i);
      if (key(id, c, ImVec2(x, y), ImVec2(cw, ch), v.font, i == 0 && e.mode() == InputMode::pinyin)) {
        out = make(K::pick);
        out.index = i;
      }
      x += cw + gap;
      ++i;
    }
  }
  // One row: both arrows at its end; a grid: ‹ at the top of its column, › at the bottom.
  ImVec2 prev_at = cols > 0 ? ImVec2(p.x + w - arrow_w, p.y) : ImVec2(p.x + w - 2 * arrow_w - gap * 0.5f, p.y);
  if (arrow_key("prev", v.t(T("input.prev")), prev_at, ImVec2(arrow_w, ch), false, e.has_prev_page())) {
    out = make(K::page);
    out.index = -1;
  }
  if (arrow_key("next", v.t(T("input.next")), ImVec2(p.x + w - arrow_w, y), ImVec2(arrow_w, ch), true,
                e.has_next_page(static_cast<std::size_t>(i)))) {
    out = make(K::page);
    out.index = i;  // on by as many as were shown
  }
  return (cols > 0 ? y + ch : p.y + ch) - p.y;
}

void undo_clear(const InputPanelView& v, ImVec2 p, ImVec2 size, float gap, bool side_by_side, InputIntent& out) {
  bool ink = !v.entry.ink().empty();
  ImVec2 b = side_by_side ? ImVec2((size.x - gap) / 2, size.y) : ImVec2(size.x, (size.y - gap) / 2);
  ImVec2 p2 = side_by_side ? ImVec2(p.x + b.x + gap, p.y) : ImVec2(p.x, p.y + b.y + gap);
  if (key("undo", v.t(T("input.undo")), p, b, v.font, false, ink)) out = make(K::undo_stroke);
  if (key("clear", v.t(T("input.clear")), p2, b, v.font, false, ink)) out = make(K::clear_pad);
}


// A key no lower than a fingertip, and no lower than its label.
float min_key_height(const InputPanelView& v) { return std::max(48.f, v.font->FontSize * 0.9f); }

// The gaps and the text box's height; `tight` where the screen has little room (a long
// question in large text): narrower gaps, and the count inside the one line of text.
struct Spacing {
  float gap, tb_h;
};
Spacing spacing(const InputPanelView& v, bool tight, int lines) {
  float f = v.font->FontSize;
  if (tight) return {6 * v.scale, f * 1.65f};
  return {12 * v.scale, f * 1.15f * static_cast<float>(lines) + v.small->FontSize * 1.2f + f * 0.5f};
}

float min_height(const InputPanelView& v, float w, bool tight) {
  // Every layout below at its tightest: a one-line text box, the candidates, then three
  // rows of keys (or the symbol rows); in portrait the tab row as well.
  Spacing sp = spacing(v, tight, 1);
  float kh = std::max(64 * v.scale, v.font->FontSize * 1.6f);
  float mk = min_key_height(v);
  float rows = static_cast<float>(std::max<std::size_t>(3, (input::symbol_keys().size() + 1 + 9) / 10));
  float land = sp.tb_h + sp.gap + mk + sp.gap + rows * (mk + sp.gap);
  if (w > (land - sp.tb_h - sp.gap) * 1.6f) return land;
  return land + kh + sp.gap;
}

// The symbol keys, ten to a row, and a wide space key last.
void symbol_grid(const InputPanelView& v, ImVec2 o, float y, float w, float rest, float kh, float gap, InputIntent& out) {
  const auto& keys = input::symbol_keys();
  std::size_t cols = 10;
  std::size_t rows = (keys.size() + 1 + cols - 1) / cols;
  float kw = (w - gap * static_cast<float>(cols - 1)) / static_cast<float>(cols);
  float k_h = std::min(kh * 1.3f, (rest - gap * static_cast<float>(rows - 1)) / static_cast<float>(rows));
  for (std::size_t i = 0; i <= keys.size(); ++i) {
    ImVec2 p(o.x + static_cast<float>(i % cols) * (kw + gap), y + static_cast<float>(i / cols) * (k_h + gap));
    char id[16];
    std::snprintf(id, sizeof id, "sym%zu", i);
    if (i == keys.size()) {
      if (key(id, v.t(T("input.space")), p, ImVec2(kw * 2 + gap, k_h), v.font)) out = make(K::space);
    } else if (key(id, keys[i], p, ImVec2(kw, k_h), v.font)) {
      out = make(K::insert);
      out.text = keys[i];
    }
  }
}

// The letter keyboard (qwerty rows) and its space bar.
void letter_keys(const InputPanelView& v, ImVec2 o, float y, float w, float rest, float kh, float gap, InputIntent& out) {
  // Three rows, the space bar at the end of the third (as on a phone's keyboard): a row
  // fewer leaves the keys taller where a long question in large text takes room.
  static const char* rows[] = {"qwertyuiop", "asdfghjkl", "zxcvbnm"};
  float k_h = std::min(kh * 1.4f, (rest - gap * 2) / 3);
  float kw = std::min((w - gap * 9) / 10, k_h * 1.7f);
  float kb_w = kw * 10 + gap * 9;
  float x0 = o.x + (w - kb_w) * 0.5f;
  for (int r = 0; r < 3; ++r) {
    int n = static_cast<int>(std::char_traits<char>::length(rows[r]));
    int units = r == 2 ? n + 3 : n;  // the third row: its letters and a space bar three keys wide
    float rx = x0 + (kb_w - (kw * static_cast<float>(units) + gap * static_cast<float>(units - 1))) * 0.5f;
    for (int i = 0; i < n; ++i) {
      char label[2] = {rows[r][i], 0};
      if (key(label, label, ImVec2(rx + static_cast<float>(i) * (kw + gap), y + static_cast<float>(r) * (k_h + gap)),
              ImVec2(kw, k_h), v.font)) {
        out = make(K::key);
        out.key = rows[r][i];
      }
    }
  }
  float sx = x0 + (kb_w - (kw * 10 + gap * 9)) * 0.5f + 7 * (kw + gap);
  if (key("space", v.t(T("input.space")), ImVec2(sx, y + 2 * (k_h + gap)), ImVec2(kw * 3 + gap * 2, k_h), v.font))
    out = make(K::space);
}

}  // namespace

float input_panel_min_height(const InputPanelView& v, float w) { return min_height(v, w, true); }

InputIntent draw_input_panel(const InputPanelView& v, ImVec2 size) {
  InputIntent out;
  const TextEntry& e = v.entry;
  ImVec2 o = ImGui::GetCursorScreenPos();
  float kh = std::max(64 * v.scale, v.font->FontSize * 1.6f);  // a key's height
  float w = size.x;

  // 1. What is written: two lines (one where the keys would get too small), the count below.
  int lines = size.y > v.font->FontSize * 14 ? 2 : 1;
  auto [gap, tb_h] = spacing(v, size.y < min_height(v, w, false), lines);
  text_box(v, o, ImVec2(w, tb_h));
  float y = o.y + tb_h + gap;
  float rest = o.y + size.y - y;

  if (e.mode() == InputMode::handwriting && w > rest * 1.6f) {
    // Landscape: the pad as tall as the space allows, its controls beside it.
    float side = std::max(0.f, std::min(rest, w * 0.5f));
    pad(v, ImVec2(o.x, y), side, out);
    float x1 = o.x + side + 2 * gap, rw = w - side - 2 * gap;
    // Tabs, two rows of candidates with the arrows beside them, and undo/clear share
    // the pad's height: four rows of keys.
    float u = std::min(kh, (rest - 3 * gap) / 4);
    float ch = std::clamp((rest - 2.2f * u - 3 * gap) / 2, u, u * 1.6f);
    tab_row(v, ImVec2(x1, y), rw, u, gap, out);
    float used = candidates(v, ImVec2(x1, y + u + gap), rw, ch, gap, 4, out);
    float uy = y + u + gap + used + gap;
    undo_clear(v, ImVec2(x1, uy), ImVec2(rw, std::min(u * 1.2f, o.y + size.y - uy)), gap, true, out);
  } else {
    // 2. The tabs (landscape: a column on the right); 3. the candidates in a row; 4. the
    // pad or the keys below.
    if (w > rest * 1.6f && e.mode() != InputMode::handwriting) {
      float rw = std::min(w * 0.28f, 520 * v.scale);
      tab_grid(v, ImVec2(o.x + w - rw, y), rw, std::min(kh, (rest - 2 * gap) / 3), gap, out);
      w -= rw + 2 * gap;
    } else {
      tab_row(v, ImVec2(o.x, y), w, kh, gap, out);
      y += kh + gap;
    }
    if (e.mode() == InputMode::pinyin || e.mode() == InputMode::handwriting) {
      // As tall as a key, lower (down to a fingertip) where the keys below need the room.
      float below = e.mode() == InputMode::pinyin ? 3 * (min_key_height(v) + gap) : min_key_height(v) * 2;
      float ch = std::clamp(o.y + size.y - y - gap - below, min_key_height(v), kh * 1.1f);
      y += candidates(v, ImVec2(o.x, y), w, ch, gap, 0, out) + gap;
    }
    rest = o.y + size.y - y;
    if (e.mode() == InputMode::handwriting) {
      float side_w = std::min(260 * v.scale, w * 0.3f);
      float side = std::max(0.f, std::min(rest, w - side_w - gap));
      float px = o.x + std::max(0.f, (w - side_w - gap - side) * 0.5f);
      pad(v, ImVec2(px, y), side, out);
      undo_clear(v, ImVec2(px + side + gap, y), ImVec2(side_w, std::min(kh * 2.4f + gap, rest)), gap, false, out);
    } else if (e.mode() == InputMode::symbols) {
      symbol_grid(v, o, y, w, rest, kh, gap, out);
    } else {
      letter_keys(v, o, y, w, rest, kh, gap, out);
    }
  }
  ImGui::SetCursorScreenPos(o);
  ImGui::Dummy(size);  // the panel's extent, exactly: nothing to scroll
  return out;
}

}  // namespace eco::ui
