// The district console's pages: sign-in, the department's indicators and tasks, the
// fleet and the audit. The model hides what the account may not do (another
// department's indicators have no form; the fleet tab only for propaganda and admins);
// the engine refuses it anyway.
#include <imgui.h>
#include <imgui_stdlib.h>

#include <cstdio>

#include "ui/console/console_view.hpp"
#include "ui/console/district_view.hpp"
#include "ui/common/theme.hpp"
#include "ui/resident/view.hpp"

namespace eco::ui {

namespace di = district_intent;

std::string DistrictView::message() const {
  const std::string& key = model.message_key();
  if (key.empty()) return "";
  return Strings::format(t(key), {{"arg", model.message_arg()}});
}

namespace {
constexpr int kOffset = 480;  // the district's clock (UTC+8)

// A labelled text field; true when Enter was pressed in it (with EnterReturnsTrue).
bool field(DistrictView& v, const char* key, const char* id, std::string* s, float w, ImGuiInputTextFlags flags = 0) {
  ImGui::TextUnformatted(v.t(key).c_str());
  ImGui::SetNextItemWidth(w);
  ImVec2 p = ImGui::GetCursorScreenPos();
  bool r = ImGui::InputText((std::string("##") + id).c_str(), s, flags);
  record_hit(v.t(key), p, ImGui::GetItemRectMax());
  return r;
}

const std::string& indicator_name(const Catalog& c, const std::string& id) {
  static const std::string none;
  const IndicatorDef* d = c.find(id);
  return d ? d->name : none;
}

std::string value_text(const IndicatorRecord& r, const DistrictView& v) {
  char buf[48];
  if (r.value) {
    std::snprintf(buf, sizeof buf, "%g", *r.value);
    return buf;
  }
  if (!r.state.empty()) return r.state;
  if (r.judged) return v.t(*r.judged ? T("district.met") : T("district.not_met"));
  return "";
}
}  // namespace

DistrictIntent draw_district_sign_in(DistrictView& v) {
  DistrictModel& m = v.model;
  DistrictIntent out;
  float w = v.px(420);
  ImGui::SetCursorPos(ImVec2((v.size.x - w) / 2, v.size.y * 0.22f));
  ImGui::BeginGroup();
  ImGui::PushFont(v.heading);
  ImGui::TextUnformatted(v.t(T("district.title")).c_str());
  ImGui::PopFont();
  ImGui::Dummy(ImVec2(0, v.px(12)));
  field(v, T("district.user"), "user", &m.user, w);
  if (ImGui::IsWindowAppearing()) ImGui::SetKeyboardFocusHere(-1);
  bool enter = field(v, T("district.password"), "password", &m.password, w,
                     ImGuiInputTextFlags_Password | ImGuiInputTextFlags_EnterReturnsTrue);
  ImGui::Dummy(ImVec2(0, v.px(8)));
  if ((cbutton(v.t(T("district.sign_in")), "signin", ImVec2(w, 0)) || enter) && !m.busy()) out = di::SignIn{};
  if (!m.message_key().empty()) {
    ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + w);
    ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(m.message_is_error() ? color::error : color::primary), "%s",
                       v.message().c_str());
    ImGui::PopTextWrapPos();
  }
  ImGui::EndGroup();
  return out;
}

