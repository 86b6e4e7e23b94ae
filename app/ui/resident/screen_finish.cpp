// Finish: thanks; for the quiz, the score and every drawn item with the right answer
// and its explanation (the kiosk teaches as it measures); then home by itself.
#include <algorithm>

#include "core/support/time.hpp"
#include "core/survey/scoring.hpp"
#include "ui/common/theme.hpp"
#include "ui/common/touch_scroll.hpp"
#include "ui/resident/view.hpp"

namespace eco::ui {

namespace {
std::string options_text(const Question& q, const std::vector<std::string>& ids, const std::string& lang) {
  std::string out;
  for (const auto& id : ids)
    if (const Option* o = q.find_option(id)) out += (out.empty() ? "" : "、") + o->text.get(lang);
  return out;
}

// The review's two lines an item (its question, numbered; right, or wrong and what the
// resident chose), made once per resident and language and kept (UI thread only), so
// that the thanks screen, drawn every frame until it goes home, allocates nothing.
const std::vector<std::string>& review_lines(const View& v, const QuizReview& review) {
  static std::string for_response, for_lang;
  static std::vector<std::string> lines;
  const std::string& id = v.model.finished() ? v.model.finished()->id : for_response;
  const std::string& lang = v.model.lang();
  if (id == for_response && lang == for_lang && lines.size() == 2 * review.items.size()) return lines;
  for_response = id;
  for_lang = lang;
  lines.clear();
  int n = 0;
  for (const QuizReviewItem& ri : review.items) {
    const Question* item = ri.item;
    lines.push_back(std::to_string(++n) + ". " + item->text.get(lang));
    if (ri.correct) {
      lines.push_back(v.t(T("finish.correct")) + "  " + options_text(*item, item->correct, lang));
    } else {
      std::string yours = ri.chosen.empty() ? v.t(T("finish.no_answer")) : options_text(*item, ri.chosen, lang);
      lines.push_back(v.tf(T("finish.wrong"), {{"answer", options_text(*item, item->correct, lang)}}) + "    " +
                      v.tf(T("finish.your_answer"), {{"answer", yours}}));
    }
  }
  return lines;
}

// A full-screen dimmed window above the screen, so every tap lands on it (the idle
// overlay and the leave dialog draw their panel inside). Ended with ImGui::End().
void begin_scrim(const char* id, ImVec2 size) {
  ImGui::SetNextWindowPos(ImVec2(0, 0));
  ImGui::SetNextWindowSize(size);
  ImGui::SetNextWindowFocus();
  ImGui::PushStyleColor(ImGuiCol_WindowBg, color::scrim);
  ImGui::Begin(id, nullptr, ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings);
  ImGui::PopStyleColor();
}

// The card an overlay shows in the middle of its scrim: its width and padding, and the
// width its text wraps at, fixed before the content is measured.
// Its title font and body font come along: every panel uses both.
struct Panel {
  float pw;    // outer width
  ImVec2 pad;
  float w;     // inner width
  ImFont* tf;  // title
  ImFont* bf;  // body
};
Panel panel_for(const View& v) {
  float pw = std::min(v.size.x * 0.9f, v.px(1100));
  ImVec2 pad(v.px(48), v.px(40));
  return {pw, pad, pw - 2 * pad.x, v.fonts.title, v.fonts.body};
}

// The scrim, and on it the panel `ph` high, centred; closed by end_panel().
void begin_panel(const char* id, const View& v, const Panel& p, float ph) {
  begin_scrim(id, v.size);
  ImGui::SetCursorPos(ImVec2((v.size.x - p.pw) * 0.5f, std::max(0.f, (v.size.y - ph) * 0.5f)));
  ImGui::PushStyleColor(ImGuiCol_ChildBg, color::card);
  ImGui::PushStyleVar(ImGuiStyleVar_ChildRounding, v.px(24));
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, p.pad);
  ImGui::BeginChild("##panel", ImVec2(p.pw, ph), false, ImGuiWindowFlags_AlwaysUseWindowPadding | ImGuiWindowFlags_NoScrollbar);
  // Outlined as the cards are: in high contrast the panel is as black as the screen
  // behind its scrim, and without it had no visible edge. (Drawn past the child's own
  // clip, which leaves out half its side padding.)
  float t = std::max(2.f, v.px(3)) * color::current.border;
  ImVec2 a = ImGui::GetWindowPos(), b(a.x + p.pw, a.y + ph);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->PushClipRect(a, b, false);
  dl->AddRect(ImVec2(a.x + t * 0.5f, a.y + t * 0.5f), ImVec2(b.x - t * 0.5f, b.y - t * 0.5f), color::card_border, v.px(24), 0, t);
  dl->PopClipRect();
}

void end_panel() {
  ImGui::EndChild();
  ImGui::PopStyleVar(2);
  ImGui::PopStyleColor();
  ImGui::End();
}
}  // namespace

