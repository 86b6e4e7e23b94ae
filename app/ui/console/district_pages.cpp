// The district console's pages for the propaganda department (survey results with the
// hall breakdown, export) and for admins (accounts). Functions of the model returning an
// intent; the work runs on the model's worker, and a refusal shows the server's reason.
#include <imgui.h>
#include <imgui_stdlib.h>

#include <cstdio>

#include "ui/console/console_view.hpp"
#include "ui/console/district_view.hpp"
#include "ui/common/theme.hpp"
#include "ui/resident/view.hpp"

namespace eco::ui {

namespace di = district_intent;

namespace {
std::string pct(const std::optional<double>& v) {
  if (!v) return "—";
  char b[32];
  std::snprintf(b, sizeof b, "%.1f%%", *v);
  return b;
}
std::string interval(const Estimate& e) {
  if (!e.ci) return "—";
  char b[48];
  std::snprintf(b, sizeof b, "%.1f–%.1f%%", e.ci->lo, e.ci->hi);
  return b;
}
void label_field(DistrictView& v, const char* key, const char* id, std::string* s, float w,
                 ImGuiInputTextFlags flags = 0) {
  ImGui::TextUnformatted(v.t(key).c_str());
  ImGui::SetNextItemWidth(w);
  ImVec2 p = ImGui::GetCursorScreenPos();
  ImGui::InputText((std::string("##") + id).c_str(), s, flags);
  record_hit(v.t(key), p, ImGui::GetItemRectMax());
}
}  // namespace

DistrictIntent draw_district_results(DistrictView& v) {
  DistrictModel& m = v.model;
  ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(color::muted), "%s", v.t(T("district.results.note")).c_str());
  if (!m.results()) return {};
  ImGui::BeginChild("##results", ImVec2(0, 0));
  for (const auto& r : m.results()->indicators) {
    const IndicatorDef* d = m.catalog().find(std::to_string(r.no));
    ImGui::Separator();
    ImGui::PushFont(v.heading);
    ImGui::Text("%d  %s", r.no, d ? d->name.c_str() : r.questionnaire.c_str());
    ImGui::PopFont();
    char target[16];
    std::snprintf(target, sizeof target, "%.0f%%", r.target);
    std::string status = v.t(std::string(T("report.status.")) + r.status());
    ImGui::TextWrapped("%s", Strings::format(v.t(T("district.results.figure")),
                                             {{"value", pct(r.est.value)}, {"ci", interval(r.est)},
                                              {"n", std::to_string(r.est.n)}, {"target", target}, {"status", status},
                                              {"excluded", std::to_string(r.excluded.total)}})
                                 .c_str());
    const Breakdown* halls = nullptr;
    for (const auto& b : r.breakdowns)
      if (b.by == "kiosk") halls = &b;
    if (!halls || halls->cells.empty()) continue;
    if (ImGui::BeginTable(("##halls" + std::to_string(r.no)).c_str(), 4,
                          ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingStretchProp)) {
      for (const char* k : {T("district.results.hall"), T("district.results.value"), T("district.results.ci"),
                            T("district.results.n")})
        ImGui::TableSetupColumn(v.t(k).c_str());
      ImGui::TableHeadersRow();
      for (const auto& c : halls->cells) {
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        auto h = m.halls().find(c.code);
        std::string name = h == m.halls().end() ? c.code
                                                : (v.lang == "zh" || h->second.second.empty() ? h->second.first
                                                                                               : h->second.second);
        ImGui::TextUnformatted((name + " (" + c.code + ")").c_str());
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(pct(c.est.value).c_str());
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(interval(c.est).c_str());
        ImGui::TableNextColumn();
        ImGui::Text("%lld%s", static_cast<long long>(c.est.n),
                    c.unreliable ? (" " + v.t(T("district.results.few"))).c_str() : "");
      }
      ImGui::EndTable();
    }
  }
  ImGui::EndChild();
  return {};
}