DistrictIntent draw_district_mine(DistrictView& v) {
  DistrictModel& m = v.model;
  const Catalog& cat = m.catalog();
  DistrictIntent out;
  float left = v.size.x * 0.46f;
  ImGui::BeginChild("##mine_left", ImVec2(left, 0));
  ImGui::PushFont(v.heading);
  ImGui::TextUnformatted(v.t(T("district.indicators")).c_str());
  ImGui::PopFont();
  if (m.my_indicators().empty()) ImGui::TextWrapped("%s", v.t(T("district.no_indicators")).c_str());
  for (const auto& id : m.my_indicators()) {
    const IndicatorDef* d = cat.find(id);
    if (!d || !d->sub.empty() || !d->rule.survey.empty()) continue;  // recorded through its parts, or surveyed
    const IndicatorRecord* r = m.latest(id);
    std::string label = id + "  " + d->name;
    ImVec2 p = ImGui::GetCursorScreenPos();
    if (ImGui::Selectable((label + "##ind" + id).c_str(), m.open_indicator() == id)) out = di::OpenIndicator{id};
    record_hit(label, p, ImGui::GetItemRectMax());
    ImGui::Indent(v.px(24));
    ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(color::muted), "%s %s", v.t(T("district.latest")).c_str(),
                       r ? (value_text(*r, v) + "  (" + r->as_of + ", " + r->recorded_by + ")").c_str()
                         : v.t(T("district.none_yet")).c_str());
    ImGui::Unindent(v.px(24));
  }
  ImGui::Dummy(ImVec2(0, v.px(12)));
  ImGui::PushFont(v.heading);
  ImGui::TextUnformatted(v.t(T("district.tasks")).c_str());
  ImGui::PopFont();
  field(v, T("district.task_note"), "task_note", &m.task_note, left - v.px(24));
  for (const auto& [task, responsible] : m.my_tasks()) {
    const Task* t = cat.find_task(task);
    const TaskUpdate* u = m.task_update(task);
    ImGui::PushID(task.c_str());
    ImGui::TextWrapped("%s  %s  [%s]", task.c_str(), t ? t->key_task.c_str() : "",
                       v.t(responsible ? T("district.responsible") : T("district.cooperating")).c_str());
    for (TaskStatus s : {TaskStatus::not_started, TaskStatus::in_progress, TaskStatus::done, TaskStatus::blocked}) {
      std::string code = task_status_code(s);
      std::string label = v.t(std::string(T("console.task.")) + code);
      if (chip(label, (task + ":" + code).c_str(), u && u->status == s)) out = di::SetTask{task, s};
      ImGui::SameLine();
    }
    ImGui::NewLine();
    ImGui::PopID();
  }
  ImGui::EndChild();
  ImGui::SameLine();
  ImGui::BeginChild("##mine_right", ImVec2(0, 0));
  const std::string& open = m.open_indicator();
  if (!open.empty() && m.leads(open)) {
    const IndicatorDef* d = cat.find(open);
    ImGui::PushFont(v.heading);
    ImGui::TextWrapped("%s  %s", open.c_str(), indicator_name(cat, open).c_str());
    ImGui::PopFont();
    if (d) ImGui::TextWrapped("%s", d->target.c_str());
    float w = ImGui::GetContentRegionAvail().x - v.px(16);
    DistrictForm& f = m.form;
    field(v, T("district.as_of"), "as_of", &f.as_of, w);
    if (d && d->rule.kind == Rule::Kind::at_least) field(v, T("district.value"), "value", &f.value, w);
    if (d && d->rule.kind == Rule::Kind::state) {
      ImGui::TextUnformatted(v.t(T("district.state")).c_str());
      for (const auto& s : d->rule.states) {
        if (chip(s, ("state:" + s).c_str(), f.state == s)) f.state = s;
        ImGui::SameLine();
      }
      ImGui::NewLine();
    }
    if (d && d->rule.kind == Rule::Kind::judged) {
      if (chip(v.t(T("district.met")), "judged:1", f.judged == 1)) f.judged = 1;
      ImGui::SameLine();
      if (chip(v.t(T("district.not_met")), "judged:0", f.judged == 0)) f.judged = 0;
    }
    field(v, T("district.source"), "source", &f.source, w);
    field(v, T("district.evidence"), "evidence", &f.evidence, w);
    ImGui::Dummy(ImVec2(0, v.px(6)));
    if (cbutton(v.t(T("district.save")), "save") && !m.busy()) out = di::Record{};
  }
  ImGui::EndChild();
  return out;
}

