// Settings: kiosk id and hall, district title, idle times, questionnaires offered,
// default language, export folder; change the PIN; export files.
#include <imgui.h>
#include <imgui_stdlib.h>

#include "ui/console/console_view.hpp"
#include "ui/common/theme.hpp"
#include "core/support/time.hpp"

namespace eco::ui {

namespace {

// The kiosk's own settings (id, hall, title, idle times, questionnaires, language, folder).
ConsoleIntent kiosk_settings(ConsoleView& v, float w) {
  ConsoleIntent out;
  SettingsForm& s = v.model.settings;
  ImGui::PushFont(v.heading);
  ImGui::TextUnformatted(v.t(T("console.settings.kiosk")).c_str());
  ImGui::PopFont();
  ImGui::SetNextItemWidth(w);
  ImGui::InputText((v.t(T("console.settings.kiosk_id")) + "###kid").c_str(), &s.kiosk_id);
  ImGui::SetNextItemWidth(w);
  ImGui::InputText((v.t(T("console.settings.hall")) + "###hall").c_str(), &s.hall_zh);
  ImGui::SetNextItemWidth(w);
  ImGui::InputText((v.t(T("console.settings.title")) + "###title").c_str(), &s.title_zh);
  ImGui::SetNextItemWidth(w);
  ImGui::SliderInt((v.t(T("console.settings.idle")) + "###idle").c_str(), &s.idle_seconds, 10, kIdleSecondsMax);
  ImGui::SetNextItemWidth(w);
  ImGui::SliderInt((v.t(T("console.settings.idle_first")) + "###idle1").c_str(), &s.first_question_idle_seconds, 10, kIdleSecondsMax);
  ImGui::SetNextItemWidth(w);
  ImGui::SliderInt((v.t(T("console.settings.countdown")) + "###cd").c_str(), &s.countdown_seconds, 5, 120);
  ImGui::SetNextItemWidth(w);
  ImGui::SliderInt((v.t(T("console.settings.finish")) + "###fin").c_str(), &s.finish_seconds, 5, 600);
  ImGui::SetNextItemWidth(w);
  ImGui::SliderInt((v.t(T("console.settings.volume")) + "###vol").c_str(), &s.speech_volume, 0, 100);
  ImGui::TextUnformatted(v.t(T("console.settings.offered")).c_str());
  const char* ids[3] = {"knowledge", "satisfaction", "green-travel"};
  for (int i = 0; i < 3; ++i) {
    ImGui::SameLine();
    ImGui::Checkbox((v.t(std::string(T("console.q.")) + ids[i]) + "###offer" + std::to_string(i)).c_str(), &s.offer[i]);
  }
  ImGui::TextUnformatted(v.t(T("console.settings.lang")).c_str());
  ImGui::SameLine();
  if (chip("中文", "lang_zh", s.default_lang == "zh")) s.default_lang = "zh";
  ImGui::SameLine();
  if (chip("English", "lang_en", s.default_lang == "en")) s.default_lang = "en";
  ImGui::SetNextItemWidth(w);
  ImGui::InputText((v.t(T("console.settings.export_dir")) + "###edir").c_str(), &s.export_dir);
  if (cbutton(v.t(T("console.settings.save")), "save")) out = console_intent::SaveSettings{};
  ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(color::muted), "%s", v.t(T("console.settings.restart_note")).c_str());

  return out;
}

ConsoleIntent pin_change(ConsoleView& v, float w) {
  ConsoleIntent out;
  SettingsForm& s = v.model.settings;
  ImGui::PushFont(v.heading);
  ImGui::TextUnformatted(v.t(T("console.settings.pin")).c_str());
  ImGui::PopFont();
  ImGui::SetNextItemWidth(w);
  ImGui::InputText((v.t(T("console.settings.new_pin")) + "###np").c_str(), &s.new_pin,
                   ImGuiInputTextFlags_Password | ImGuiInputTextFlags_CharsDecimal);
  ImGui::SetNextItemWidth(w);
  ImGui::InputText((v.t(T("console.settings.new_pin_again")) + "###np2").c_str(), &s.new_pin_again,
                   ImGuiInputTextFlags_Password | ImGuiInputTextFlags_CharsDecimal);
  if (cbutton(v.t(T("console.settings.change_pin")), "changepin")) out = console_intent::ChangePin{};

  // Central sync: last contact, what waits, the last error in words.
  ImGui::Separator();
  ImGui::PushFont(v.heading);
  ImGui::TextUnformatted(v.t(T("console.sync.title")).c_str());
  ImGui::PopFont();
  if (!v.model.sync_configured()) {
    ImGui::TextWrapped("%s", v.t(T("console.sync.off")).c_str());
  } else {
    const central::SyncState& st = v.model.sync_state();
    bool bad = !st.status.empty() && st.status != "ok";
    std::string key = T("console.sync.status.") + (st.status.empty() ? std::string("none") : st.status);
    ImGui::PushStyleColor(ImGuiCol_Text, bad ? color::error : color::text);
    ImGui::TextWrapped("%s", v.t(key).c_str());
    ImGui::PopStyleColor();
    if (bad && !st.detail.empty())
      ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(color::muted), "%s", st.detail.c_str());
    std::string when = st.last_contact ? to_local_text(st.last_contact, v.model.config().utc_offset_minutes) : v.t(T("console.sync.never"));
    ImGui::TextUnformatted(v.tf(T("console.sync.last_contact"), {{"arg", when}}).c_str());
    ImGui::TextUnformatted(v.tf(T("console.sync.waiting"), {{"arg", std::to_string(st.waiting)}}).c_str());
    ImGui::TextUnformatted(v.tf(T("console.sync.totals"), {{"sent", std::to_string(st.sent)},
                                                        {"already", std::to_string(st.already)},
                                                        {"conflicts", std::to_string(st.conflicts)}}).c_str());
  }
  return out;
}

