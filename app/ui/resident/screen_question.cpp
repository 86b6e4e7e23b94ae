// Question: progress, the question in large type, the answer widgets for its type,
// and Back / Next with the reason Next cannot go on.
#include <algorithm>
#include <cstdio>

#include "ui/common/theme.hpp"
#include "ui/common/touch_scroll.hpp"
#include "ui/resident/view.hpp"

namespace eco::ui {

namespace {

Intent answer_intent(Answer a, bool advance = false) { return intent::Answer{std::move(a), advance}; }

int columns_for(const View& v, std::size_t n, const Question& q) {
  if (q.type == QuestionType::rating) return v.portrait ? 1 : 5;
  if (v.portrait) return n > 8 ? 2 : 1;
  return n > 20 ? 5 : n > 12 ? 4 : n > 5 ? 3 : 2;
}

// Options as a grid of cards, sized before the region opens: every card is at least as
// tall as its wrapped label, and when the cards do not fit the height available they are
// laid out beside a scrollbar from the first frame (the width never changes under them).
struct Grid {
  int cols = 1;
  float w = 0, h = 0, height = 0;
  bool overflows = false;
};

Grid grid_for(const View& v, const Session& s, const Question& q, ImVec2 area) {
  auto opts = s.options_in_order(q);
  Grid g;
  g.cols = columns_for(v, opts.size(), q);
  std::size_t cols = static_cast<std::size_t>(g.cols);
  int rows = static_cast<int>((opts.size() + cols - 1) / cols);
  ImGuiStyle& st = ImGui::GetStyle();
  ImFont* f = v.fonts.body;
  auto fit = [&](float width) {
    g.w = (width - static_cast<float>(g.cols - 1) * st.ItemSpacing.x) / static_cast<float>(g.cols);
    g.h = std::clamp((area.y - static_cast<float>(rows - 1) * st.ItemSpacing.y) / static_cast<float>(rows), v.px(72),
                     v.px(q.type == QuestionType::rating ? 200 : 130));
    float wrap = g.w - 2 * f->FontSize * 0.6f - f->FontSize * 1.1f;  // as card() wraps
    for (const Option* o : opts)
      g.h = std::max(g.h, f->CalcTextSizeA(f->FontSize, FLT_MAX, wrap, o->text.get(v.model.lang()).c_str()).y +
                              f->FontSize * 0.8f);
    g.height = static_cast<float>(rows) * g.h + static_cast<float>(rows - 1) * st.ItemSpacing.y;
  };
  fit(area.x);
  if (g.height > area.y) {
    g.overflows = true;
    fit(area.x - st.ScrollbarSize);
  }
  return g;
}

// Returns the tapped option.
const Option* option_grid(const View& v, const Session& s, const Question& q, const Grid& g,
                          const std::function<bool(const Option&)>& is_selected) {
  const Option* tapped = nullptr;
  auto opts = s.options_in_order(q);
  for (std::size_t i = 0; i < opts.size(); ++i) {
    if (i % static_cast<std::size_t>(g.cols)) ImGui::SameLine();
    ImGui::PushID(static_cast<int>(i));
    if (card("##opt", opts[i]->text.get(v.model.lang()), ImVec2(g.w, g.h), is_selected(*opts[i]), v.fonts.body))
      tapped = opts[i];
    ImGui::PopID();
  }
  return tapped;
}

Intent count_matrix(const View& v, const Session& s, const Question& q, ImVec2 area) {
  Intent out;
  const auto* counts = std::get_if<Counts>(&s.answer_of(q.id));
  int cols = v.portrait ? 1 : 2;
  int rows = static_cast<int>((q.rows.size() + 1) / static_cast<std::size_t>(cols));
  ImGuiStyle& st = ImGui::GetStyle();
  float w = (area.x - (cols - 1) * st.ItemSpacing.x * 3) / cols;
  float h = std::clamp((area.y - v.fonts.body->FontSize * 1.6f - (rows - 1) * st.ItemSpacing.y) / rows, v.px(80), v.px(120));
  float btn = h;
  for (std::size_t i = 0; i < q.rows.size(); ++i) {
    const Option& row = q.rows[i];
    int value = 0;
    if (counts)
      for (const auto& [id, n] : counts->rows)
        if (id == row.id) value = n;
    if (i % static_cast<std::size_t>(cols)) ImGui::SameLine(0, st.ItemSpacing.x * 3);
    ImGui::PushID(static_cast<int>(i));
    ImGui::BeginGroup();
    ImVec2 p = ImGui::GetCursorScreenPos();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->AddRectFilled(p, ImVec2(p.x + w, p.y + h), value > 0 ? color::primary_light : color::card, h * 0.2f);
    float label_w = w - 3 * btn;
    dl->PushClipRect(p, ImVec2(p.x + label_w, p.y + h), true);
    ImFont* f = v.fonts.body;
    ImVec2 ts = f->CalcTextSizeA(f->FontSize, FLT_MAX, label_w - f->FontSize * 0.5f, row.text.get(v.model.lang()).c_str());
    dl->AddText(f, f->FontSize, ImVec2(p.x + f->FontSize * 0.5f, p.y + (h - ts.y) * 0.5f), color::text,
                row.text.get(v.model.lang()).c_str(), nullptr, label_w - f->FontSize * 0.5f);
    dl->PopClipRect();
    auto change = [&](int delta) {
      Counts c = counts ? *counts : Counts{};
      bool found = false;
      for (auto& [id, n] : c.rows)
        if (id == row.id) { n = std::max(0, n + delta); found = true; }
      if (!found) c.rows.emplace_back(row.id, std::max(0, delta));
      out = answer_intent(std::move(c));
    };
    ImGui::SetCursorScreenPos(ImVec2(p.x + label_w, p.y));
    if (big_button("##minus", "−", ImVec2(btn, btn), v.fonts.title, false) && value > 0) change(-1);
    ImGui::SameLine(0, 0);
    char num[16];
    std::snprintf(num, sizeof num, "%d", value);
    ImVec2 np = ImGui::GetCursorScreenPos();
    ImVec2 ns = v.fonts.title->CalcTextSizeA(v.fonts.title->FontSize, FLT_MAX, 0, num);
    dl->AddText(v.fonts.title, v.fonts.title->FontSize, ImVec2(np.x + (btn - ns.x) * 0.5f, np.y + (btn - ns.y) * 0.5f),
                color::text, num);
    ImGui::Dummy(ImVec2(btn, btn));
    ImGui::SameLine(0, 0);
    if (big_button("##plus", "+", ImVec2(btn, btn), v.fonts.title, true)) change(+1);
    ImGui::EndGroup();
    ImGui::PopID();
  }
  std::int64_t total = counts_total(s.answer_of(q.id));
  text_wrapped(v.tf(T("question.trips_total"), {{"n", std::to_string(total)}}), color::muted,
               v.fonts.body, area.x);
  return out;
}

Intent number_pad(const View& v, const Session& s, const Question& q, ImVec2 area) {
  Intent out;
  const auto* cur = std::get_if<std::int64_t>(&s.answer_of(q.id));
  std::string shown = cur ? std::to_string(*cur) : "—";
  std::string unit = q.unit.get(v.model.lang());
  ImGuiStyle& st = ImGui::GetStyle();
  float key = std::min((area.y - st.ItemSpacing.y * 4) / 5.f, v.px(120));
  float pad_w = key * 3 * 1.6f + st.ItemSpacing.x * 2;
  ImGui::SetCursorPosX(ImGui::GetCursorPosX() + (area.x - pad_w) * 0.5f);
  ImGui::BeginGroup();
  ImVec2 p = ImGui::GetCursorScreenPos();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddRectFilled(p, ImVec2(p.x + pad_w, p.y + key), color::card, key * 0.2f);
  dl->AddRect(p, ImVec2(p.x + pad_w, p.y + key), color::card_border, key * 0.2f, 0, 2);
  std::string display = shown + (unit.empty() ? "" : "  " + unit);
  ImVec2 ds = v.fonts.title->CalcTextSizeA(v.fonts.title->FontSize, FLT_MAX, 0, display.c_str());
  dl->AddText(v.fonts.title, v.fonts.title->FontSize, ImVec2(p.x + (pad_w - ds.x) * 0.5f, p.y + (key - ds.y) * 0.5f),
              color::text, display.c_str());
  ImGui::Dummy(ImVec2(pad_w, key));
  // Label and the key it is to number_pad_key().
  const char* keys[] = {"1", "2", "3", "4", "5", "6", "7", "8", "9", "C", "0", "←"};
  const char codes[] = "123456789C0<";
  ImVec2 ks((pad_w - st.ItemSpacing.x * 2) / 3, key);
  for (int i = 0; i < 12; ++i) {
    if (i % 3) ImGui::SameLine();
    ImGui::PushID(i);
    std::string label = keys[i][0] == 'C' ? v.t(T("numpad.clear")) : keys[i];
    if (big_button("##k", label, ks, v.fonts.title, false)) out = answer_intent(number_pad_key(s.answer_of(q.id), codes[i]));
    ImGui::PopID();
  }
  ImGui::EndGroup();
  return out;
}

// Header: the questionnaire's title and progress on the left; language, text size
// and 退出 on the right, on every question (both switches keep the answers).
// Progress counts what this resident can still be asked (Progress::expected): the
// text and the bar say the same and never go backwards while the resident goes on.
Progress question_header(const View& v, const Session* s, float w, Intent& out) {
  const std::string& lang = v.model.lang();
  const auto& f = v.fonts;
  ImGuiStyle& st = ImGui::GetStyle();
  Progress pr = s->progress();
  std::string progress = v.tf(T("question.progress"), {{"i", std::to_string(pr.position)}, {"n", std::to_string(pr.expected)}});
  ImVec2 top = ImGui::GetCursorPos();
  float right = 0, last_left = 0, last_h = 0;  // where the switches begin (screen x), the last row
  float row_h = top_switches(v, out, true, &right, &last_left, &last_h);
  // 🔊 朗读 just left of the switches; on a row of its own under them when there is no room.
  float read_w = read_aloud_width(v, row_h);
  bool read_below = read_w > 0 && right - read_w - st.ItemSpacing.x < ImGui::GetWindowPos().x + top.x;
  if (read_w > 0 && !read_below) {
    right -= read_w + st.ItemSpacing.x;
    ImGui::SetCursorScreenPos(ImVec2(right, ImGui::GetWindowPos().y + top.y));
    read_aloud_button(v, out, row_h);
  }
  ImFont* sf = f.small;
  const std::string& title = s->questionnaire().title.get(lang);
  float left_w = right - ImGui::GetWindowPos().x - top.x - st.ItemSpacing.x;
  float need_w = std::max(measure_wrapped(sf, sf->FontSize, title, FLT_MAX).x, measure_wrapped(sf, sf->FontSize, progress, FLT_MAX).x);
  float last_w = last_left - ImGui::GetWindowPos().x - top.x - st.ItemSpacing.x;
  if (need_w <= left_w) {  // beside the switches
    ImGui::SetCursorPos(ImVec2(top.x, top.y + std::max(0.f, (row_h - sf->FontSize * 2) * 0.5f)));
  } else if (row_h > last_h && need_w <= last_w) {  // beside their last row (larger text: 退出 alone there)
    left_w = last_w;
    ImGui::SetCursorPos(ImVec2(top.x, top.y + row_h - last_h + std::max(0.f, (last_h - sf->FontSize * 2) * 0.5f)));
  } else {                 // below them (portrait, larger text)
    ImGui::SetCursorPos(ImVec2(top.x, top.y + row_h + st.ItemSpacing.y));
    left_w = w;
  }
  ImGui::BeginGroup();
  text_wrapped(title, color::muted, sf, left_w);
  text_wrapped(progress, color::text, sf, left_w);
  ImGui::EndGroup();
  if (read_below) {
    ImGui::SetCursorPosY(std::max(top.y + row_h, ImGui::GetCursorPosY()) + st.ItemSpacing.y);
    read_aloud_button(v, out, row_h);
  }
  ImGui::SetCursorPosY(std::max(top.y + row_h, ImGui::GetCursorPosY()) + st.ItemSpacing.y);
  ImGui::ProgressBar(pr.expected ? static_cast<float>(pr.position) / static_cast<float>(pr.expected) : 0.f, ImVec2(w, v.px(14)), "");
  ImGui::Dummy(ImVec2(0, v.px(8)));
  return pr;
}

// The question, and under it the hint, how many to choose, or "optional".
void question_text(const View& v, const Question& q, float w) {
  const std::string& lang = v.model.lang();
  const auto& f = v.fonts;
  text_wrapped(q.text.get(lang), color::text, f.title, w);
  std::string sub = q.hint.get(lang);
  if (q.type == QuestionType::multiple)
    sub += (sub.empty() ? "" : "  ") + v.tf(T("question.choose_up_to"), {{"min", std::to_string(std::max<std::int64_t>(q.min, 1))}, {"max", std::to_string(q.max)}});
  if (!q.required && q.type != QuestionType::text) sub += (sub.empty() ? "" : "  ") + v.t(T("question.optional"));
  if (!sub.empty()) text_wrapped(sub, color::muted, f.small, w);
  if (std::string k = v.model.minor_notice_key(); !k.empty()) text_wrapped(v.t(k.c_str()), color::error, f.body, w);
  ImGui::Dummy(ImVec2(0, v.px(6)));
}

// How tall question_text() draws at width w.
float question_text_height(const View& v, const Question& q, float w) {
  const std::string& lang = v.model.lang();
  const auto& f = v.fonts;
  float sp = ImGui::GetStyle().ItemSpacing.y;
  float h = measure_wrapped(f.title, f.title->FontSize, q.text.get(lang), w).y + sp;
  std::string sub = q.hint.get(lang);
  if (!q.required && q.type != QuestionType::text) sub += (sub.empty() ? "" : "  ") + v.t(T("question.optional"));
  if (!sub.empty()) h += measure_wrapped(f.small, f.small->FontSize, sub, w).y + sp;
  if (std::string k = v.model.minor_notice_key(); !k.empty()) h += measure_wrapped(f.body, f.body->FontSize, v.t(k.c_str()), w).y + sp;
  return h + v.px(6) + sp;
}

// The answer area for the question's type, inside the scroll region.
void answer_body(const View& v, const Session* s, const Question& q, const Grid& g, ImVec2 inner, Intent& out) {
  const auto& f = v.fonts;
  const Answer& a = s->answer_of(q.id);
  switch (q.type) {
    case QuestionType::rating:  // faces, colours and words (screen_rating.cpp)
      if (const Option* t = rating_scale(v, *s, q, inner)) out = answer_intent(Choice{t->id}, true);
      break;
    case QuestionType::single: {
      const auto* chosen = std::get_if<Choice>(&a);
      if (const Option* t = option_grid(v, *s, q, g, [&](const Option& o) { return chosen && chosen->option == o.id; }))
        out = answer_intent(Choice{t->id}, true);
      break;
    }
    case QuestionType::multiple: {
      const auto* set = std::get_if<ChoiceSet>(&a);
      auto has = [&](const std::string& id) {
        return set && std::find(set->options.begin(), set->options.end(), id) != set->options.end();
      };
      if (const Option* t = option_grid(v, *s, q, g, [&](const Option& o) { return has(o.id); }))
        out = answer_intent(toggle_option(q, set, t->id));
      break;
    }
    // Only a key or stepper pressed replaces what the header's switches and 退出 asked for.
    case QuestionType::count_matrix:
      if (Intent in = count_matrix(v, *s, q, inner); !none(in)) out = std::move(in);
      break;
    case QuestionType::integer:
      if (Intent in = number_pad(v, *s, q, inner); !none(in)) out = std::move(in);
      break;
    case QuestionType::text:
      if (!v.model.text_entry()) text_wrapped(v.t(T("question.text_skip")), color::muted, f.body, inner.x);
      else if (Intent in = draw_text_answer(v, inner); !none(in)) out = std::move(in);
      break;
  }
}

// Footer: Back, the reason Next refused, Next/Submit.
void question_footer(const View& v, const Progress& pr, float w, Intent& out) {
  const auto& f = v.fonts;
  ImGuiStyle& st = ImGui::GetStyle();
  float bh = v.px(100);
  // Extra large text in portrait: the two buttons share the width rather than overlap.
  float bw = std::min(v.px(v.portrait ? 300 : 340), (w - ImGui::GetStyle().ItemSpacing.x) * 0.5f);
  ImGui::SetCursorPosY(v.size.y - st.WindowPadding.y - bh);
  if (big_button("##back", v.t(T("nav.back")), ImVec2(bw, bh), f.body, false)) out = intent::Back{};
  const AnswerCheck& refusal = v.model.refusal();
  if (!refusal.ok()) {
    std::string key = std::string(T("validation.")) + status_code(refusal.status);
    std::string msg = v.tf(key.c_str(), {{"min", std::to_string(refusal.min)}, {"max", std::to_string(refusal.max)}});
    ImGui::SameLine();
    ImGui::BeginGroup();
    ImGui::SetCursorPosY(ImGui::GetCursorPosY() + (bh - f.body->FontSize * 2.2f) * 0.5f);
    text_wrapped(msg, color::error, f.body, w - 2 * bw - 2 * st.ItemSpacing.x);
    ImGui::EndGroup();
  }
  // Next only where it cannot collide with moving on by itself (KioskModel::next_shown);
  // the last question always shows 提交 and never submits without it.
  if (v.model.next_shown()) {
    ImGui::SameLine();
    ImGui::SetCursorPosX(v.size.x - st.WindowPadding.x - bw);
    if (big_button("##next", v.t(pr.last ? T("nav.submit") : T("nav.next")), ImVec2(bw, bh), f.body, true))
      out = intent::Next{};
  }
}

}  // namespace

Intent draw_question(const View& v) {
  Intent out;
  const Session* s = v.model.session();
  if (!s || !s->current()) return out;
  const Question& q = *s->current();
  ImGuiStyle& st = ImGui::GetStyle();
  float w = v.size.x - 2 * st.WindowPadding.x;
  Progress pr = question_header(v, s, w, out);
  float footer_h = v.px(110);
  // The writing pad must never scroll the page under the finger: the input fits its area,
  // and when a long question in large text would leave it less than fingertip-sized keys,
  // the question's text scrolls in the space left above it instead.
  bool writing = q.type == QuestionType::text && v.model.text_entry();
  float text_room = ImGui::GetContentRegionAvail().y - footer_h - 2 * st.ItemSpacing.y - text_answer_min_height(v, w);
  if (writing && question_text_height(v, q, w) > text_room) {
    float h = std::max(text_room, v.fonts.title->FontSize * 1.2f);  // a line of it at least
    begin_scroll_region("##qtext", ImVec2(w, h), true, ImGuiWindowFlags_NoBackground);
    question_text(v, q, ImGui::GetContentRegionAvail().x);
    end_scroll_region(v.scale);
  } else {
    question_text(v, q, w);
  }

  // Body, above a fixed footer: a scroll region that opens at the top of each question
  // and follows the finger (touch_scroll.hpp).
  ImVec2 area(w, ImGui::GetContentRegionAvail().y - footer_h - st.ItemSpacing.y);
  bool grid = q.type == QuestionType::single || q.type == QuestionType::rating || q.type == QuestionType::multiple;
  Grid g = grid ? grid_for(v, *s, q, area) : Grid{};
  if (q.type == QuestionType::rating) g.overflows = rating_scale_height(v, *s, q, area.x, area.y) > area.y;
  begin_scroll_region("##body", area, g.overflows,
                      ImGuiWindowFlags_NoBackground | (writing ? ImGuiWindowFlags_NoScrollWithMouse | ImGuiWindowFlags_NoScrollbar : 0));
  answer_body(v, s, q, g, ImGui::GetContentRegionAvail(), out);
  end_scroll_region(v.scale);

  question_footer(v, pr, w, out);
  return out;
}

}  // namespace eco::ui
