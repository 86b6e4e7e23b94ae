// The rating scale: five faces from a broad smile to a deep frown, each on its own
// colour and with its words, large and centred, so a resident who reads little can
// still answer. Landscape: five tiles in a row; portrait or very large text: one row a
// step (face on the left, words beside it). Options outside the scale (a "can't say")
// follow as ordinary cards. Drawn with ImGui primitives only.
#include <algorithm>
#include <cmath>

#include "ui/common/theme.hpp"
#include "ui/resident/view.hpp"

namespace eco::ui {

namespace {

bool on_scale(const Option& o) { return o.value >= 1; }

// 0 = worst ... 1 = best, from the option's value among the scale's values.
float mood(const Option& o, int lo, int hi) { return hi > lo ? float(o.value - lo) / float(hi - lo) : 0.5f; }

// Red, orange, amber, light green, green: the colours of such scales in halls and banks.
ImU32 mood_colour(float m) {
  static const ImU32 stops[] = {color::rgb(0xE5, 0x39, 0x35), color::rgb(0xF5, 0x7C, 0x00), color::rgb(0xFB, 0xC0, 0x2D),
                                color::rgb(0x8B, 0xC3, 0x4A), color::rgb(0x2E, 0x9E, 0x4F)};
  int i = std::clamp(static_cast<int>(std::lround(m * 4)), 0, 4);
  return stops[i];
}

void draw_face(ImDrawList* dl, ImVec2 c, float r, float m) {
  const ImU32 ink = color::rgb(0x1A, 0x1A, 0x1A);
  dl->AddCircleFilled(c, r, mood_colour(m), 48);
  dl->AddCircle(c, r, ink, 48, std::max(2.f, r * 0.05f));
  float eye = r * 0.11f;
  dl->AddCircleFilled(ImVec2(c.x - r * 0.35f, c.y - r * 0.25f), eye, ink, 16);
  dl->AddCircleFilled(ImVec2(c.x + r * 0.35f, c.y - r * 0.25f), eye, ink, 16);
  // The mouth bends from a frown (m = 0) through a straight line to a smile (m = 1).
  float bend = (m - 0.5f) * 2.f;  // -1 .. 1
  float y = c.y + r * 0.38f - bend * r * 0.08f;
  ImVec2 a(c.x - r * 0.45f, y), b(c.x + r * 0.45f, y), ctl(c.x, y + bend * r * 0.45f);
  dl->AddBezierQuadratic(a, ctl, b, ink, std::max(3.f, r * 0.1f), 24);
}

// A ✓ in a disc, drawn with lines (no glyph needed): the chosen step, beside its outline.
void draw_check(ImDrawList* dl, ImVec2 c, float r) {
  dl->AddCircleFilled(c, r, color::primary, 24);
  ImVec2 pts[3] = {ImVec2(c.x - r * 0.5f, c.y), ImVec2(c.x - r * 0.12f, c.y + r * 0.4f), ImVec2(c.x + r * 0.5f, c.y - r * 0.38f)};
  dl->AddPolyline(pts, 3, color::on_primary, 0, std::max(2.f, r * 0.22f));
}

struct Layout {
  bool row = true;  // five tiles side by side
  float tile_w = 0, tile_h = 0, face = 0, gap = 0, scale_h = 0, extra_h = 0, extra_card_h = 0;
  int extra_cols = 1;
};

Layout layout_for(const View& v, const std::vector<const Option*>& steps, const std::vector<const Option*>& extra,
                  float width, float height) {
  Layout l;
  ImFont* f = v.fonts.body;
  ImGuiStyle& st = ImGui::GetStyle();
  l.gap = st.ItemSpacing.x;
  const std::string& lang = v.model.lang();
  std::size_t n = std::max<std::size_t>(steps.size(), 1);
  float pad = f->FontSize * 0.35f;
  // Side by side while each tile keeps room for four characters a line.
  float tw = (width - l.gap * static_cast<float>(n - 1)) / static_cast<float>(n);
  l.row = !v.portrait && tw >= f->FontSize * 4.2f;
  if (l.row) {
    l.tile_w = std::min(tw, v.px(340));
    float words = 0;
    for (const Option* o : steps) words = std::max(words, measure_wrapped(f, f->FontSize, o->text.get(lang), l.tile_w - 2 * pad).y);
    float room = height - words - 3 * pad;
    if (!extra.empty()) room -= std::max(v.px(90), f->FontSize * 1.8f) + st.ItemSpacing.y;
    l.face = std::clamp(std::min(l.tile_w - 2 * pad, room), f->FontSize * 1.2f, v.px(220));
    l.tile_h = pad + l.face + pad * 0.6f + words + pad;
    l.scale_h = l.tile_h;
  } else {
    l.tile_w = width;
    float words = 0;
    for (const Option* o : steps)
      words = std::max(words, measure_wrapped(f, f->FontSize, o->text.get(lang), width * 0.6f).y);
    float each = (height - st.ItemSpacing.y * static_cast<float>(n - 1)) / static_cast<float>(n);
    l.tile_h = std::clamp(each, std::max(v.px(96), words + 2 * pad), std::max(v.px(150), words + 2 * pad));
    l.face = std::min(l.tile_h - 2 * pad * 0.6f, v.px(130));
    l.scale_h = static_cast<float>(n) * l.tile_h + static_cast<float>(n - 1) * st.ItemSpacing.y;
  }
  if (!extra.empty()) {
    l.extra_cols = v.portrait ? 1 : std::min<int>(static_cast<int>(extra.size()), 3);
    float cw = (width - l.gap * static_cast<float>(l.extra_cols - 1)) / static_cast<float>(l.extra_cols);
    float wrap = cw - 2 * f->FontSize * 0.6f - f->FontSize * 1.1f;  // as card() wraps
    l.extra_card_h = std::max(v.px(90), f->FontSize * 1.8f);
    for (const Option* o : extra)
      l.extra_card_h = std::max(l.extra_card_h, measure_wrapped(f, f->FontSize, o->text.get(lang), wrap).y + f->FontSize * 0.8f);
    int rows = (static_cast<int>(extra.size()) + l.extra_cols - 1) / l.extra_cols;
    l.extra_h = st.ItemSpacing.y + static_cast<float>(rows) * l.extra_card_h + static_cast<float>(rows - 1) * st.ItemSpacing.y;
  }
  return l;
}

void split(const Session& s, const Question& q, std::vector<const Option*>& steps, std::vector<const Option*>& extra,
           int& lo, int& hi) {
  steps.clear();
  extra.clear();
  lo = 1 << 30;
  hi = -(1 << 30);
  for (const Option* o : s.options_in_order(q)) {
    if (on_scale(*o)) {
      steps.push_back(o);
      lo = std::min(lo, o->value);
      hi = std::max(hi, o->value);
    } else {
      extra.push_back(o);
    }
  }
}

// One step of the scale as drawn: its card, the face for `m`, the words and, when
// chosen, the check.
void draw_step(const View& v, const Layout& l, const std::string& words, ImVec2 p, ImVec2 q2, bool sel, bool held, float m) {
  ImFont* f = v.fonts.body;
  float pad = f->FontSize * 0.35f;
  ImGuiStyle& st = ImGui::GetStyle();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  float r = std::min(l.tile_h * 0.2f, st.FrameRounding * 1.4f);
  float edge = std::max(2.f, f->FontSize * 0.06f) * color::current.border;
  dl->AddRectFilled(p, q2, sel ? color::primary_light : held ? color::card_pressed : color::card, r);
  dl->AddRect(p, q2, sel ? color::selected_border : color::card_border, r, 0, sel ? edge * 3 : edge);
  dl->PushClipRect(p, q2, true);
  if (l.row) {
    float fr = l.face * 0.5f;
    draw_face(dl, ImVec2((p.x + q2.x) * 0.5f, p.y + pad + fr), fr, m);
    float tw = l.tile_w - 2 * pad;
    static std::vector<TextLine> lines;  // kept between frames (UI thread only): no allocation
    wrap_lines(f, f->FontSize, words.data(), words.data() + words.size(), tw, lines);
    float ty = p.y + pad + l.face + pad * 0.6f;
    for (const auto& ln : lines) {  // each line centred under the face
      dl->AddText(f, f->FontSize, ImVec2(p.x + (l.tile_w - ln.width) * 0.5f, ty), color::text, ln.begin, ln.end);
      ty += f->FontSize;
    }
  } else {
    float fr = l.face * 0.5f;
    draw_face(dl, ImVec2(p.x + pad + fr, (p.y + q2.y) * 0.5f), fr, m);
    float tx = p.x + 2 * pad + l.face + pad;
    float tw = q2.x - tx - pad - l.face * 0.5f;  // room for the ✓ on the right
    ImVec2 ts = measure_wrapped(f, f->FontSize, words, tw);
    draw_wrapped(dl, f, f->FontSize, ImVec2(tx, (p.y + q2.y - ts.y) * 0.5f), color::text, words, tw);
  }
  if (sel) {
    float cr = std::max(v.px(18), f->FontSize * 0.45f);
    draw_check(dl, l.row ? ImVec2(q2.x - cr - pad * 0.5f, p.y + cr + pad * 0.5f) : ImVec2(q2.x - cr - pad, (p.y + q2.y) * 0.5f), cr);
  }
  dl->PopClipRect();
}

}  // namespace

float rating_scale_height(const View& v, const Session& s, const Question& q, float width, float height) {
  static std::vector<const Option*> steps, extra;  // kept between frames (UI thread only): no allocation
  int lo, hi;
  split(s, q, steps, extra, lo, hi);
  Layout l = layout_for(v, steps, extra, width, height);
  return l.scale_h + l.extra_h;
}

const Option* rating_scale(const View& v, const Session& s, const Question& q, ImVec2 area) {
  static std::vector<const Option*> steps, extra;  // kept between frames (UI thread only): no allocation
  int lo, hi;
  split(s, q, steps, extra, lo, hi);
  // A scrollbar (extra large text) narrows the area on the right only: the scale keeps
  // as much margin on the left, so it stays centred on the body, as without one.
  float bar = std::max(0.f, ImGui::GetWindowPos().x + ImGui::GetWindowWidth() - ImGui::GetCursorScreenPos().x - area.x -
                                (ImGui::GetCursorScreenPos().x - ImGui::GetWindowPos().x));
  Layout l = layout_for(v, steps, extra, area.x - bar, area.y);
  const auto* chosen = std::get_if<Choice>(&s.answer_of(q.id));
  const std::string& lang = v.model.lang();
  ImFont* f = v.fonts.body;
  ImGuiStyle& st = ImGui::GetStyle();
  const Option* tapped = nullptr;
  ImVec2 origin = ImGui::GetCursorScreenPos();
  // Centred in the space there is (the scroll region scrolls when there is too little).
  float total_h = l.scale_h + l.extra_h;
  float y0 = origin.y + std::max(0.f, (area.y - total_h) * 0.5f);
  float row_w = l.row ? static_cast<float>(steps.size()) * l.tile_w + static_cast<float>(steps.size() - 1) * l.gap : l.tile_w;
  float x0 = origin.x + std::max(0.f, (area.x - row_w) * 0.5f);
  float centred = ImGui::GetWindowPos().x + (ImGui::GetWindowWidth() - row_w) * 0.5f;
  if (centred > x0 && centred + row_w <= origin.x + area.x) x0 = centred;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const Option& o = *steps[i];
    ImVec2 p = l.row ? ImVec2(x0 + static_cast<float>(i) * (l.tile_w + l.gap), y0)
                     : ImVec2(x0, y0 + static_cast<float>(i) * (l.tile_h + st.ItemSpacing.y));
    ImVec2 q2(p.x + l.tile_w, p.y + l.tile_h);
    ImGui::SetCursorScreenPos(p);
    ImGui::PushID(static_cast<int>(i));
    if (ImGui::InvisibleButton("##step", ImVec2(l.tile_w, l.tile_h))) tapped = &o;
    bool held = ImGui::IsItemActive();
    ImGui::PopID();
    const std::string& words = o.text.get(lang);
    record_hit(words, p, q2);
    bool sel = chosen && chosen->option == o.id;
    draw_step(v, l, words, p, q2, sel, held, mood(o, lo, hi));
  }
  float y = y0 + l.scale_h;
  if (!extra.empty()) {
    float cw = (area.x - l.gap * static_cast<float>(l.extra_cols - 1)) / static_cast<float>(l.extra_cols);
    y += st.ItemSpacing.y;
    for (std::size_t i = 0; i < extra.size(); ++i) {
      int col = static_cast<int>(i) % l.extra_cols, rowi = static_cast<int>(i) / l.extra_cols;
      ImGui::SetCursorScreenPos(ImVec2(origin.x + static_cast<float>(col) * (cw + l.gap),
                                       y + static_cast<float>(rowi) * (l.extra_card_h + st.ItemSpacing.y)));
      ImGui::PushID(100 + static_cast<int>(i));
      bool sel = chosen && chosen->option == extra[i]->id;
      if (card("##extra", extra[i]->text.get(lang), ImVec2(cw, l.extra_card_h), sel, f)) tapped = extra[i];
      ImGui::PopID();
    }
  }
  // Leave the cursor below everything drawn, so the region knows its content height.
  ImGui::SetCursorScreenPos(ImVec2(origin.x, origin.y));
  ImGui::Dummy(ImVec2(area.x, std::max(total_h, y0 - origin.y + total_h)));
  return tapped;
}

}  // namespace eco::ui
