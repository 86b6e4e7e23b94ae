// Finish: thanks; for the quiz, the score and every drawn item with the right answer
// and its explanation (the kiosk teaches as it measures); then home by itself.
#include <algorithm>

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
}  // namespace

Intent draw_finish(const View& v) {
  Intent out;
  const auto& f = v.fonts;
  const std::string& lang = v.model.lang();
  ImGuiStyle& st = ImGui::GetStyle();
  float w = v.size.x - 2 * st.WindowPadding.x;
  const Questionnaire* q = v.model.finished_questionnaire();
  const auto& r = v.model.finished();

  text_wrapped(v.t("finish.thanks"), color::primary, f.title, w);
  text_wrapped(v.t(v.model.last_saved() ? "finish.saved" : "finish.save_pending"), color::muted, f.body, w);

  float footer_h = v.px(110);
  if (const QuizReview* review = q && r ? v.model.quiz_review() : nullptr) {
    const QuizScore& score = review->score;
    ImGui::Dummy(ImVec2(0, v.px(6)));
    text_wrapped(v.tf("finish.score", {{"c", std::to_string(score.correct)}, {"n", std::to_string(score.drawn)}}),
                 color::text, f.title, w);
    text_wrapped(v.t("finish.review"), color::muted, f.small, w);
    ImVec2 area(w, ImGui::GetContentRegionAvail().y - footer_h - st.ItemSpacing.y);
    // Ten explanations rarely fit: the review scrolls by finger and shows that it does.
    begin_scroll_region("##review", area, false);
    float iw = area.x - st.ScrollbarSize - v.px(10);
    int n = 0;
    for (const QuizReviewItem& ri : review->items) {
      const Question* item = ri.item;
      bool ok = ri.correct;
      const std::vector<std::string>& chosen = ri.chosen;
      ImGui::PushID(n);
      text_wrapped(std::to_string(++n) + ". " + item->text.get(lang), color::text, f.body, iw);
      if (ok) {
        text_wrapped(v.t("finish.correct") + "  " + options_text(*item, item->correct, lang), color::correct, f.small, iw);
      } else {
        std::string yours = chosen.empty() ? v.t("finish.no_answer") : options_text(*item, chosen, lang);
        text_wrapped(v.tf("finish.wrong", {{"answer", options_text(*item, item->correct, lang)}}) + "    " +
                         v.tf("finish.your_answer", {{"answer", yours}}),
                     color::error, f.small, iw);
      }
      text_wrapped(item->explanation.get(lang), color::muted, f.small, iw);
      ImGui::Dummy(ImVec2(0, v.px(8)));
      ImGui::PopID();
    }
    end_scroll_region(v.scale);
  }

  float bw = v.px(420), bh = v.px(100);
  ImGui::SetCursorPosY(v.size.y - st.WindowPadding.y - bh);
  ImGui::PushFont(f.small);
  ImGui::PushStyleColor(ImGuiCol_Text, color::muted);
  std::string back = v.tf("finish.returning", {{"n", std::to_string(v.model.finish_seconds_left())}});
  ImGui::SetCursorPosY(ImGui::GetCursorPosY() + (bh - ImGui::GetFontSize()) * 0.5f);
  ImGui::TextUnformatted(back.c_str());
  ImGui::PopStyleColor();
  ImGui::PopFont();
  ImGui::SameLine();
  ImGui::SetCursorPos(ImVec2(v.size.x - st.WindowPadding.x - bw, v.size.y - st.WindowPadding.y - bh));
  // 看完了: leave at once. Otherwise the screen stays while it is being touched
  // (KioskModel::touch restarts its timer) and returns home once left alone.
  if (big_button("##home", v.t("finish.done"), ImVec2(bw, bh), f.body, true)) out.kind = Intent::Kind::home;
  return out;
}

