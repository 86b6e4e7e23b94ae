#include "platform/kiosk_frame.hpp"

#include <sys/resource.h>

#include <cstdio>
#include <iostream>

#include "core/storage/store.hpp"
#include "platform/glyphs.hpp"
#include "ui/common/theme.hpp"
#include "ui/console/console_view.hpp"
#include "ui/resident/frame.hpp"

namespace eco::ui {

long rss_mb() {
  FILE* f = std::fopen("/proc/self/statm", "r");
  long pages = 0, resident = 0;
  if (f) {
    if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
    std::fclose(f);
  }
  return resident * 4096 / (1024 * 1024);
}

long peak_mb() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss / 1024;
}

bool KioskFrame::bake_first(ImFontAtlas* atlas, float scale, bool full) {
  scale_ = scale;
  full_atlas_ = full;
  fonts_.atlas = atlas;
  fonts_.cache_dir = app_.o.font_cache;
  font_file_ = find_cjk_font(app_.o.font);  // fontconfig's first call reads its caches: worth overlapping too
  bool found = build_fonts(fonts_, font_file_, scale_,
                           full ? glyph_text(app_.set, app_.strings, app_.offered_config()) : welcome_glyphs(app_.set, app_.strings, app_.offered_config()));
  fonts_.atlas = nullptr;  // from here on, the context's atlas (the same object)
  return found;
}

void KioskFrame::adopt_size(ImVec2 size) {
  size_ = size;
  if (scale_ != scale_for(size)) {  // a window manager gave another size than asked
    scale_ = scale_for(size);
    build_fonts(fonts_, font_file_, scale_,
                full_atlas_ ? glyph_text(app_.set, app_.strings, app_.offered_config()) : welcome_glyphs(app_.set, app_.strings, app_.offered_config()));
  }
}

void KioskFrame::bake(bool for_console) {
  // What the model offers now: a set published from the center since start-up may
  // bring characters the installed questionnaires never had.
  if (resident_glyphs_.empty())
    resident_glyphs_ = glyph_text(app_.model->questionnaires(), app_.strings, app_.model->config());
  if (for_console && staff_glyphs_.empty()) staff_glyphs_ = console_glyphs(app_.catalog);
  // The input's font only while a text question is on screen (it is a large atlas page).
  fonts_.with_input = !for_console && app_.model->text_entry();
  build_fonts(fonts_, font_file_, scale_, resident_glyphs_, for_console ? staff_glyphs_ : std::string(),
              for_console ? 0 : app_.model->text_size());
  backend_.upload_font_texture();
  full_atlas_ = true;
  rebake_ = false;
  if (app_.o.print_timing)
    std::cerr << (for_console ? "console atlas " : "font atlas ") << fonts_.atlas_w << "x" << fonts_.atlas_h
              << (fonts_.from_cache ? " loaded from the cache in " : " built in ") << fonts_.build_ms << " ms; resident " << rss_mb() << " MB, peak " << peak_mb()
              << " MB\n";
}

Intent KioskFrame::render(const platform::PointerStep* replay, const std::string& png) {
  KioskModel& model = *app_.model;
  bool staff = model.screen() == Screen::admin && app_.console;
  // The input's engines at first use: a text question, or the console (staff notes).
  if (staff || model.text_entry()) app_.start_text_input();
  if (model.updates_taken() != glyphs_of_update_) {  // the center's set or settings were taken
    glyphs_of_update_ = model.updates_taken();
    resident_glyphs_.clear();
    rebake_ = true;
  }
  if (staff) {
    if (!fonts_.console) bake(true);  // first entry: the console's fonts, baked only now
  } else if (rebake_ || fonts_.console || model.text_size() != fonts_.text_size ||
             (model.text_entry() != nullptr) != (fonts_.normal.input != nullptr)) {
    bake(false);  // an update, back from the console, the text size changed, or a text question came or went
  }
  backend_.begin_frame(replay);
  if (!staff) staff_calls_read_ = false;
  Intent in;
  if (!app_.refusal.empty()) {
    draw_refusal();
  } else if (staff) {
    draw_staff_console();
  } else {
    View v{app_.strings, model, fonts_.pick(model.large_text()), scale_ * model.text_scale(), size_,
           size_.y > size_.x};
    in = draw_frame(v);
  }
  // The resident screens draw no window background: the clear is their page colour.
  ImU32 ground = !staff && app_.refusal.empty() && model.high_contrast() ? kHighContrastPalette.background
                                                                          : kStandardPalette.background;
  if (!backend_.end_frame(ground, png)) std::cerr << "cannot write " << png << "\n";
  return in;
}

// The kiosk id cannot be trusted: staff see why, residents get no survey.
void KioskFrame::draw_refusal() {
  ImGui::SetNextWindowPos(ImVec2(0, 0));
  ImGui::SetNextWindowSize(size_);
  ImGui::Begin("##refused", nullptr, ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove);
  ImGui::PushFont(fonts_.pick(false).body);
  ImGui::PushTextWrapPos(size_.x - 40 * scale_);
  ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(color::error), "%s",
                     app_.strings.get(app_.cfg.default_lang, T("kiosk.config_refused")).c_str());
  ImGui::TextUnformatted(app_.refusal.c_str());
  ImGui::PopTextWrapPos();
  ImGui::PopFont();
  ImGui::End();
}

void KioskFrame::draw_staff_console() {
  KioskModel& model = *app_.model;
  ConsoleModel& console = *app_.console;
  // Both warnings when both hold: a damaged database set aside, and unsaved responses.
  std::string banner = app_.startup_warning;
  // Residents' calls for staff (呼叫工作人员), read from the database once per entry.
  if (!staff_calls_read_) {
    staff_calls_read_ = true;
    std::vector<StaffCall> calls;
    try {
      if (app_.store) calls = app_.store->staff_calls(6);
    } catch (const std::exception& e) {
      std::cerr << "staff calls: " << e.what() << "\n";
    }
    if (!app_.store) calls.assign(model.staff_calls().rbegin(), model.staff_calls().rend());
    staff_calls_text_ = calls.empty() ? std::string()
                                      : Strings::format(app_.strings.get(app_.cfg.default_lang, T("console.staff_calls")),
                                                        {{"arg", describe_staff_calls(calls, app_.cfg.utc_offset_minutes)}});
  }
  if (!staff_calls_text_.empty()) banner += (banner.empty() ? "" : "  ·  ") + staff_calls_text_;
  if (model.unsaved())
    banner += (banner.empty() ? "" : "  ·  ") + app_.strings.get(app_.cfg.default_lang, T("console.unsaved")) + " " +
              std::to_string(model.unsaved()) + " — " + model.save_error();
  ConsoleView cv{app_.strings, console, fonts_.console, fonts_.console_heading, scale_, size_, app_.cfg.default_lang,
                 banner};
  ConsoleIntent ci = draw_console(cv);
  console.apply(ci);
  console.tick();
  if (console.take_exit()) model.leave_admin();
}

}  // namespace eco::ui
