// The few widgets every screen shares, drawn with the draw list so they look like
// touch cards rather than ImGui's debug buttons.
#include <algorithm>

#include "ui/theme.hpp"
#include "ui/view.hpp"

namespace eco::ui {

std::vector<HitItem>* g_hit_items = nullptr;

void record_hit(const std::string& label, ImVec2 min, ImVec2 max) {
  if (!g_hit_items) return;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  g_hit_items->push_back({label, min, max, dl->GetClipRectMin(), dl->GetClipRectMax()});
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
  dl->AddRect(p, q, selected ? color::primary : color::card_border, r, 0, std::max(2.f, font->FontSize * 0.06f));
  ImU32 ink = selected ? color::on_primary : color::text;
  float pad = font->FontSize * 0.6f;
  float mark_w = font->FontSize * 1.1f;
  float wrap = size.x - 2 * pad - mark_w;
  ImVec2 ts = font->CalcTextSizeA(font->FontSize, FLT_MAX, wrap, label.c_str());
  float total_h = ts.y;
  ImVec2 ds(0, 0);
  if (!detail.empty() && detail_font) {
    ds = detail_font->CalcTextSizeA(detail_font->FontSize, FLT_MAX, wrap, detail.c_str());
    total_h += ds.y + detail_font->FontSize * 0.2f;
  }
  // Plain options are centred; cards with a description read from the top.
  float y = ds.y > 0 ? p.y + pad * 1.5f : p.y + std::max(pad * 0.5f, (size.y - total_h) * 0.5f);
  dl->PushClipRect(p, q, true);
  dl->AddText(font, font->FontSize, ImVec2(p.x + pad, y), ink, label.c_str(), nullptr, wrap);
  if (ds.y > 0)
    dl->AddText(detail_font, detail_font->FontSize, ImVec2(p.x + pad, y + ts.y + detail_font->FontSize * 0.2f),
                selected ? color::on_primary : color::muted, detail.c_str(), nullptr, wrap);
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
    dl->AddRectFilled(p, q, held ? color::rgb(0x17, 0x52, 0x33) : color::primary, r);
  } else {
    dl->AddRectFilled(p, q, held ? color::card_pressed : color::card, r);
    dl->AddRect(p, q, color::primary, r, 0, std::max(2.f, size.y * 0.03f));
  }
  ImVec2 ts = font->CalcTextSizeA(font->FontSize, FLT_MAX, 0, label.c_str());
  dl->AddText(font, font->FontSize, ImVec2(p.x + (size.x - ts.x) * 0.5f, p.y + (size.y - ts.y) * 0.5f),
              primary ? color::on_primary : color::primary, label.c_str());
  return clicked;
}

void text_wrapped(const std::string& s, ImU32 colour, ImFont* font, float wrap_width) {
  ImGui::PushFont(font);
  ImGui::PushStyleColor(ImGuiCol_Text, colour);
  ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + wrap_width);
  ImGui::TextUnformatted(s.c_str(), s.c_str() + s.size());
  ImGui::PopTextWrapPos();
  ImGui::PopStyleColor();
  ImGui::PopFont();
}

}  // namespace eco::ui