Intent draw_idle_overlay(const View& v) {
  Intent out;
  // A full-screen dimmed window above the screen, so every tap lands here, with the
  // panel as its child.
  begin_scrim("##idle", v.size);
  float pw = std::min(v.size.x * 0.85f, v.px(1000)), ph = v.px(560);
  ImGui::SetCursorPos(ImVec2((v.size.x - pw) * 0.5f, (v.size.y - ph) * 0.5f));
  ImGui::PushStyleColor(ImGuiCol_ChildBg, color::card);
  ImGui::PushStyleVar(ImGuiStyleVar_ChildRounding, v.px(24));
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(v.px(48), v.px(40)));
  ImGui::BeginChild("##panel", ImVec2(pw, ph), false, ImGuiWindowFlags_AlwaysUseWindowPadding | ImGuiWindowFlags_NoScrollbar);
  ImVec2 pad = ImGui::GetStyle().WindowPadding;
  float w = pw - 2 * pad.x;
  text_wrapped(v.t("idle.title"), color::primary, v.fonts.title, w);
  text_wrapped(v.tf("idle.body", {{"n", std::to_string(v.model.idle_seconds_left())}}), color::text, v.fonts.body, w);
  std::string big = std::to_string(v.model.idle_seconds_left());
  ImFont* tf = v.fonts.title;
  float ns = tf->FontSize * 1.6f;
  ImVec2 ts = tf->CalcTextSizeA(ns, FLT_MAX, 0, big.c_str());
  ImGui::SetCursorPosX((pw - ts.x) * 0.5f);
  ImGui::GetWindowDrawList()->AddText(tf, ns, ImGui::GetCursorScreenPos(), color::error, big.c_str());
  ImGui::Dummy(ts);
  // Continue for the resident who is still there; 重新开始 for the next person, who
  // should neither wait out the countdown nor carry on a stranger's survey.
  float bh = v.px(110);
  float bw = (w - ImGui::GetStyle().ItemSpacing.x) * 0.5f;
  ImGui::SetCursorPos(ImVec2(pad.x, ph - pad.y - bh));
  if (big_button("##continue", v.t("idle.continue"), ImVec2(bw, bh), v.fonts.title, true)) out.kind = Intent::Kind::continue_session;
  ImGui::SameLine();
  if (big_button("##start_over", v.t("idle.start_over"), ImVec2(bw, bh), v.fonts.title, false)) out.kind = Intent::Kind::start_over;
  ImGui::EndChild();
  ImGui::PopStyleVar(2);
  ImGui::PopStyleColor();
  ImGui::End();
  return out;
}

Intent draw_leave_dialog(const View& v) {
  Intent out;
  begin_scrim("##leave", v.size);
  ImFont* tf = v.fonts.title;
  ImFont* bf = v.fonts.body;
  float pw = std::min(v.size.x * 0.9f, v.px(1100));
  ImVec2 pad(v.px(48), v.px(40));
  float w = pw - 2 * pad.x;
  bool first = v.model.leave_asked() == LeaveAsk::back_on_first;
  std::string title = v.t(first ? "leave.title_first" : "leave.title_quit");
  std::string body = v.t("leave.body");
  float bh = std::max(v.px(110), tf->FontSize * 1.8f);
  float ph = pad.y * 2 + measure_wrapped(tf, tf->FontSize, title, w).y + measure_wrapped(bf, bf->FontSize, body, w).y +
             pad.y + bh;
  ImGui::SetCursorPos(ImVec2((v.size.x - pw) * 0.5f, std::max(0.f, (v.size.y - ph) * 0.5f)));
  ImGui::PushStyleColor(ImGuiCol_ChildBg, color::card);
  ImGui::PushStyleVar(ImGuiStyleVar_ChildRounding, v.px(24));
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, pad);
  ImGui::BeginChild("##panel", ImVec2(pw, ph), false, ImGuiWindowFlags_AlwaysUseWindowPadding | ImGuiWindowFlags_NoScrollbar);
  text_wrapped(title, color::primary, tf, w);
  text_wrapped(body, color::text, bf, w);
  float bw = (w - ImGui::GetStyle().ItemSpacing.x) * 0.5f;
  ImGui::SetCursorPos(ImVec2(pad.x, ph - pad.y - bh));
  // Staying is the default and the filled button: leaving loses the answers.
  if (big_button("##stay", v.t("leave.stay"), ImVec2(bw, bh), tf, true)) out.kind = Intent::Kind::cancel_leave;
  ImGui::SameLine();
  if (big_button("##leave", v.t("leave.confirm"), ImVec2(bw, bh), tf, false)) out.kind = Intent::Kind::confirm_leave;
  ImGui::EndChild();
  ImGui::PopStyleVar(2);
  ImGui::PopStyleColor();
  ImGui::End();
  return out;
}

}  // namespace eco::ui