DistrictIntent draw_district_exports(DistrictView& v) {
  DistrictModel& m = v.model;
  DistrictIntent out;
  DistrictExportForm& f = m.export_form;
  ImGui::TextWrapped("%s", v.t(T("district.export.what")).c_str());
  ImGui::TextUnformatted(v.t(T("district.export.format")).c_str());
  for (const char* fmt : kDistrictExportFormats) {
    std::string label = v.t(std::string(T("district.export.fmt.")) + fmt);
    if (chip(label, fmt, f.format == fmt) && !m.exporting()) {
      // A path the user did not type follows the format.
      if (f.out.empty() || f.out == m.default_export_path()) f.out.clear();
      f.format = fmt;
    }
    ImGui::SameLine();
  }
  ImGui::NewLine();
  if (f.out.empty()) f.out = m.default_export_path();
  label_field(v, T("district.export.out"), "export_out", &f.out, v.px(640));
  if (chip(v.t(T("district.export.flagged")), "flagged", f.include_flagged)) f.include_flagged = !f.include_flagged;
  ImGui::Dummy(ImVec2(0, v.px(8)));
  if (m.exporting()) {
    long secs = static_cast<long>((now_ms() - m.export_started()) / 1000);
    ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(color::primary), "%s",
                       Strings::format(v.t(T("district.export.progress")), {{"s", std::to_string(secs)}, {"out", f.out}})
                           .c_str());
    if (cbutton(v.t(T("district.export.cancel")), "cancel_export")) out = di::CancelExport{};
  } else {
    if (cbutton(v.t(T("district.export.start")), "start_export") && !m.busy()) out = di::Export{};
  }
  if (!m.export_files().empty()) {
    ImGui::Dummy(ImVec2(0, v.px(8)));
    ImGui::TextUnformatted(
        Strings::format(v.t(T("district.export.wrote")), {{"n", std::to_string(m.export_rows())}}).c_str());
    for (const auto& file : m.export_files()) ImGui::BulletText("%s", file.c_str());
  }
  return out;
}

DistrictIntent draw_district_accounts(DistrictView& v) {
  DistrictModel& m = v.model;
  DistrictIntent out;
  DistrictAccountForm& f = m.account_form;
  // Labels on one line, fields on the next, in two columns (a CJK label is taller than a
  // Latin one, so side-by-side groups would not line up).
  float w = v.px(260), x2 = ImGui::GetCursorPosX() + w + v.px(24);
  ImGui::TextUnformatted(v.t(T("district.accounts.name")).c_str());
  ImGui::SameLine(x2);
  ImGui::TextUnformatted(v.t(T("district.accounts.password")).c_str());
  ImGui::SetNextItemWidth(w);
  ImVec2 p1 = ImGui::GetCursorScreenPos();
  ImGui::InputText("##acc_name", &f.name);
  record_hit(v.t(T("district.accounts.name")), p1, ImGui::GetItemRectMax());
  ImGui::SameLine(x2);
  ImGui::SetNextItemWidth(w);
  ImVec2 p2 = ImGui::GetCursorScreenPos();
  ImGui::InputText("##acc_password", &f.password, ImGuiInputTextFlags_Password);
  record_hit(v.t(T("district.accounts.password")), p2, ImGui::GetItemRectMax());
  ImGui::TextUnformatted(v.t(T("district.accounts.kind")).c_str());
  for (central::AccountKind k : {central::AccountKind::department, central::AccountKind::propaganda,
                                 central::AccountKind::admin}) {
    std::string id = std::string("kind_") + central::account_kind_name(k);
    if (chip(v.t(std::string(T("district.kind.")) + central::account_kind_name(k)), id.c_str(), f.kind == k)) f.kind = k;
    ImGui::SameLine();
  }
  ImGui::NewLine();
  if (f.kind == central::AccountKind::department) {
    ImGui::TextUnformatted(v.t(T("district.accounts.department")).c_str());
    ImGui::SetNextItemWidth(v.px(420));
    ImVec2 p = ImGui::GetCursorScreenPos();
    if (ImGui::BeginCombo("##acc_dept", f.department.empty() ? v.t(T("district.accounts.choose")).c_str()
                                                             : f.department.c_str())) {
      for (const auto& d : m.departments()) {
        ImVec2 q = ImGui::GetCursorScreenPos();
        if (ImGui::Selectable(d.c_str(), f.department == d)) f.department = d;
        record_hit(d, q, ImGui::GetItemRectMax());
      }
      ImGui::EndCombo();
    }
    record_hit(v.t(T("district.accounts.department")), p, ImGui::GetItemRectMax());
  }
  if (cbutton(v.t(T("district.accounts.add")), "acc_add") && !m.busy()) out = di::AddAccount{};
  ImGui::Dummy(ImVec2(0, v.px(6)));
  if (begin_page_table("##accounts", {v.t(T("district.accounts.name")), v.t(T("district.accounts.kind")),
                                      v.t(T("district.accounts.department")), v.t(T("district.accounts.state")),
                                      v.t(T("district.accounts.action"))})) {
    for (const auto& a : m.accounts()) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(a.name.c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(v.t(std::string(T("district.kind.")) + central::account_kind_name(a.kind)).c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(a.department.c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(v.t(a.disabled ? T("district.accounts.is_disabled") : T("district.accounts.is_enabled")).c_str());
      ImGui::TableNextColumn();
      bool self = m.account() && m.account()->name == a.name;  // not one's own: the engine allows it, a person regrets it
      if (!self) {
        std::string label = Strings::format(v.t(a.disabled ? T("district.accounts.enable") : T("district.accounts.disable")),
                                            {{"name", a.name}});
        if (cbutton(label, ("acc_" + a.name).c_str()) && !m.busy()) out = di::SetAccountEnabled{a.name, a.disabled};
      }
    }
    ImGui::EndTable();
  }
  return out;
}

}  // namespace eco::ui