DistrictIntent draw_district_fleet(DistrictView& v) {
  DistrictModel& m = v.model;
  if (begin_page_table("##fleet", {v.t(T("district.fleet.kiosk")), v.t(T("district.fleet.hall")),
                                   v.t(T("district.fleet.contact")), v.t(T("district.fleet.waiting")),
                                   v.t(T("district.fleet.versions")), v.t(T("district.fleet.per_day")),
                                   v.t(T("district.fleet.error"))})) {
    for (const auto& f : m.fleet()) {
      ImGui::TableNextRow();
      if (f.silent) ImGui::TableSetBgColor(ImGuiTableBgTarget_RowBg0, color::rgb(0xFD, 0xE2, 0xE1));
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(f.kiosk.c_str());
      ImGui::TableNextColumn();
      ImGui::TextWrapped("%s", (v.lang == "zh" || f.hall_en.empty() ? f.hall_zh : f.hall_en).c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(f.last_contact ? fmt_time(*f.last_contact, kOffset).c_str()
                                            : v.t(T("district.fleet.never")).c_str());
      if (f.silent)
        ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(color::error), "%s", v.t(T("district.fleet.silent")).c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(f.reported ? std::to_string(f.waiting).c_str() : "—");
      ImGui::TableNextColumn();
      ImGui::TextWrapped("%s / %s", f.app_version.empty() ? "—" : f.app_version.c_str(),
                         f.questionnaires.empty() ? "—" : f.questionnaires.c_str());
      ImGui::TableNextColumn();
      std::string days;
      for (auto n : f.per_day) days += (days.empty() ? "" : " ") + std::to_string(n);
      ImGui::TextUnformatted(days.c_str());
      ImGui::TableNextColumn();
      if (!f.last_error.empty())
        ImGui::TextWrapped("%s %s", f.last_error_at ? fmt_time(*f.last_error_at, kOffset).c_str() : "",
                           f.last_error.c_str());
    }
    ImGui::EndTable();
  }
  return {};
}

DistrictIntent draw_district_audit(DistrictView& v) {
  DistrictModel& m = v.model;
  DistrictIntent out;
  float w = v.px(220);
  ImGui::BeginGroup();
  field(v, T("district.audit.filter_actor"), "f_actor", &m.audit_filter.actor, w);
  ImGui::EndGroup();
  ImGui::SameLine();
  ImGui::BeginGroup();
  field(v, T("district.audit.filter_action"), "f_action", &m.audit_filter.action, w);
  ImGui::EndGroup();
  ImGui::SameLine();
  ImGui::BeginGroup();
  ImGui::NewLine();
  if (cbutton(v.t(T("district.audit.apply")), "apply")) out = di::Refresh{};
  ImGui::EndGroup();
  if (ImGui::BeginTable("##audit", 5, ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY | ImGuiTableFlags_SizingStretchProp,
                        ImVec2(0, ImGui::GetContentRegionAvail().y))) {
    ImGui::TableSetupScrollFreeze(0, 1);
    ImGui::TableSetupColumn(v.t(T("console.audit.time")).c_str(), ImGuiTableColumnFlags_WidthFixed, v.px(170));
    ImGui::TableSetupColumn(v.t(T("console.audit.actor")).c_str(), 0, 1);
    ImGui::TableSetupColumn(v.t(T("console.audit.action")).c_str(), 0, 1);
    ImGui::TableSetupColumn("#", ImGuiTableColumnFlags_WidthFixed, v.px(70));
    ImGui::TableSetupColumn(v.t(T("console.audit.detail")).c_str(), 0, 4);
    ImGui::TableHeadersRow();
    for (const auto& e : m.audit()) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(fmt_time(e.at, kOffset).c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(e.actor.c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted((e.action + " " + e.subject).c_str());
      ImGui::TableNextColumn();
      ImGui::Text("%lld", static_cast<long long>(e.seq));
      ImGui::TableNextColumn();
      ImGui::TextWrapped("%s", e.detail.c_str());
    }
    ImGui::EndTable();
  }
  return out;
}

namespace {
// The question's text in the language when the check stored it, else its id.
std::string item_text(const central::AlertItem& i, const std::string& lang) {
  const std::string& t = lang == "en" && !i.en.empty() ? i.en : i.zh;
  return t.empty() ? i.item : t + " (" + i.item + ")";
}
std::string pct1(double x) {
  char b[32];
  std::snprintf(b, sizeof b, "%.1f", x);
  return b;
}
}  // namespace

// Each alert with its evidence (figure, interval, n, items worst first); the responsible
// department acknowledges it with a note. Others see no button: the engine refuses anyway.
DistrictIntent draw_district_alerts(DistrictView& v) {
  DistrictModel& m = v.model;
  DistrictIntent out;
  if (chip(v.t(T("district.alerts.show_all")), "alerts_all", m.alerts_all)) {
    m.alerts_all = !m.alerts_all;
    out = di::Refresh{};
  }
  ImGui::SameLine();
  ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(color::muted), "%s", v.t(T("district.alerts.rule")).c_str());
  bool any_mine = false;
  for (const auto& a : m.alerts()) any_mine = any_mine || (a.mine && !a.acked_at);
  if (any_mine) field(v, T("district.alerts.note"), "alert_note", &m.alert_note, v.px(640));
  ImGui::BeginChild("##alerts", ImVec2(0, 0));
  if (m.alerts().empty()) ImGui::TextWrapped("%s", v.t(T("district.alerts.none")).c_str());
  for (const auto& a : m.alerts()) {
    ImGui::PushID(static_cast<int>(a.id));
    ImGui::Separator();
    std::string scope = a.scope.empty() ? v.t(T("district.alerts.district"))
                                        : (v.lang == "zh" || a.hall_en.empty() ? a.hall_zh : a.hall_en) + " (" + a.scope + ")";
    ImGui::PushFont(v.heading);
    ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(a.acked_at ? color::muted : color::error), "#%lld  %s",
                       static_cast<long long>(a.id),
                       Strings::format(v.t(T("district.alerts.heading")),
                                       {{"no", a.indicator}, {"name", indicator_name(m.catalog(), a.indicator)}, {"scope", scope}})
                           .c_str());
    ImGui::PopFont();
    ImGui::TextWrapped("%s", Strings::format(v.t(T("district.alerts.figure")),
                                             {{"value", pct1(a.value)}, {"lo", pct1(a.lo)}, {"hi", pct1(a.hi)},
                                              {"n", std::to_string(a.n)}, {"target", pct1(a.target)},
                                              {"days", std::to_string(a.window_days)}})
                                 .c_str());
    ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(color::muted), "%s",
                       Strings::format(v.t(T("district.alerts.raised")),
                                       {{"at", fmt_time(a.raised_at, kOffset)}, {"by", a.raised_by},
                                        {"checked", fmt_time(a.checked_at, kOffset)}, {"dept", a.department}})
                           .c_str());
    if (!a.items.empty()) {
      ImGui::TextUnformatted(v.t(T("district.alerts.items")).c_str());
      ImGui::Indent(v.px(24));
      for (std::size_t i = 0; i < a.items.size() && i < 5; ++i)
        ImGui::TextWrapped("%s", Strings::format(v.t(T("district.alerts.item")),
                                                 {{"item", item_text(a.items[i], v.lang)}, {"pct", pct1(a.items[i].pct)},
                                                   {"n", std::to_string(a.items[i].n)}})
                                     .c_str());
      ImGui::Unindent(v.px(24));
    }
    if (a.acked_at) {
      ImGui::TextWrapped("%s", Strings::format(v.t(T("district.alerts.acked_by")),
                                               {{"at", fmt_time(*a.acked_at, kOffset)}, {"by", a.acked_by}, {"note", a.ack_note}})
                                   .c_str());
    } else if (a.mine) {
      std::string label = Strings::format(v.t(T("district.alerts.ack")), {{"id", std::to_string(a.id)}});
      if (cbutton(label, ("ack" + std::to_string(a.id)).c_str()) && !m.busy()) out = di::AckAlert{a.id};
    } else {
      ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(color::muted), "%s", v.t(T("district.alerts.not_yours")).c_str());
    }
    ImGui::PopID();
  }
  ImGui::EndChild();
  return out;
}

