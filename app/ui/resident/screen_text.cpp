// A text question's answer: the on-screen input (ui/common/input_panel) filling the
// question's body. What the finger does goes back to the model as an input intent.
#include "ui/common/input_panel.hpp"
#include "ui/resident/view.hpp"

namespace eco::ui {

namespace {
InputPanelView panel_view(const View& v, const input::TextEntry& e) {
  return InputPanelView{e, v.strings, v.model.lang(), v.fonts.input ? v.fonts.input : v.fonts.body, v.fonts.small, v.scale};
}
}  // namespace

float text_answer_min_height(const View& v, float width) {
  const input::TextEntry* e = v.model.text_entry();
  return e ? input_panel_min_height(panel_view(v, *e), width) : 0.f;
}

Intent draw_text_answer(const View& v, ImVec2 area) {
  Intent out;
  const input::TextEntry* e = v.model.text_entry();
  if (!e) return out;
  InputPanelView pv = panel_view(v, *e);
  input::InputIntent in = draw_input_panel(pv, area);
  if (in.kind != input::InputIntent::Kind::none) out = intent::Input{std::move(in)};
  return out;
}

}  // namespace eco::ui
