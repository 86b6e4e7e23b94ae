// A text question's answer: the on-screen input (ui/common/input_panel) filling the
// question's body. What the finger does goes back to the model as an input intent.
#include "ui/common/input_panel.hpp"
#include "ui/resident/view.hpp"

namespace eco::ui {

Intent draw_text_answer(const View& v, ImVec2 area) {
  Intent out;
  const input::TextEntry* e = v.model.text_entry();
  if (!e) return out;
  InputPanelView pv{*e, v.strings, v.model.lang(), v.fonts.input ? v.fonts.input : v.fonts.body, v.fonts.small, v.scale};
  input::InputIntent in = draw_input_panel(pv, area);
  if (in.kind != input::InputIntent::Kind::none) {
    out.kind = Intent::Kind::input;
    out.input = std::move(in);
  }
  return out;
}

}  // namespace eco::ui