DistrictIntent draw_district(DistrictView& v) {
  DistrictModel& m = v.model;
  ImGui::SetNextWindowPos(ImVec2(0, 0));
  ImGui::SetNextWindowSize(v.size);
  ImGui::Begin("##district", nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                   ImGuiWindowFlags_NoBringToFrontOnFocus);
  ImGui::PushFont(v.font);
  ImGuiStyle& st = ImGui::GetStyle();
  ImVec2 saved_pad = st.FramePadding, saved_spacing = st.ItemSpacing;
  st.FramePadding = ImVec2(v.px(10), v.px(6));
  st.ItemSpacing = ImVec2(v.px(10), v.px(8));
  DistrictIntent out;
  if (!m.signed_in()) {
    out = draw_district_sign_in(v);
  } else {
    ImGui::PushFont(v.heading);
    ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(color::primary), "%s", v.t(T("district.title")).c_str());
    ImGui::PopFont();
    ImGui::SameLine(0, v.px(30));
    struct Tab { const char* id; const char* key; DistrictPage p; };
    static const Tab tabs[] = {{"mine", T("district.tab.mine"), DistrictPage::mine},
                               {"fleet", T("district.tab.fleet"), DistrictPage::fleet},
                               {"audit", T("district.tab.audit"), DistrictPage::audit},
                               {"alerts", T("district.tab.alerts"), DistrictPage::alerts},
                               {"results", T("district.tab.results"), DistrictPage::results},
                               {"exports", T("district.tab.exports"), DistrictPage::exports},
                               {"accounts", T("district.tab.accounts"), DistrictPage::accounts},
                               {"publish", T("district.tab.publish"), DistrictPage::publish}};
    for (const auto& tab : tabs) {
      if (tab.p == DistrictPage::fleet && !m.may_see_fleet()) continue;
      if ((tab.p == DistrictPage::results || tab.p == DistrictPage::exports) && !m.may_see_results()) continue;
      if (tab.p == DistrictPage::accounts && !m.may_manage_accounts()) continue;
      if (tab.p == DistrictPage::publish && !m.may_publish()) continue;
      std::string label = tab.p == DistrictPage::alerts
                              ? Strings::format(v.t(tab.key), {{"n", std::to_string(m.open_alerts())}})
                              : v.t(tab.key);
      if (chip(label, tab.id, m.page() == tab.p)) out = di::ShowPage{tab.p};
      ImGui::SameLine();
    }
    if (cbutton(v.t(T("district.refresh")), "refresh")) out = di::Refresh{};
    const central::Account& a = *m.account();
    std::string who = Strings::format(
        v.t(T("district.account")),
        {{"name", a.name},
         {"dept", a.department.empty() ? v.t(std::string(T("district.kind.")) + central::account_kind_name(a.kind))
                                       : a.department}});
    float sw = ImGui::CalcTextSize(v.t(T("district.sign_out")).c_str()).x + v.px(40);
    float ww = ImGui::CalcTextSize(who.c_str()).x;
    ImGui::SameLine(v.size.x - sw - ww - v.px(40));
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted(who.c_str());
    ImGui::SameLine();
    if (cbutton(v.t(T("district.sign_out")), "signout")) out = di::SignOut{};
    ImGui::Separator();
    std::string msg = m.busy() ? v.t(T("district.busy")) : v.message();
    ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(m.message_is_error() && !m.busy() ? color::error : color::primary),
                       "%s", msg.empty() ? " " : msg.c_str());
    DistrictIntent page;
    switch (m.page()) {
      case DistrictPage::sign_in: break;
      case DistrictPage::mine: page = draw_district_mine(v); break;
      case DistrictPage::fleet: page = draw_district_fleet(v); break;
      case DistrictPage::audit: page = draw_district_audit(v); break;
      case DistrictPage::alerts: page = draw_district_alerts(v); break;
      case DistrictPage::results: page = draw_district_results(v); break;
      case DistrictPage::exports: page = draw_district_exports(v); break;
      case DistrictPage::accounts: page = draw_district_accounts(v); break;
      case DistrictPage::publish: page = draw_district_publish(v); break;
    }
    if (!std::holds_alternative<std::monostate>(page)) out = std::move(page);
  }
  ImGui::PopFont();
  ImGui::End();
  st.FramePadding = saved_pad;
  st.ItemSpacing = saved_spacing;
  return out;
}

}  // namespace eco::ui