Intent draw_finish(const View& v) {
  Intent out;
  const auto& f = v.fonts;
  const std::string& lang = v.model.lang();
  ImGuiStyle& st = ImGui::GetStyle();
  float w = v.size.x - 2 * st.WindowPadding.x;
  const Questionnaire* q = v.model.finished_questionnaire();
  const auto& r = v.model.finished();

  // The header of every page: the switches where they always are (a resident who wants
  // the explanations larger, in English or in high contrast, or staff, still can), and
  // 🔊 朗读 for the score and every explanation.
  const HeaderLine head[] = {{&v.t(T("finish.thanks")), f.title, color::primary},
                             {&v.t(v.model.last_saved() ? T("finish.saved") : T("finish.save_pending")), f.body, color::muted}};
  ImGui::SetCursorPosY(page_header(v, out, false, head));

  // The footer: "n 秒内不触摸…" beside 看完了, wrapped; above it when it would take more
  // than the button's height there (extra large text in portrait covered it).
  const std::string& back = v.tf(T("finish.returning"), {{"n", std::to_string(v.model.finish_seconds_left())}});
  float bw = std::min(v.px(420), w * 0.5f), bh = v.px(100);
  float beside_w = w - bw - st.ItemSpacing.x;
  ImVec2 back_size = measure_wrapped(f.small, f.small->FontSize, back, beside_w);
  bool back_above = back_size.y > bh;
  if (back_above) back_size = measure_wrapped(f.small, f.small->FontSize, back, w);
  float footer_h = v.px(10) + bh + (back_above ? back_size.y + st.ItemSpacing.y : 0);
  if (const QuizReview* review = q && r ? v.model.quiz_review() : nullptr) {
    const QuizScore& score = review->score;
    ImGui::Dummy(ImVec2(0, v.px(6)));
    text_wrapped(v.tf(T("finish.score"), {{"c", std::to_string(score.correct)}, {"n", std::to_string(score.drawn)}}),
                 color::text, f.title, w);
    text_wrapped(v.t(T("finish.review")), color::muted, f.small, w);
    ImVec2 area(w, ImGui::GetContentRegionAvail().y - footer_h - st.ItemSpacing.y);
    // Ten explanations rarely fit: the review scrolls by finger and shows that it does.
    begin_scroll_region("##review", area, false);
    float iw = area.x - st.ScrollbarSize - v.px(10);
    const std::vector<std::string>& lines = review_lines(v, *review);
    int n = 0;
    for (const QuizReviewItem& ri : review->items) {
      const Question* item = ri.item;
      ImGui::PushID(n);
      text_wrapped(lines[2 * static_cast<std::size_t>(n)], color::text, f.body, iw);
      text_wrapped(lines[2 * static_cast<std::size_t>(n) + 1], ri.correct ? color::correct : color::error, f.small, iw);
      ++n;
      text_wrapped(item->explanation.get(lang), color::muted, f.small, iw);
      ImGui::Dummy(ImVec2(0, v.px(8)));
      ImGui::PopID();
    }
    end_scroll_region(v.scale);
  }

  float bottom = v.size.y - st.WindowPadding.y;
  ImGui::SetCursorPos(back_above ? ImVec2(st.WindowPadding.x, bottom - bh - st.ItemSpacing.y - back_size.y)
                                 : ImVec2(st.WindowPadding.x, bottom - bh + (bh - back_size.y) * 0.5f));
  text_wrapped(back, color::muted, f.small, back_above ? w : beside_w);
  ImGui::SetCursorPos(ImVec2(v.size.x - st.WindowPadding.x - bw, v.size.y - st.WindowPadding.y - bh));
  // 看完了: leave at once. Otherwise the screen stays while it is being touched
  // (KioskModel::touch restarts its timer) and returns home once left alone.
  if (big_button("##home", v.t(T("finish.done")), ImVec2(bw, bh), f.body, true)) out = intent::Home{};
  return out;
}

