// Question: progress, the question in large type, the answer widgets for its type,
// and Back / Next with the reason Next cannot go on.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "ui/common/theme.hpp"
#include "ui/common/touch_scroll.hpp"
#include "ui/resident/view.hpp"

namespace eco::ui {

namespace {

Intent answer_intent(Answer a, bool advance = false) { return intent::Answer{std::move(a), advance}; }

int columns_for(const View& v, std::size_t n, const Question& q, float width) {
  if (q.type == QuestionType::rating) return v.portrait ? 1 : 5;
  int cols = v.portrait ? (n > 8 ? 2 : 1) : n > 20 ? 5 : n > 12 ? 4 : n > 5 ? 3 : 2;
  // Extra large text: no narrower than about six characters of the body text, so the
  // cards get fewer, wider columns rather than one word a line (normal and large keep theirs).
  if (v.model.text_size() < KioskModel::kTextSizes - 1) return cols;
  float sp = ImGui::GetStyle().ItemSpacing.x, least = v.fonts.body->FontSize * 6.5f;
  int fit = std::max(1, static_cast<int>((width + sp) / (least + sp)));
  return std::min(cols, fit);
}

// Options as a grid of cards, sized before the region opens: every card is at least as
// tall as its wrapped label, and when the cards do not fit the height available they are
// laid out beside a scrollbar from the first frame (the width never changes under them).
struct Grid {
  int cols = 1;
  float w = 0, h = 0, height = 0;
  bool overflows = false;
};

// `inside`: laid out from within a region that already shows its scrollbar.
Grid grid_for(const View& v, const Session& s, const Question& q, ImVec2 area, bool inside = false) {
  auto opts = s.options_in_order(q);
  Grid g;
  g.cols = columns_for(v, opts.size(), q, area.x);
  std::size_t cols = static_cast<std::size_t>(g.cols);
  int rows = static_cast<int>((opts.size() + cols - 1) / cols);
  ImGuiStyle& st = ImGui::GetStyle();
  ImFont* f = v.fonts.body;
  auto fit = [&](float width) {
    g.w = (width - static_cast<float>(g.cols - 1) * st.ItemSpacing.x) / static_cast<float>(g.cols);
    g.h = std::clamp((area.y - static_cast<float>(rows - 1) * st.ItemSpacing.y) / static_cast<float>(rows), v.px(72),
                     v.px(q.type == QuestionType::rating ? 200 : 130));
    // Measured with the line breaker card() draws with (ImGui's own wrapping breaks
    // differently, and a label one line taller than measured was cut at the card's edge).
    float wrap = g.w - 2 * f->FontSize * 0.6f - f->FontSize * 1.1f;  // as card() wraps
    for (const Option* o : opts)
      g.h = std::max(g.h, measure_wrapped(f, f->FontSize, o->text.get(v.model.lang()), wrap).y + f->FontSize * 0.8f);
    g.height = static_cast<float>(rows) * g.h + static_cast<float>(rows - 1) * st.ItemSpacing.y;
  };
  fit(area.x);
  if (g.height > area.y && !inside) {
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

// The trip counter's rows: one or two columns, each row as tall as its − / + buttons.
struct MatrixLayout {
  int cols = 1, rows = 1;
  float h = 0;
};
MatrixLayout matrix_layout(const View& v, const Question& q, ImVec2 area) {
  MatrixLayout m;
  m.cols = v.portrait ? 1 : 2;
  m.rows = static_cast<int>((q.rows.size() + 1) / static_cast<std::size_t>(m.cols));
  ImGuiStyle& st = ImGui::GetStyle();
  m.h = std::clamp((area.y - v.fonts.body->FontSize * 1.6f - (m.rows - 1) * st.ItemSpacing.y) / m.rows, v.px(80), v.px(120));
  m.h = std::max(m.h, v.fonts.title->FontSize * 1.2f);  // taller than its − / + / number
  return m;
}

Intent count_matrix(const View& v, const Session& s, const Question& q, ImVec2 area) {
  Intent out;
  const auto* counts = std::get_if<Counts>(&s.answer_of(q.id));
  MatrixLayout m = matrix_layout(v, q, area);
  int cols = m.cols;
  ImGuiStyle& st = ImGui::GetStyle();
  float w = (area.x - (cols - 1) * st.ItemSpacing.x * 3) / cols;
  float h = m.h;
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
    // The line breaker every label uses: ImGui's own left "）" alone on a line.
    const std::string& label = row.text.get(v.model.lang());
    ImVec2 ts = measure_wrapped(f, f->FontSize, label, label_w - f->FontSize * 0.5f);
    draw_wrapped(dl, f, f->FontSize, ImVec2(p.x + f->FontSize * 0.5f, p.y + (h - ts.y) * 0.5f), color::text, label,
                 label_w - f->FontSize * 0.5f);
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

// The number pad's key height (the display and four rows of keys share `height`):
// fingertip-sized and taller than its digit however little room there is (the region
// then scrolls), and no taller than 120 px at 1080p.
float pad_key(const View& v, float height) {
  float lo = std::max(v.px(64), v.fonts.title->FontSize * 1.2f);
  return std::clamp((height - ImGui::GetStyle().ItemSpacing.y * 4) / 5.f, lo, std::max(v.px(120), lo));
}

// Landscape with too little height for the pad's five rows (a long question in extra
// large text): the display on the left and the keys in two rows of six beside it, every
// key on screen and as large as in the usual pad, rather than a pad that scrolls.
// Its keys are at least a fingertip (64 px at 1080p, whatever the text size) and taller
// than a digit in the body font; the title font when they are tall enough for it.
float strip_least(const View& v) { return std::max(64 * v.scale / v.model.text_scale(), v.fonts.body->FontSize * 1.3f); }
bool pad_strip(const View& v, ImVec2 area) {
  float lo = std::max(v.px(64), v.fonts.title->FontSize * 1.2f), sp = ImGui::GetStyle().ItemSpacing.y;
  return !v.portrait && 5 * lo + 4 * sp > area.y && 2 * strip_least(v) + sp <= area.y;
}
float pad_strip_key(const View& v, float height) { return std::min((height - ImGui::GetStyle().ItemSpacing.y) / 2, v.px(120)); }

Intent number_pad(const View& v, const Session& s, const Question& q, ImVec2 area) {
  Intent out;
  const auto* cur = std::get_if<std::int64_t>(&s.answer_of(q.id));
  std::string shown = cur ? std::to_string(*cur) : "—";
  std::string unit = q.unit.get(v.model.lang());
  ImGuiStyle& st = ImGui::GetStyle();
  // Label and the key it is to number_pad_key().
  const char* keys[] = {"1", "2", "3", "4", "5", "6", "7", "8", "9", "C", "0", "←"};
  const char codes[] = "123456789C0<";
  std::string display = shown + (unit.empty() ? "" : "  " + unit);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  ImFont* tf = v.fonts.title;
  if (pad_strip(v, area)) {
    float key = pad_strip_key(v, area.y);
    if (key < tf->FontSize * 1.2f) tf = v.fonts.body;
    ImVec2 ds = tf->CalcTextSizeA(tf->FontSize, FLT_MAX, 0, display.c_str());
    float kw = std::min(key * 1.6f, (area.x - 7 * st.ItemSpacing.x) / 8.5f);
    float dw = std::max(kw * 2.5f, ds.x + tf->FontSize);
    kw = std::min(kw, (area.x - dw - 6 * st.ItemSpacing.x) / 6);
    float total = dw + 6 * (kw + st.ItemSpacing.x);
    ImVec2 p = ImGui::GetCursorScreenPos();
    p.x += std::max(0.f, (area.x - total) * 0.5f);
    float dh = 2 * key + st.ItemSpacing.y;
    dl->AddRectFilled(p, ImVec2(p.x + dw, p.y + dh), color::card, key * 0.2f);
    dl->AddRect(p, ImVec2(p.x + dw, p.y + dh), color::card_border, key * 0.2f, 0, 2);
    dl->AddText(tf, tf->FontSize, ImVec2(p.x + (dw - ds.x) * 0.5f, p.y + (dh - ds.y) * 0.5f), color::text, display.c_str());
    static const int order[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 9, 11};  // 1–6; 7 8 9 0 清除 ←
    for (int j = 0; j < 12; ++j) {
      int i = order[j];
      ImGui::SetCursorScreenPos(ImVec2(p.x + dw + st.ItemSpacing.x + static_cast<float>(j % 6) * (kw + st.ItemSpacing.x),
                                       p.y + static_cast<float>(j / 6) * (key + st.ItemSpacing.y)));
      ImGui::PushID(i);
      std::string label = keys[i][0] == 'C' ? v.t(T("numpad.clear")) : keys[i];
      if (big_button("##k", label, ImVec2(kw, key), tf, false)) out = answer_intent(number_pad_key(s.answer_of(q.id), codes[i]));
      ImGui::PopID();
    }
    ImGui::SetCursorScreenPos(ImVec2(p.x, p.y));
    ImGui::Dummy(ImVec2(total, dh));
    return out;
  }
  float key = pad_key(v, area.y);
  float pad_w = key * 3 * 1.6f + st.ItemSpacing.x * 2;
  ImGui::SetCursorPosX(ImGui::GetCursorPosX() + (area.x - pad_w) * 0.5f);
  ImGui::BeginGroup();
  ImVec2 p = ImGui::GetCursorScreenPos();
  dl->AddRectFilled(p, ImVec2(p.x + pad_w, p.y + key), color::card, key * 0.2f);
  dl->AddRect(p, ImVec2(p.x + pad_w, p.y + key), color::card_border, key * 0.2f, 0, 2);
  ImVec2 ds = v.fonts.title->CalcTextSizeA(v.fonts.title->FontSize, FLT_MAX, 0, display.c_str());
  dl->AddText(v.fonts.title, v.fonts.title->FontSize, ImVec2(p.x + (pad_w - ds.x) * 0.5f, p.y + (key - ds.y) * 0.5f),
              color::text, display.c_str());
  ImGui::Dummy(ImVec2(pad_w, key));
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
  ImFont* sf = v.fonts.small;
  Progress pr = s->progress();
  const std::string& progress = v.tf(T("question.progress"), {{"i", std::to_string(pr.position)}, {"n", std::to_string(pr.expected)}});
  const HeaderLine lines[] = {{&s->questionnaire().title.get(lang), sf, color::muted}, {&progress, sf, color::text}};
  ImGui::SetCursorPosY(page_header(v, out, true, lines));
  ImGui::ProgressBar(pr.expected ? static_cast<float>(pr.position) / static_cast<float>(pr.expected) : 0.f, ImVec2(w, v.px(14)), "");
  ImGui::Dummy(ImVec2(0, v.px(8)));
  return pr;
}

// Under the question: the hint, how many to choose, or "optional" (kept text: valid
// within the frame).
const std::string& question_sub(const View& v, const Question& q) {
  std::string_view parts[3];
  int n = 0;
  if (const std::string& hint = q.hint.get(v.model.lang()); !hint.empty()) parts[n++] = hint;
  if (q.type == QuestionType::multiple)
    parts[n++] = v.tf(T("question.choose_up_to"), {{"min", std::to_string(std::max<std::int64_t>(q.min, 1))}, {"max", std::to_string(q.max)}});
  if (!q.required && q.type != QuestionType::text) parts[n++] = v.t(T("question.optional"));
  static constexpr const char* kJoined[] = {"", "{0}", "{0}  {1}", "{0}  {1}  {2}"};
  return kept_format(kJoined[n], {{"0", parts[0]}, {"1", parts[1]}, {"2", parts[2]}});
}

// The question, and under it the hint, how many to choose, or "optional".
void question_text(const View& v, const Question& q, float w) {
  const std::string& lang = v.model.lang();
  const auto& f = v.fonts;
  text_wrapped(q.text.get(lang), color::text, f.title, w);
  if (const std::string& sub = question_sub(v, q); !sub.empty()) text_wrapped(sub, color::muted, f.small, w);
  if (auto k = v.model.minor_notice_key(); !k.empty()) text_wrapped(v.t(k.data()), color::error, f.body, w);
  ImGui::Dummy(ImVec2(0, v.px(6)));
}

// How tall question_text() draws at width w.
float question_text_height(const View& v, const Question& q, float w) {
  const std::string& lang = v.model.lang();
  const auto& f = v.fonts;
  float sp = ImGui::GetStyle().ItemSpacing.y;
  float h = measure_wrapped(f.title, f.title->FontSize, q.text.get(lang), w).y + sp;
  if (const std::string& sub = question_sub(v, q); !sub.empty()) h += measure_wrapped(f.small, f.small->FontSize, sub, w).y + sp;
  if (auto k = v.model.minor_notice_key(); !k.empty()) h += measure_wrapped(f.body, f.body->FontSize, v.t(k.data()), w).y + sp;
  return h + v.px(6) + sp;
}

// How tall the answers draw in `area` (taller than it when they do not fit).
float answers_height(const View& v, const Session& s, const Question& q, const Grid& g, ImVec2 area) {
  ImGuiStyle& st = ImGui::GetStyle();
  switch (q.type) {
    case QuestionType::single:
    case QuestionType::multiple: return g.height;
    case QuestionType::rating: return rating_scale_height(v, s, q, area.x, area.y);
    case QuestionType::count_matrix: {
      MatrixLayout m = matrix_layout(v, q, area);
      float rows = std::ceil(static_cast<float>(q.rows.size()) / static_cast<float>(m.cols));
      std::string total = v.tf(T("question.trips_total"), {{"n", "0"}});
      return rows * m.h + (rows - 1) * st.ItemSpacing.y + st.ItemSpacing.y +
             measure_wrapped(v.fonts.body, v.fonts.body->FontSize, total, area.x).y;
    }
    case QuestionType::integer: {
      if (pad_strip(v, area)) return 2 * pad_strip_key(v, area.y) + st.ItemSpacing.y;
      return 5 * pad_key(v, area.y) + 4 * st.ItemSpacing.y;
    }
    case QuestionType::text: return measure_wrapped(v.fonts.body, v.fonts.body->FontSize, v.t(T("question.text_skip")), area.x).y;
  }
  return 0;
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
  float room = ImGui::GetContentRegionAvail().y - footer_h - st.ItemSpacing.y;  // the question and its answers
  // The writing pad must never scroll the page under the finger: the input fits its area.
  // When a long question in large text would leave it less than fingertip-sized keys, the
  // question moves beside the input in landscape (a column of its own, scrolling if it
  // must), and in portrait scrolls in the space left above it.
  bool writing = q.type == QuestionType::text && v.model.text_entry();
  if (writing) {
    const ImGuiWindowFlags fixed = ImGuiWindowFlags_NoBackground | ImGuiWindowFlags_NoScrollWithMouse | ImGuiWindowFlags_NoScrollbar;
    float text_room = room - st.ItemSpacing.y - text_answer_min_height(v, w);
    float stem_h = question_text_height(v, q, w);
    if (stem_h > text_room && !v.portrait) {
      float sw = std::round(w * 0.34f), gap = 2 * st.ItemSpacing.x, pw = w - sw - gap;
      begin_scroll_region("##qtext", ImVec2(sw, room), question_text_height(v, q, sw) > room, ImGuiWindowFlags_NoBackground);
      question_text(v, q, ImGui::GetContentRegionAvail().x);
      end_scroll_region(v.scale);
      ImGui::SameLine(0, gap);
      begin_scroll_region("##body", ImVec2(pw, room), false, fixed);
    } else {
      if (stem_h > text_room) {
        float h = std::max(text_room, v.fonts.title->FontSize * 1.2f);  // a line of it at least
        begin_scroll_region("##qtext", ImVec2(w, h), true, ImGuiWindowFlags_NoBackground);
        question_text(v, q, ImGui::GetContentRegionAvail().x);
        end_scroll_region(v.scale);
      } else {
        question_text(v, q, w);
      }
      begin_scroll_region("##body", ImVec2(w, ImGui::GetContentRegionAvail().y - footer_h - st.ItemSpacing.y), false, fixed);
    }
    answer_body(v, s, q, Grid{}, ImGui::GetContentRegionAvail(), out);
    end_scroll_region(v.scale);
    question_footer(v, pr, w, out);
    return out;
  }

  // The answers under the question, in a scroll region above a fixed footer that opens at
  // the top of each question and follows the finger (touch_scroll.hpp). When a long
  // question in large text would leave them too little room (the question takes over 40%
  // of it, or there is not room for two cards), the question scrolls with them instead:
  // one region holds both, so every answer is a drag (or the bar) away and full-sized.
  bool grid = q.type == QuestionType::single || q.type == QuestionType::rating || q.type == QuestionType::multiple;
  float stem_h = question_text_height(v, q, w);
  ImVec2 area(w, room - stem_h);
  Grid g = grid ? grid_for(v, *s, q, area) : Grid{};
  float need = answers_height(v, *s, q, g, area);
  bool overflows = need > area.y + 0.5f;
  bool together = overflows && (stem_h > room * 0.4f || area.y < v.px(260));
  if (!together) {
    question_text(v, q, w);
    area.y = ImGui::GetContentRegionAvail().y - footer_h - st.ItemSpacing.y;
    begin_scroll_region("##body", area, overflows || g.overflows, ImGuiWindowFlags_NoBackground);
    answer_body(v, s, q, g, ImGui::GetContentRegionAvail(), out);
    end_scroll_region(v.scale);
  } else {
    // Beside the scrollbar from the first frame, so the width never changes under them;
    // the answers are sized for the room under the question (at least their least size).
    begin_scroll_region("##body", ImVec2(w, room), true, ImGuiWindowFlags_NoBackground);
    float iw = ImGui::GetContentRegionAvail().x;
    ImVec2 inner(iw, std::max(0.f, room - question_text_height(v, q, iw)));
    if (grid) g = grid_for(v, *s, q, inner, true);
    question_text(v, q, iw);
    answer_body(v, s, q, g, inner, out);
    end_scroll_region(v.scale);
  }
  question_footer(v, pr, w, out);
  return out;
}

}  // namespace eco::ui
