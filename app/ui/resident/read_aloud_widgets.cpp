// Read-aloud on screen: the 🔊 朗读 button of every question and of the finish screen,
// and the welcome screen's switch to read every page. The speaker is drawn with
// primitives (the CJK font has no emoji). Neither shows on a kiosk without sound.
#include <algorithm>

#include "ui/common/theme.hpp"
#include "ui/resident/view.hpp"

namespace eco::ui {

namespace {

// A loudspeaker with two sound waves in a square of side s at p.
void speaker_icon(ImDrawList* dl, ImVec2 p, float s, ImU32 col) {
  float cy = p.y + s * 0.5f;
  dl->AddRectFilled(ImVec2(p.x + s * 0.08f, cy - s * 0.14f), ImVec2(p.x + s * 0.26f, cy + s * 0.14f), col);
  dl->AddQuadFilled(ImVec2(p.x + s * 0.26f, cy - s * 0.14f), ImVec2(p.x + s * 0.48f, cy - s * 0.34f),
                    ImVec2(p.x + s * 0.48f, cy + s * 0.34f), ImVec2(p.x + s * 0.26f, cy + s * 0.14f), col);
  float th = std::max(2.f, s * 0.07f);
  for (float r : {s * 0.2f, s * 0.36f}) {
    dl->PathArcTo(ImVec2(p.x + s * 0.5f, cy), r, -0.9f, 0.9f, 12);
    dl->PathStroke(col, 0, th);
  }
}

float icon_size(float h) { return h * 0.6f; }

float label_width(const View& v, const std::string& label, float h) {
  ImFont* f = v.fonts.body;
  return f->CalcTextSizeA(f->FontSize, FLT_MAX, 0, label.c_str()).x + icon_size(h) + h * 0.9f;
}

// A pill with the speaker and a label; filled when `on`. Returns true on release, and
// tells through `was_on` what the button showed when the finger went down (the press
// itself stops the reading, so the label may have changed by the release).
bool speaker_button(const char* id, const std::string& label, float w, float h, ImFont* f, bool on, bool* was_on) {
  ImVec2 p = ImGui::GetCursorScreenPos();
  ImGuiID gid = ImGui::GetID(id);
  bool clicked = ImGui::InvisibleButton(id, ImVec2(w, h));
  ImGuiStorage* store = ImGui::GetStateStorage();
  if (ImGui::IsItemActivated()) store->SetBool(gid, on);
  if (was_on) *was_on = store->GetBool(gid, on);
  record_hit(label, p, ImVec2(p.x + w, p.y + h));
  bool held = ImGui::IsItemActive();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  ImVec2 q(p.x + w, p.y + h);
  float r = h * 0.5f;
  if (on) {
    dl->AddRectFilled(p, q, held ? color::rgb(0x17, 0x52, 0x33) : color::primary, r);
  } else {
    dl->AddRectFilled(p, q, held ? color::card_pressed : color::card, r);
    dl->AddRect(p, q, color::primary, r, 0, std::max(2.f, h * 0.04f));
  }
  ImU32 fg = on ? color::on_primary : color::primary;
  float is = icon_size(h);
  speaker_icon(dl, ImVec2(p.x + h * 0.35f, p.y + (h - is) * 0.5f), is, fg);
  ImVec2 ts = f->CalcTextSizeA(f->FontSize, FLT_MAX, 0, label.c_str());
  dl->AddText(f, f->FontSize, ImVec2(p.x + h * 0.35f + is + h * 0.15f, p.y + (h - ts.y) * 0.5f), fg, label.c_str());
  return clicked;
}

const std::string& read_label(const View& v) { return v.t(v.model.reading() ? T("speech.stop") : T("speech.read")); }
const std::string& auto_label(const View& v) { return v.t(v.model.auto_read() ? T("speech.auto_on") : T("speech.auto_off")); }

}  // namespace

float read_aloud_width(const View& v, float h) {
  if (!v.model.speech_available()) return 0;
  return std::max(label_width(v, v.t(T("speech.read")), h), label_width(v, v.t(T("speech.stop")), h));
}

void read_aloud_button(const View& v, Intent& out, float h) {
  if (!v.model.speech_available()) return;
  bool was_reading = false;
  // Filled while reading: the resident sees that the kiosk is speaking and how to stop it.
  if (speaker_button("##read_aloud", read_label(v), read_aloud_width(v, h), h, v.fonts.body, v.model.reading(),
                     &was_reading))
    out = was_reading ? Intent{intent::StopReading{}} : Intent{intent::ReadAloud{}};
}

float auto_read_width(const View& v, float h) {
  if (!v.model.speech_available()) return 0;
  return std::max(label_width(v, v.t(T("speech.auto_on")), h), label_width(v, v.t(T("speech.auto_off")), h));
}

void auto_read_switch(const View& v, Intent& out, float h) {
  if (!v.model.speech_available()) return;
  if (speaker_button("##auto_read", auto_label(v), auto_read_width(v, h), h, v.fonts.body, v.model.auto_read(), nullptr))
    out = intent::ToggleAutoRead{};
}

}  // namespace eco::ui
