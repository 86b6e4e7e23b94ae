// Welcome: the district's title, the questionnaires as large cards, language and
// text-size switches, and one line on privacy.
#include <algorithm>
#include <map>

#include "ui/common/theme.hpp"
#include "ui/common/touch_scroll.hpp"
#include "ui/resident/view.hpp"

namespace eco::ui {

namespace {

struct WelcomeCard {
  std::string title, intro, facts;  // facts: how many questions and minutes
};

// Filled in place: the strings keep their capacity, so the same card again allocates nothing.
void welcome_card(const View& v, const Questionnaire& q, WelcomeCard& c) {
  const std::string& lang = v.model.lang();
  c.title = q.title.get(lang);
  c.intro = q.intro.get(lang);
  // The same count the progress line starts from (Session::progress().expected): with the
  // comment question where this kiosk can write (the review saw 共 18 题 on the card and
  // 共 19 题 inside).
  QuestionCount n = count_questions(q, v.model.asks_text());
  if (n.least != n.most)
    c.facts = v.tf(T("welcome.count_range"), {{"least", std::to_string(n.least)}, {"most", std::to_string(n.most)}});
  else if (n.drawn > 0 && n.drawn < n.most)
    c.facts = v.tf(T("welcome.count_drawn"), {{"n", std::to_string(n.most)}, {"k", std::to_string(n.drawn)}});
  else
    c.facts = v.tf(T("welcome.count"), {{"n", std::to_string(n.most)}});
  c.facts += "  ·  ";
  c.facts += v.tf(T("welcome.minutes"), {{"n", std::to_string(q.minutes)}});
}

float card_pad(const View& v) { return v.fonts.body->FontSize * 0.6f; }
float start_h(const View& v) { return std::max(v.px(84), v.fonts.body->FontSize * 1.8f); }
float start_w(const View& v) {
  ImFont* b = v.fonts.body;
  return std::max(v.px(260), b->CalcTextSizeA(b->FontSize, FLT_MAX, 0, v.t(T("welcome.start")).c_str()).x + 2 * start_h(v));
}

// Every card's title in the title font on one line, or all in the body font when one
// is too wide (a title is never split inside a word, and the cards look alike).
ImFont* title_font(const View& v, const std::vector<WelcomeCard>& cards, float width) {
  ImFont* t = v.fonts.title;
  for (const auto& c : cards)
    if (measure_wrapped(t, t->FontSize, c.title, FLT_MAX).x > width) return v.fonts.body;
  return t;
}

// 开始 sits beside the facts when every card is wide enough (portrait, one column),
// below them otherwise.
bool start_beside(const View& v, const std::vector<WelcomeCard>& cards, ImFont* b, float inner) {
  for (const auto& c : cards)
    if (measure_wrapped(b, b->FontSize, c.facts, FLT_MAX).x + card_pad(v) + start_w(v) > inner) return false;
  return true;
}

float card_height(const View& v, const WelcomeCard& c, ImFont* tf, ImFont* b, bool beside, float w) {
  float pad = card_pad(v), inner = w - 2 * pad;
  float top = pad + measure_wrapped(tf, tf->FontSize, c.title, inner).y + pad * 0.5f +
              measure_wrapped(b, b->FontSize, c.intro, inner).y + pad * 0.5f;
  if (beside) return top + std::max(b->FontSize, start_h(v)) + pad;
  return top + measure_wrapped(b, b->FontSize, c.facts, inner).y + pad + start_h(v) + pad;
}

// A card: the whole card starts the questionnaire, and its 开始 is drawn as a button
// (recorded as one, so tests tap it where it is drawn).
bool draw_welcome_card(const View& v, const WelcomeCard& c, ImFont* tf, ImFont* b, bool beside, ImVec2 size) {
  ImVec2 p = ImGui::GetCursorScreenPos();
  bool clicked = ImGui::InvisibleButton("##q", size);
  bool held = ImGui::IsItemActive();
  record_hit(c.title, p, ImVec2(p.x + size.x, p.y + size.y));
  ImDrawList* dl = ImGui::GetWindowDrawList();
  ImVec2 q(p.x + size.x, p.y + size.y);
  float r = ImGui::GetStyle().FrameRounding * 1.4f;
  dl->AddRectFilled(p, q, held ? color::card_pressed : color::card, r);
  dl->AddRect(p, q, color::card_border, r, 0, std::max(2.f, v.px(2)) * color::current.border);
  float pad = card_pad(v), inner = size.x - 2 * pad;
  dl->PushClipRect(p, q, true);
  float y = p.y + pad;
  y += draw_wrapped(dl, tf, tf->FontSize, ImVec2(p.x + pad, y), color::primary, c.title, inner).y + pad * 0.5f;
  y += draw_wrapped(dl, b, b->FontSize, ImVec2(p.x + pad, y), color::muted, c.intro, inner).y + pad * 0.5f;
  const std::string& label = v.t(T("welcome.start"));
  float bh = start_h(v), bw = std::min(inner, start_w(v));
  ImVec2 bp;
  if (beside) {
    bp = ImVec2(q.x - pad - bw, q.y - pad - bh);
    draw_wrapped(dl, b, b->FontSize, ImVec2(p.x + pad, bp.y + (bh - b->FontSize) * 0.5f), color::text, c.facts, inner);
  } else {
    draw_wrapped(dl, b, b->FontSize, ImVec2(p.x + pad, y), color::text, c.facts, inner);
    bp = ImVec2(p.x + (size.x - bw) * 0.5f, q.y - pad - bh);
  }
  ImVec2 bq(bp.x + bw, bp.y + bh);
  dl->AddRectFilled(bp, bq, held ? color::primary_pressed : color::primary, bh * 0.5f);
  ImVec2 ts = b->CalcTextSizeA(b->FontSize, FLT_MAX, 0, label.c_str());
  dl->AddText(b, b->FontSize, ImVec2(bp.x + (bw - ts.x) * 0.5f, bp.y + (bh - ts.y) * 0.5f), color::on_primary, label.c_str());
  dl->PopClipRect();
  record_hit(label, bp, bq);
  return clicked;
}

}  // namespace

void heading(const std::string& s, ImU32 colour, ImFont* big, ImFont* small, float width) {
  ImFont* f = measure_wrapped(big, big->FontSize, s, FLT_MAX).x <= width ? big : small;
  text_wrapped(s, colour, f, width);
}

namespace {

const std::string& local(const View& v, const std::map<std::string, std::string>& m) {
  auto it = m.find(v.model.lang());
  return it != m.end() ? it->second : m.at("zh");
}

// The staff gesture: press and hold the top-left corner (nothing is drawn there); the
// model opens the console after KioskModel::kAdminHoldMs.
void staff_corner(const View& v, Intent& out) {
  ImVec2 back = ImGui::GetCursorPos();
  ImGui::SetCursorPos(ImVec2(0, 0));
  float side = v.staff_corner();
  ImGui::InvisibleButton("##staff", ImVec2(side, side));
  if (g_hit_items) g_hit_items->push_back({"##staff", ImVec2(0, 0), ImVec2(side, side)});
  if (ImGui::IsItemActivated()) out = intent::CornerPress{};
  if (ImGui::IsItemDeactivated()) out = intent::CornerRelease{};
  ImGui::SetCursorPos(back);
}

// Top row: switches on the right, reading every page aloud just left of them (of their
// last row when they take two), as tall as a switch.
void top_row(const View& v, Intent& out) {
  ImGuiStyle& st = ImGui::GetStyle();
  ImVec2 row = ImGui::GetCursorPos();
  float left = 0, last_left = 0, last_h = 0;
  float row_h = top_switches(v, out, false, &left, &last_left, &last_h);
  if (float aw = auto_read_width(v, last_h); aw > 0) {
    // Beside the switches' last row, clear of the staff corner; else right-aligned on a row below.
    float x = last_left - aw - st.ItemSpacing.x, y = row.y + row_h - last_h;
    if (x >= ImGui::GetWindowPos().x + header_row_left(v, y)) {
      ImVec2 after = ImGui::GetCursorPos();
      ImGui::SetCursorScreenPos(ImVec2(x, ImGui::GetWindowPos().y + y));
      auto_read_switch(v, out, last_h);
      ImGui::SetCursorPos(after);
    } else {
      ImGui::SetCursorPosX(v.size.x - st.WindowPadding.x - aw);
      auto_read_switch(v, out, last_h);
    }
  }
  ImGui::Dummy(ImVec2(0, v.px(10)));
}

// The district's title, the line under it and "choose" (kept text: valid this frame).
const std::string& subtitle(const View& v) {
  return kept_format("{a}  ·  {b}", {{"a", v.t(T("welcome.subtitle"))}, {"b", local(v, v.model.config().hall_name)}});
}
float head_height(const View& v, float width) {
  const auto& f = v.fonts;
  float sp = ImGui::GetStyle().ItemSpacing.y;
  const std::string& t = local(v, v.model.config().district_title);
  ImFont* hf = measure_wrapped(f.title, f.title->FontSize, t, FLT_MAX).x <= width ? f.title : f.body;
  return measure_wrapped(hf, hf->FontSize, t, width).y + sp + measure_wrapped(f.body, f.body->FontSize, subtitle(v), width).y + sp +
         v.px(20) + sp + measure_wrapped(f.body, f.body->FontSize, v.t(T("welcome.choose")), width).y + sp;
}
void draw_head(const View& v, float width) {
  const auto& f = v.fonts;
  heading(local(v, v.model.config().district_title), color::primary, f.title, f.body, width);
  text_wrapped(subtitle(v), color::muted, f.body, width);
  ImGui::Dummy(ImVec2(0, v.px(20)));
  text_wrapped(v.t(T("welcome.choose")), color::text, f.body, width);
}

// How the cards are laid out: columns, fonts, where 开始 goes, and whether they scroll.
struct CardLayout {
  int cols = 1;
  float card_h = 0;
  ImFont* tf = nullptr;  // title
  ImFont* df = nullptr;  // intro and facts
  bool beside = false;
  bool scroll = false;
  float cards_w = 0;
};

// Reflow: the most columns whose tallest card still fits (three across in landscape,
// fewer in larger text or portrait); if none fits, the arrangement that overflows least.
// Then, if still nothing fits (portrait, larger text), the same with the intro in the
// small font.
CardLayout fit_cards(const View& v, const std::vector<WelcomeCard>& cards, float w, float avail_h) {
  const auto& f = v.fonts;
  ImGuiStyle& st = ImGui::GetStyle();
  int n = static_cast<int>(cards.size());
  CardLayout l{1, 0, f.title, f.body, false, false, w};
  float best_over = FLT_MAX;
  for (ImFont* d : {f.body, f.small}) {
    for (int c = v.portrait ? 1 : std::max(1, n); c >= 1; --c) {
      float cw = (w - (c - 1) * st.ItemSpacing.x) / c;
      ImFont* t = title_font(v, cards, cw - 2 * card_pad(v));
      bool bs = start_beside(v, cards, d, cw - 2 * card_pad(v));
      float need = 0;
      for (const auto& card : cards) need = std::max(need, card_height(v, card, t, d, bs, cw));
      int rows = (n + c - 1) / c;
      float over = rows * need + (rows - 1) * st.ItemSpacing.y - avail_h;
      if (over <= 0 || over < best_over) {
        l.cols = c;
        l.tf = t;
        l.df = d;
        l.beside = bs;
        l.card_h = std::max(need, std::min((avail_h - (rows - 1) * st.ItemSpacing.y) / rows, v.px(v.portrait ? 380 : 520)));
        best_over = over;
      }
      if (over <= 0) break;
    }
    if (best_over <= 0) break;
  }
  l.scroll = best_over > 0;
  return l;
}

// Extra large text on a small or portrait screen: nothing fits, so the cards scroll (by
// finger, with a bar), each title still on one line.
void scrolling_cards(const View& v, const std::vector<WelcomeCard>& cards, CardLayout& l) {
  ImGuiStyle& st = ImGui::GetStyle();
  int n = static_cast<int>(cards.size());
  l.cards_w -= st.ScrollbarSize;
  for (int c = v.portrait ? 1 : std::max(1, n); c >= 1; --c) {
    float cw = (l.cards_w - (c - 1) * st.ItemSpacing.x) / c;
    ImFont* t = title_font(v, cards, cw - 2 * card_pad(v));
    bool fits = true;
    for (const auto& card : cards)
      fits = fits && measure_wrapped(t, t->FontSize, card.title, FLT_MAX).x <= cw - 2 * card_pad(v);
    if (!fits && c > 1) continue;
    l.cols = c;
    l.tf = t;
    l.df = v.fonts.small;
    l.beside = start_beside(v, cards, l.df, cw - 2 * card_pad(v));
    l.card_h = 0;
    for (const auto& card : cards) l.card_h = std::max(l.card_h, card_height(v, card, l.tf, l.df, l.beside, cw));
    break;
  }
}

}  // namespace

Intent draw_welcome(const View& v) {
  Intent out;
  const auto& f = v.fonts;
  ImGuiStyle& st = ImGui::GetStyle();
  float w = v.size.x - 2 * st.WindowPadding.x;
  staff_corner(v, out);
  top_row(v, out);
  // The heading: above the cards, or scrolling with them when the cards would otherwise
  // get less room than one of them needs.
  float head_h = head_height(v, w);
  // Kept between frames (an idle frame allocates nothing): the list and the cards.
  static std::vector<const Questionnaire*> qs;
  static std::vector<WelcomeCard> cards;
  v.model.offered(qs);
  int n = static_cast<int>(qs.size());
  float privacy_h = measure_wrapped(f.small, f.small->FontSize, v.t(T("welcome.privacy")), w).y;
  float avail_h = ImGui::GetContentRegionAvail().y - head_h - privacy_h - 2 * st.ItemSpacing.y;
  cards.resize(qs.size());
  for (std::size_t i = 0; i < qs.size(); ++i) welcome_card(v, *qs[i], cards[i]);
  CardLayout l = fit_cards(v, cards, w, avail_h);
  if (l.scroll) scrolling_cards(v, cards, l);
  // Extra large text in landscape: the heading scrolls with the cards when they would see
  // less than one whole card, so the cards (and their 开始) start on screen.
  bool head_scrolls = l.scroll && avail_h < l.card_h;
  if (!head_scrolls) draw_head(v, w);
  if (l.scroll) {
    begin_scroll_region("##cards", ImVec2(w, avail_h + (head_scrolls ? head_h : 0)), true, ImGuiWindowFlags_NoBackground);
    if (head_scrolls) draw_head(v, ImGui::GetContentRegionAvail().x);
  }
  float card_w = (l.cards_w - (l.cols - 1) * st.ItemSpacing.x) / l.cols;
  for (int i = 0; i < n; ++i) {
    if (i % l.cols) ImGui::SameLine();
    ImGui::PushID(i);
    if (draw_welcome_card(v, cards[static_cast<std::size_t>(i)], l.tf, l.df, l.beside, ImVec2(card_w, l.card_h))) {
      out = intent::Start{qs[static_cast<std::size_t>(i)]->id};
    }
    ImGui::PopID();
  }
  if (l.scroll) end_scroll_region(v.scale);
  ImGui::SetCursorPosY(std::max(ImGui::GetCursorPosY(), v.size.y - st.WindowPadding.y - privacy_h));
  text_wrapped(v.t(T("welcome.privacy")), color::muted, f.small, w);
  return out;
}

}  // namespace eco::ui