// Where the file goes: the configured folder, or a USB stick when one is mounted; and
// the export under way, with its Cancel.
ConsoleIntent export_target(ConsoleView& v) {
  ConsoleIntent out;
  ConsoleModel& m = v.model;
  if (chip(m.export_folder(), "target_default", m.export_target.empty())) m.export_target.clear();
  static std::vector<std::string> drives;
  static int frames = 0;
  if (frames++ % 120 == 0) drives = ConsoleModel::removable_drives();  // re-read now and then, not every frame
  for (std::size_t i = 0; i < drives.size(); ++i) {
    std::string id = "drive" + std::to_string(i);
    if (chip(v.t(T("console.export.usb")) + " " + drives[i], id.c_str(), m.export_target == drives[i])) m.export_target = drives[i];
  }
  ImGui::TextWrapped("%s", v.tf(T("console.export.folder"), {{"arg", m.export_target.empty() ? m.export_folder() : m.export_target}}).c_str());
  if (m.computing()) {
    ImGui::TextUnformatted(v.tf(T("console.computing"), {{"arg", std::to_string(static_cast<int>(m.computing_seconds()))}}).c_str());
    ImGui::SameLine();
    if (cbutton(v.t(T("console.cancel")), "cancel_export")) out = console_intent::Cancel{};
  }
  return out;
}

// The dates, and the hall: every hall, or one kiosk's responses.
void export_filters(ConsoleView& v) {
  ConsoleModel& m = v.model;
  ImGui::SetNextItemWidth(v.px(200));
  ImGui::InputTextWithHint("###efrom", v.t(T("console.export.from")).c_str(), &m.export_from);
  ImGui::SameLine();
  ImGui::TextUnformatted("–");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(v.px(200));
  ImGui::InputTextWithHint("###eto", v.t(T("console.export.to")).c_str(), &m.export_to);
  ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(color::muted), "%s", v.t(T("console.export.dates_hint")).c_str());
  ImGui::TextUnformatted(v.t(T("console.export.hall")).c_str());
  ImGui::SameLine();
  if (chip(v.t(T("console.export.all_halls")), "hall_all", m.export_kiosk.empty())) m.export_kiosk.clear();
  auto kiosks = m.export_kiosks();
  // Many halls wrap onto further lines instead of running off the panel.
  float right = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
  for (std::size_t i = 0; i < kiosks.size(); ++i) {
    std::string label = m.hall_label(kiosks[i], v.lang);
    float w = ImGui::CalcTextSize(label.c_str()).x + 2 * ImGui::GetStyle().FramePadding.x;
    if (ImGui::GetItemRectMax().x + ImGui::GetStyle().ItemSpacing.x + w < right) ImGui::SameLine();
    std::string id = "hall" + std::to_string(i);
    if (chip(label, id.c_str(), m.export_kiosk == kiosks[i])) m.export_kiosk = kiosks[i];
  }
}

// A button per questionnaire and format.
ConsoleIntent export_buttons(ConsoleView& v) {
  ConsoleIntent out;
  for (const char* q : {"knowledge", "satisfaction", "green-travel", ""}) {
    std::string qname = *q ? v.t(std::string(T("console.q.")) + q) : v.t(T("console.export.all"));
    ImGui::TextUnformatted(qname.c_str());
    for (const char* f : {"xlsx", "csv", "html", "pdf", "jsonl"}) {
      ImGui::SameLine();
      std::string id = std::string("exp_") + f + "_" + q;
      if (cbutton(f, id.c_str())) out = console_intent::ExportFile{f, q};
    }
  }
  return out;
}

}  // namespace

ConsoleIntent draw_console_settings(ConsoleView& v) {
  ConsoleIntent out;
  ConsoleModel& m = v.model;
  float w = v.px(520);
  auto take = [&out](ConsoleIntent in) {
    if (!none(in)) out = std::move(in);
  };
  ImGui::BeginChild("##settings", ImVec2(ImGui::GetContentRegionAvail().x * 0.55f, 0));
  take(kiosk_settings(v, w));
  ImGui::Separator();
  take(pin_change(v, w));
  ImGui::EndChild();

  ImGui::SameLine();
  ImGui::BeginChild("##export", ImVec2(0, 0));
  ImGui::PushFont(v.heading);
  ImGui::TextUnformatted(v.t(T("console.export.title")).c_str());
  ImGui::PopFont();
  take(export_target(v));
  export_filters(v);
  take(export_buttons(v));
  if (!m.last_export.empty()) ImGui::TextWrapped("%s", m.last_export.c_str());
  ImGui::EndChild();
  return out;
}

}  // namespace eco::ui
