// Welcome: the district's title, the questionnaires as large cards, language and
// text-size switches, and one line on privacy.
#include <algorithm>

#include "ui/theme.hpp"
#include "ui/view.hpp"

namespace eco::ui {

Intent draw_welcome(const View& v) {
  Intent out;
  const auto& f = v.fonts;
  const auto& cfg = v.model.config();
  const std::string& lang = v.model.lang();
  auto local = [&](const std::map<std::string, std::string>& m) -> const std::string& {
    auto it = m.find(lang);
    return it != m.end() ? it->second : m.at("zh");
  };
  ImGuiStyle& st = ImGui::GetStyle();
  float w = v.size.x - 2 * st.WindowPadding.x;

  // The staff gesture: press and hold the top-left corner (nothing is drawn there);
  // the model opens the console after KioskModel::kAdminHoldMs.
  ImVec2 back = ImGui::GetCursorPos();
  ImGui::SetCursorPos(ImVec2(0, 0));
  ImGui::InvisibleButton("##staff", ImVec2(v.px(120), v.px(120)));
  if (g_hit_items) g_hit_items->push_back({"##staff", ImVec2(0, 0), ImVec2(v.px(120), v.px(120))});
  if (ImGui::IsItemActivated()) out.kind = Intent::Kind::corner_press;
  if (ImGui::IsItemDeactivated()) out.kind = Intent::Kind::corner_release;
  ImGui::SetCursorPos(back);

  // Top row: switches on the right.
  float sw_h = v.px(84);
  float sw_w = v.px(240);
  ImGui::SetCursorPosX(v.size.x - st.WindowPadding.x - 2 * sw_w - st.ItemSpacing.x);
  if (big_button("##lang", v.t("lang.switch"), ImVec2(sw_w, sw_h), f.body, false)) {
    out.kind = Intent::Kind::set_lang;
    out.id = lang == "zh" ? "en" : "zh";
  }
  ImGui::SameLine();
  if (big_button("##size", v.t(v.model.large_text() ? "welcome.normal_text" : "welcome.large_text"),
                 ImVec2(sw_w, sw_h), f.body, false))
    out.kind = Intent::Kind::toggle_large_text;

  ImGui::Dummy(ImVec2(0, v.px(10)));
  text_wrapped(local(cfg.district_title), color::primary, f.title, w);
  text_wrapped(v.t("welcome.subtitle") + "  ·  " + local(cfg.hall_name), color::muted, f.body, w);
  ImGui::Dummy(ImVec2(0, v.px(20)));
  text_wrapped(v.t("welcome.choose"), color::text, f.body, w);

  auto qs = v.model.offered();
  int n = static_cast<int>(qs.size());
  float privacy_h = f.small->FontSize * 3.2f;
  float avail_h = ImGui::GetContentRegionAvail().y - privacy_h;
  ImVec2 card_size;
  int cols = v.portrait ? 1 : std::max(1, n);
  int rows = (n + cols - 1) / std::max(cols, 1);
  card_size.x = (w - (cols - 1) * st.ItemSpacing.x) / cols;
  card_size.y = std::min((avail_h - (rows - 1) * st.ItemSpacing.y) / std::max(rows, 1), v.px(v.portrait ? 380 : 520));
  for (int i = 0; i < n; ++i) {
    const Questionnaire* q = qs[static_cast<std::size_t>(i)];
    if (i % cols) ImGui::SameLine();
    ImGui::PushID(i);
    std::string detail = q->intro.get(lang) + "\n\n" + v.tf("welcome.minutes", {{"n", std::to_string(q->minutes)}}) +
                         "    " + v.t("welcome.start");
    if (card("##q", q->title.get(lang), card_size, false, f.title, detail, f.body)) {
      out.kind = Intent::Kind::start;
      out.id = q->id;
    }
    ImGui::PopID();
  }
  ImGui::SetCursorPosY(v.size.y - st.WindowPadding.y - privacy_h * 0.7f);
  text_wrapped(v.t("welcome.privacy"), color::muted, f.small, w);
  return out;
}

}  // namespace eco::ui