Intent draw_idle_overlay(const View& v) {
  Intent out;
  const Panel panel = panel_for(v);
  const auto [pw, pad, w, tf, bf] = panel;
  std::string title = v.t(T("idle.title"));
  std::string body = v.tf(T("idle.body"), {{"n", std::to_string(v.model.idle_seconds_left())}});
  std::string big = std::to_string(v.model.idle_seconds_left());
  float ns = tf->FontSize * 1.6f;
  ImVec2 ts = tf->CalcTextSizeA(ns, FLT_MAX, 0, big.c_str());
  // Continue for the resident who is still there; 需要更多时间 for one who reads slowly
  // (asked again much later); 重新开始 for the next person, who should neither wait out
  // the countdown nor carry on a stranger's survey. Side by side when they fit, else stacked.
  const char* keys[] = {T("idle.continue"), T("idle.more_time"), T("idle.start_over")};
  const char* ids[] = {"##continue", "##more_time", "##start_over"};
  const Intent kinds[] = {intent::ContinueSession{}, intent::MoreTime{}, intent::StartOver{}};
  float sp = ImGui::GetStyle().ItemSpacing.x;
  float bh = std::max(v.px(110), tf->FontSize * 1.8f);
  float bw = (w - 2 * sp) / 3;
  ImFont* btn_font = tf;
  auto fits = [&](ImFont* f, float width) {
    for (const char* k : keys)
      if (f->CalcTextSizeA(f->FontSize, FLT_MAX, 0, v.t(k).c_str()).x + bh * 0.5f > width) return false;
    return true;
  };
  bool row = fits(tf, bw) || fits(bf, bw);
  if (row && !fits(tf, bw)) btn_font = bf;
  if (!row) {
    bw = w;
    btn_font = fits(tf, bw) ? tf : bf;
  }
  float buttons_h = row ? bh : 3 * bh + 2 * ImGui::GetStyle().ItemSpacing.y;
  float ph = pad.y * 2 + measure_wrapped(tf, tf->FontSize, title, w).y + measure_wrapped(bf, bf->FontSize, body, w).y +
             ts.y + 2 * ImGui::GetStyle().ItemSpacing.y + pad.y * 0.5f + buttons_h;
  ph = std::min(ph, v.size.y);
  begin_panel("##idle", v, panel, ph);
  text_wrapped(title, color::primary, tf, w);
  text_wrapped(body, color::text, bf, w);
  ImGui::SetCursorPosX((pw - ts.x) * 0.5f);
  ImGui::GetWindowDrawList()->AddText(tf, ns, ImGui::GetCursorScreenPos(), color::error, big.c_str());
  ImGui::Dummy(ts);
  ImGui::SetCursorPos(ImVec2(pad.x, ph - pad.y - buttons_h));
  for (int i = 0; i < 3; ++i) {
    if (row && i > 0) ImGui::SameLine();
    if (!row) ImGui::SetCursorPosX(pad.x);
    if (big_button(ids[i], v.t(keys[i]), ImVec2(bw, bh), btn_font, i == 0)) out = kinds[i];
  }
  end_panel();
  return out;
}

// 呼叫工作人员: a panel hall staff can read from across the room (when it was called),
// and the resident's reassurance that nothing is lost. Closed by its button.
Intent draw_staff_call(const View& v) {
  Intent out;
  const Panel panel = panel_for(v);
  const auto [pw, pad, w, tf, bf] = panel;
  TimeMs local = v.model.staff_called_at() + v.model.config().utc_offset_minutes * 60000LL;
  std::string hhmm = to_iso_utc(local).substr(11, 5);
  std::string title = v.t(T("staff_call.title"));
  std::string for_staff = v.tf(T("staff_call.for_staff"), {{"time", hhmm}});
  // From the thanks page there is nothing left to carry on with: what the thanks say.
  std::string body = v.t(v.model.screen() != Screen::finish ? T("staff_call.body")
                         : v.model.last_saved()            ? T("finish.saved")
                                                           : T("finish.save_pending"));
  float bh = std::max(v.px(110), tf->FontSize * 1.8f);
  const std::string& close = v.t(T("staff_call.close"));
  ImFont* btn_font = tf->CalcTextSizeA(tf->FontSize, FLT_MAX, 0, close.c_str()).x + bh <= w ? tf : bf;
  float sp = ImGui::GetStyle().ItemSpacing.y;
  float ph = pad.y * 2 + measure_wrapped(tf, tf->FontSize, title, w).y + measure_wrapped(tf, tf->FontSize, for_staff, w).y +
             measure_wrapped(bf, bf->FontSize, body, w).y + 3 * sp + pad.y + bh;
  ph = std::min(ph, v.size.y);
  begin_panel("##staff_call", v, panel, ph);
  text_wrapped(title, color::primary, tf, w);
  text_wrapped(for_staff, color::text, tf, w);
  text_wrapped(body, color::muted, bf, w);
  ImGui::SetCursorPos(ImVec2(pad.x, ph - pad.y - bh));
  if (big_button("##close_call", close, ImVec2(w, bh), btn_font, false)) out = intent::DismissStaffCall{};
  end_panel();
  return out;
}

Intent draw_leave_dialog(const View& v) {
  Intent out;
  const Panel panel = panel_for(v);
  const auto [pw, pad, w, tf, bf] = panel;
  bool first = v.model.leave_asked() == LeaveAsk::back_on_first;
  std::string title = v.t(first ? T("leave.title_first") : T("leave.title_quit"));
  std::string body = v.t(T("leave.body"));
  float bh = std::max(v.px(110), tf->FontSize * 1.8f);
  float ph = pad.y * 2 + measure_wrapped(tf, tf->FontSize, title, w).y + measure_wrapped(bf, bf->FontSize, body, w).y +
             pad.y + bh;
  begin_panel("##leave", v, panel, ph);
  text_wrapped(title, color::primary, tf, w);
  text_wrapped(body, color::text, bf, w);
  float bw = (w - ImGui::GetStyle().ItemSpacing.x) * 0.5f;
  ImGui::SetCursorPos(ImVec2(pad.x, ph - pad.y - bh));
  // Staying is the default and the filled button: leaving loses the answers.
  if (big_button("##stay", v.t(T("leave.stay")), ImVec2(bw, bh), tf, true)) out = intent::CancelLeave{};
  ImGui::SameLine();
  if (big_button("##leave", v.t(T("leave.confirm")), ImVec2(bw, bh), tf, false)) out = intent::ConfirmLeave{};
  end_panel();
  return out;
}

}  // namespace eco::ui
