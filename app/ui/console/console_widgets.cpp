// Widgets the console pages share.
#include <cstdio>

#include "ui/console/console_view.hpp"
#include "core/support/time.hpp"
#include "ui/common/theme.hpp"
#include "ui/resident/view.hpp"

namespace eco::ui {

std::string ConsoleView::message(const ConsoleMessage& m) const {
  if (m.key.empty()) return "";
  if (m.arg.empty()) return t(m.key);
  return Strings::format(t(m.key), {{"arg", m.arg}});
}

namespace {
// A button recorded for headless tests; "label###id" keeps the id stable across languages.
bool labelled_button(const std::string& label, const char* id, ImVec2 size) {
  ImVec2 p = ImGui::GetCursorScreenPos();
  bool clicked = ImGui::Button(kept_format("{l}###{id}", {{"l", label}, {"id", id}}).c_str(), size);
  record_hit(label, p, ImGui::GetItemRectMax());
  return clicked;
}
}  // namespace

bool begin_page_table(const char* id, std::initializer_list<std::string> headers) {
  if (!ImGui::BeginTable(id, static_cast<int>(headers.size()),
                         ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY | ImGuiTableFlags_SizingStretchProp,
                         ImVec2(0, ImGui::GetContentRegionAvail().y)))
    return false;
  ImGui::TableSetupScrollFreeze(0, 1);
  for (const std::string& h : headers) ImGui::TableSetupColumn(h.c_str());
  ImGui::TableHeadersRow();
  return true;
}

bool cbutton(const std::string& label, const char* id, ImVec2 size) {
  ImGui::PushStyleColor(ImGuiCol_Text, color::on_primary);  // white on green: 6.6:1
  bool c = labelled_button(label, id, size);
  ImGui::PopStyleColor();
  return c;
}

bool chip(const std::string& label, const char* id, bool selected) {
  ImGui::PushStyleColor(ImGuiCol_Button, selected ? color::primary : color::card);
  ImGui::PushStyleColor(ImGuiCol_ButtonHovered, selected ? color::primary : color::card_pressed);
  ImGui::PushStyleColor(ImGuiCol_Text, selected ? color::on_primary : color::text);
  bool c = labelled_button(label, id, ImVec2(0, 0));
  ImGui::PopStyleColor(3);
  return c;
}

ImU32 status_colour(Status s) {
  switch (s) {
    case Status::met: return color::primary;
    case Status::not_met: return color::error;
    case Status::to_judge: return color::rgb(0x8A, 0x5A, 0x00);  // dark amber: 5.6:1 on white
    case Status::no_data: return color::muted;
  }
  return color::muted;
}

void status_badge(const ConsoleView& v, Status s) {
  char key[48];
  std::snprintf(key, sizeof key, "%s%s", T("console.status."), status_code(s));
  const std::string& label = v.t(key);
  ImVec2 p = ImGui::GetCursorScreenPos();
  ImVec2 ts = ImGui::CalcTextSize(label.c_str());
  float pad = v.px(10);
  ImVec2 q(p.x + ts.x + 2 * pad, p.y + ts.y + v.px(4));
  ImGui::GetWindowDrawList()->AddRectFilled(p, q, status_colour(s), v.px(8));
  ImGui::GetWindowDrawList()->AddText(ImVec2(p.x + pad, p.y + v.px(2)), color::on_primary, label.c_str());
  ImGui::Dummy(ImVec2(q.x - p.x, q.y - p.y));
}

void hbar(const std::string& label, double value, double max, const std::string& number, float label_w, float bar_w,
          ImU32 colour) {
  ImVec2 p = ImGui::GetCursorScreenPos();
  float h = ImGui::GetTextLineHeight();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  // Label clipped to its column so long question texts do not run into the bars.
  dl->PushClipRect(p, ImVec2(p.x + label_w - 8, p.y + h + 4), true);
  dl->AddText(p, color::text, label.c_str());
  dl->PopClipRect();
  float x0 = p.x + label_w;
  float w = max > 0 ? static_cast<float>(value / max) * bar_w : 0;
  dl->AddRectFilled(ImVec2(x0, p.y + h * 0.15f), ImVec2(x0 + bar_w, p.y + h * 0.85f), color::primary_light, 4);
  if (w > 0) dl->AddRectFilled(ImVec2(x0, p.y + h * 0.15f), ImVec2(x0 + w, p.y + h * 0.85f), colour, 4);
  dl->AddText(ImVec2(x0 + bar_w + 12, p.y), color::text, number.c_str());
  ImGui::Dummy(ImVec2(label_w + bar_w + ImGui::CalcTextSize(number.c_str()).x + 16, h + 6));
}

std::string fmt_time(TimeMs t, int utc_offset_minutes) {
  if (t <= 0) return "—";
  return to_local_text(t, utc_offset_minutes).substr(0, 16);
}

}  // namespace eco::ui
