// The district console's model (issue 17) against a real center: sign-in as a personal
// account (a wrong password in words), a department recording its own indicator and
// refused by the engine another's, tasks, the audit it reads, and an admin's fleet and
// audit filters. tests/central/central_district_console.sh makes the center and the
// accounts and sets ECOKIOSK_DISTRICT_CENTER; skipped elsewhere.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <set>

#include <nlohmann/json.hpp>

#include <imgui.h>

#include "console/district_model.hpp"
#include "core/central/central_queries.hpp"
#include "core/support/i18n.hpp"
#include "helpers.hpp"
#include "ui/common/headless.hpp"
#include "ui/console/district_view.hpp"
#include "ui/resident/frame.hpp"

using namespace eco;
namespace di = eco::district_intent;

namespace {
constexpr auto kWait = std::chrono::seconds(30);
std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}
}

TEST_CASE("district: a department signs in, records its own indicator, is refused another's, an admin sees the fleet" *
          doctest::skip(std::getenv("ECOKIOSK_DISTRICT_CENTER") == nullptr)) {
  const std::string url = std::getenv("ECOKIOSK_DISTRICT_CENTER");
  const char* dept_user = std::getenv("ECOKIOSK_DISTRICT_DEPT_USER");
  const char* admin_user = std::getenv("ECOKIOSK_DISTRICT_ADMIN_USER");
  REQUIRE(dept_user);
  REQUIRE(admin_user);
  const std::string forest = dept_user, boss = admin_user;
  DistrictModel m(test::shipped_catalog(), url);

  // Nothing typed, then a wrong password: a message, no session.
  m.apply(di::SignIn{});
  CHECK(m.message() == "district.need_login");
  m.user = forest;
  m.password = "not-the-password";
  m.apply(di::SignIn{});
  CHECK(m.password.empty());  // not kept once handed over
  REQUIRE(m.settle(kWait));
  CHECK(m.message() == "district.wrong_login");
  CHECK(m.message_is_error());
  CHECK_FALSE(m.signed_in());
  // Signed out, intents other than sign-in do nothing.
  m.apply(di::ShowPage{DistrictPage::audit});
  CHECK(m.page() == DistrictPage::sign_in);

  m.password = "forest-pass-1234";
  m.apply(di::SignIn{});
  REQUIRE(m.settle(kWait));
  REQUIRE(m.signed_in());
  CHECK(m.message() == "district.signed_in|" + forest);
  CHECK(m.account()->department == "区林业局");
  CHECK(m.page() == DistrictPage::mine);
  // Its indicators (14.1, 14.2 and their parent) and tasks, none of another department's.
  CHECK(m.leads("14.1"));
  CHECK(m.leads("14.2"));
  CHECK_FALSE(m.leads("1"));
  std::set<std::string> tasks;
  for (const auto& [t, responsible] : m.my_tasks()) tasks.insert(t + (responsible ? "+" : "~"));
  CHECK(tasks.count("13.2+") == 1);
  CHECK(tasks.count("3.1~") == 1);
  CHECK(tasks.count("1.1+") == 0);
  // The fleet is not a department's page.
  CHECK_FALSE(m.may_see_fleet());
  m.apply(di::ShowPage{DistrictPage::fleet});
  CHECK(m.page() == DistrictPage::mine);

  // Its own indicator (13, forest cover, a typed value): checked here, stamped at the
  // center with the login.
  CHECK(m.leads("13"));
  m.apply(di::OpenIndicator{"13"});
  m.form.value = "sixty";
  m.apply(di::Record{});
  CHECK(m.message() == "district.not_a_number|sixty");
  CHECK_FALSE(m.busy());
  m.form.value = "63.5";
  m.form.as_of = "2019-06-30";
  m.form.source = "林业统计年报";
  m.form.evidence = "表 3";
  m.apply(di::Record{});
  REQUIRE(m.settle(kWait));
  CHECK(m.message() == "district.recorded|13");
  REQUIRE(m.latest("13"));
  CHECK(m.latest("13")->recorded_by == forest);
  CHECK(*m.latest("13")->value == doctest::Approx(63.5));
  // A state its rule does not list is refused here, before the center.
  m.apply(di::OpenIndicator{"14.1"});
  m.form.state = "很好";
  m.form.as_of = "2019-06-30";
  m.apply(di::Record{});
  CHECK(m.message_key() == "district.record_invalid");
  CHECK_FALSE(m.busy());

  // Another department's, forced past the UI: the engine refuses, nothing is saved.
  m.apply(di::OpenIndicator{"1"});
  m.form.state = "实施";
  m.form.source = "s";
  m.form.evidence = "e";
  m.apply(di::Record{});
  REQUIRE(m.settle(kWait));
  CHECK(m.message_key() == "district.refused");
  CHECK(m.message_arg().find("row-level security") != std::string::npos);
  CHECK(m.latest("1") == nullptr);

  // Tasks: its own yes, another's refused.
  m.task_note = "外业完成";
  m.apply(di::SetTask{"13.2", TaskStatus::done});
  REQUIRE(m.settle(kWait));
  CHECK(m.message() == "district.task_saved|13.2");
  REQUIRE(m.task_update("13.2"));
  CHECK(m.task_update("13.2")->note == "外业完成");
  CHECK(m.task_update("13.2")->recorded_by == forest);
  m.apply(di::SetTask{"1.1", TaskStatus::done});
  REQUIRE(m.settle(kWait));
  CHECK(m.message_key() == "district.refused");
  CHECK(m.task_update("1.1") == nullptr);

  // The audit page: its own rows, written by the engine (sign-in, the record, the task).
  m.apply(di::ShowPage{DistrictPage::audit});
  REQUIRE(m.settle(kWait));
  std::set<std::string> actions, actors;
  for (const auto& e : m.audit()) {
    actions.insert(e.action);
    actors.insert(e.actor);
  }
  CHECK(actors == std::set<std::string>{forest});
  CHECK(actions == std::set<std::string>{"sign_in", "record", "task"});

  m.apply(di::SignOut{});
  CHECK_FALSE(m.signed_in());
  CHECK(m.page() == DistrictPage::sign_in);
  REQUIRE(m.settle(kWait));

  // An admin: the fleet first, the whole audit, and its filters.
  m.user = boss;
  m.password = "admin-pass-12345";
  m.apply(di::SignIn{});
  REQUIRE(m.settle(kWait));
  REQUIRE(m.signed_in());
  CHECK(m.page() == DistrictPage::fleet);
  REQUIRE(m.fleet().size() == 2);
  CHECK(m.fleet()[0].kiosk == "hall-a");
  CHECK_FALSE(m.fleet()[0].silent);
  CHECK(m.fleet()[0].total == 12);
  CHECK(m.fleet()[1].silent);
  CHECK(m.my_indicators().empty());
  m.apply(di::ShowPage{DistrictPage::audit});
  REQUIRE(m.settle(kWait));
  actors.clear();
  for (const auto& e : m.audit()) actors.insert(e.actor);
  CHECK(actors.count(forest) == 1);
  CHECK(actors.count(boss) == 1);
  m.audit_filter.actor = forest;
  m.audit_filter.action = "record";
  m.apply(di::Refresh{});
  REQUIRE(m.settle(kWait));
  REQUIRE(m.audit().size() == 1);
  CHECK(m.audit()[0].subject == "13");
  // Sign-out is audited too.
  m.apply(di::SignOut{});
  REQUIRE(m.settle(kWait));
}

// The same, as a person uses the window: taps at drawn positions on the district
// screens (headless ImGui at 1366×768, zh), the model's worker against the real center.
namespace {
struct DistrictUi {
  ImVec2 size{1366, 768};
  Strings strings;
  eco::ui::Headless headless;
  DistrictModel m;
  DistrictUi(const std::string& url, const std::string& glyphs)
      : headless(size, eco::ui::scale_for(size), "", glyphs), m(test::shipped_catalog(), url) {
    std::vector<std::string> errors;
    strings.load_dir(test::source_dir() + "/assets/i18n", errors);
    REQUIRE(errors.empty());
  }
  void frame(ImVec2 mouse, bool down) {
    headless.begin_frame(mouse, down);
    eco::ui::DistrictView v{strings, m, headless.fonts.console, headless.fonts.console_heading,
                            eco::ui::scale_for(size), size, "zh"};
    DistrictIntent in = eco::ui::draw_district(v);
    ImGui::Render();
    m.apply(in);
    m.tick();
  }
  bool tap(const std::string& label) {
    return headless.tap(label, 0, [this](ImVec2 mouse, bool down) { frame(mouse, down); }).has_value();
  }
  bool drawn(const std::string& label) {
    frame(ImVec2(-1, -1), false);
    for (const auto& h : headless.hits)
      if (h.label == label) return true;
    return false;
  }
  std::string zh(const char* key) { return strings.get("zh", key); }
  void settle() {
    REQUIRE(m.settle(kWait));
    frame(ImVec2(-1, -1), false);
  }
};

std::string district_glyphs() {
  Strings s;
  std::vector<std::string> errors;
  s.load_dir(test::source_dir() + "/assets/i18n", errors);
  std::string text;
  for (const auto& k : s.keys("zh")) text += s.get("zh", k);
  for (const auto& i : test::shipped_catalog().indicators) {
    text += i.name + i.target;
    for (const auto& sub : i.sub) text += sub.name + sub.target;
    for (const auto& t : i.tasks) text += t.key_task;
  }
  return text;
}
}  // namespace

TEST_CASE("district: the screens by taps: sign-in refused then accepted, recording the department's indicator, "
          "no form and no fleet tab for what the account may not do" *
          doctest::skip(std::getenv("ECOKIOSK_DISTRICT_CENTER") == nullptr)) {
  const char* dept_user = std::getenv("ECOKIOSK_DISTRICT_DEPT_USER");
  const char* admin_user = std::getenv("ECOKIOSK_DISTRICT_ADMIN_USER");
  REQUIRE(dept_user);
  REQUIRE(admin_user);
  DistrictUi ui(std::getenv("ECOKIOSK_DISTRICT_CENTER"), district_glyphs());
  REQUIRE(ui.headless.fonts_found);

  // The sign-in page: the fields and the button are drawn; a wrong password is said in
  // words. (The name is set before the first frame, as if typed: the name field has the
  // keyboard focus from the start, and ImGui keeps an active field's own text.)
  ui.m.user = dept_user;
  REQUIRE(ui.drawn(ui.zh("district.user")));
  REQUIRE(ui.drawn(ui.zh("district.password")));
  ui.m.password = "wrong-password";
  REQUIRE(ui.tap(ui.zh("district.sign_in")));
  ui.settle();
  CHECK(ui.m.message() == "district.wrong_login");
  CHECK_FALSE(ui.m.signed_in());
  ui.m.password = "forest-pass-1234";
  REQUIRE(ui.tap(ui.zh("district.sign_in")));
  ui.settle();
  REQUIRE(ui.m.signed_in());
  // A department: its page and the audit, no fleet tab.
  CHECK(ui.drawn(ui.zh("district.tab.mine")));
  CHECK(ui.drawn(ui.zh("district.tab.audit")));
  CHECK_FALSE(ui.drawn(ui.zh("district.tab.fleet")));
  // Its indicator 14.2, opened by a tap; the form appears, a value is saved.
  const IndicatorDef* d142 = test::shipped_catalog().find("14.2");
  REQUIRE(d142);
  REQUIRE(ui.tap("14.2  " + d142->name));
  CHECK(ui.m.open_indicator() == "14.2");
  REQUIRE(ui.drawn(ui.zh("district.save")));
  REQUIRE(ui.tap("不明显"));  // the state chip of its rule
  CHECK(ui.m.form.state == "不明显");
  ui.m.form.source = "林业局年报";
  ui.m.form.evidence = "第 4 页";
  REQUIRE(ui.tap(ui.zh("district.save")));
  ui.settle();
  CHECK(ui.m.message() == "district.recorded|14.2");
  REQUIRE(ui.m.latest("14.2"));
  CHECK(ui.m.latest("14.2")->recorded_by == dept_user);
  CHECK(ui.m.latest("14.2")->state == "不明显");
  // Another department's indicator is not listed, and opened anyway it has no form.
  const IndicatorDef* d1 = test::shipped_catalog().find("1");
  REQUIRE(d1);
  CHECK_FALSE(ui.drawn("1  " + d1->name));
  ui.m.apply(district_intent::OpenIndicator{"1"});
  CHECK_FALSE(ui.drawn(ui.zh("district.save")));
  // A task's status by a tap on its chip.
  REQUIRE(ui.tap(ui.zh("console.task.in_progress")));
  ui.settle();
  CHECK(ui.m.message_key() == "district.task_saved");
  // The audit tab, then sign out.
  REQUIRE(ui.tap(ui.zh("district.tab.audit")));
  ui.settle();
  CHECK(ui.m.page() == DistrictPage::audit);
  CHECK_FALSE(ui.m.audit().empty());
  REQUIRE(ui.tap(ui.zh("district.sign_out")));
  ui.settle();
  CHECK_FALSE(ui.m.signed_in());

  // An admin: the fleet tab is there and opens the fleet.
  ui.m.user = admin_user;
  ui.m.password = "admin-pass-12345";
  REQUIRE(ui.tap(ui.zh("district.sign_in")));
  ui.settle();
  REQUIRE(ui.m.signed_in());
  CHECK(ui.m.page() == DistrictPage::fleet);
  REQUIRE(ui.tap(ui.zh("district.tab.audit")));
  ui.settle();
  REQUIRE(ui.tap(ui.zh("district.tab.fleet")));
  ui.settle();
  CHECK(ui.m.page() == DistrictPage::fleet);
  CHECK(ui.m.fleet().size() == 2);
  REQUIRE(ui.tap(ui.zh("district.sign_out")));
  ui.settle();
}

TEST_CASE("district alerts: the responsible department sees its alert with the evidence and acknowledges it by taps "
          "with a note; another department sees none" *
          doctest::skip(std::getenv("ECOKIOSK_ALERTS_CENTER") == nullptr)) {
  // tests/central/central_alerts.sh: one open alert of 35 (transport's) at hall kb.
  const char* mine = std::getenv("ECOKIOSK_ALERTS_USER");
  const char* other = std::getenv("ECOKIOSK_ALERTS_OTHER");
  const char* pw = std::getenv("ECOKIOSK_ALERTS_PASSWORD");
  REQUIRE(mine);
  REQUIRE(other);
  REQUIRE(pw);
  DistrictUi ui(std::getenv("ECOKIOSK_ALERTS_CENTER"), district_glyphs());
  REQUIRE(ui.headless.fonts_found);
  ui.m.user = other;
  REQUIRE(ui.drawn(ui.zh("district.user")));
  ui.m.password = pw;
  REQUIRE(ui.tap(ui.zh("district.sign_in")));
  ui.settle();
  REQUIRE(ui.m.signed_in());
  std::string none_open = Strings::format(ui.zh("district.tab.alerts"), {{"n", "0"}});
  REQUIRE(ui.tap(none_open));
  ui.settle();
  CHECK(ui.m.page() == DistrictPage::alerts);
  CHECK(ui.m.alerts().empty());
  REQUIRE(ui.tap(ui.zh("district.sign_out")));
  ui.settle();

  ui.m.user = mine;
  ui.m.password = pw;
  REQUIRE(ui.tap(ui.zh("district.sign_in")));
  ui.settle();
  REQUIRE(ui.m.signed_in());
  CHECK(ui.m.open_alerts() == 1);
  REQUIRE(ui.tap(Strings::format(ui.zh("district.tab.alerts"), {{"n", "1"}})));
  ui.settle();
  REQUIRE(ui.m.alerts().size() == 1);
  const central::Alert a = ui.m.alerts().front();
  CHECK(a.indicator == "35");
  CHECK(a.scope == "kb");
  CHECK(a.department == "区交通局");
  CHECK(a.mine);
  CHECK(a.n == 120);
  CHECK(a.hi < a.target);
  std::string ack = Strings::format(ui.zh("district.alerts.ack"), {{"id", std::to_string(a.id)}});
  REQUIRE(ui.drawn(ui.zh("district.alerts.note")));
  // Without a note: said, nothing sent.
  REQUIRE(ui.tap(ack));
  CHECK(ui.m.message() == "district.alerts.need_note");
  CHECK_FALSE(ui.m.busy());
  ui.m.alert_note = "增开公交接驳线";
  REQUIRE(ui.tap(ack));
  ui.settle();
  CHECK(ui.m.message() == "district.alerts.acked|" + std::to_string(a.id));
  CHECK(ui.m.alerts().empty());  // open ones only
  CHECK(ui.m.open_alerts() == 0);
  CHECK_FALSE(ui.drawn(ack));
  // Acknowledged ones too: the note and the login are there.
  REQUIRE(ui.tap(ui.zh("district.alerts.show_all")));
  ui.settle();
  REQUIRE(ui.m.alerts().size() == 1);
  CHECK(ui.m.alerts().front().acked_by == mine);
  CHECK(ui.m.alerts().front().ack_note == "增开公交接驳线");
  REQUIRE(ui.tap(ui.zh("district.sign_out")));
  ui.settle();
}

TEST_CASE("district pages by taps: the propaganda department's results are `indicators`' figures, its export is "
          "written and audited, the alerts refresh checks; an admin adds, disables and enables an account and sees "
          "the server's reason for a refused one" *
          doctest::skip(std::getenv("ECOKIOSK_PAGES_CENTER") == nullptr)) {
  // tests/central/central_console_screens.sh makes the center, the accounts and the
  // indicators JSON of `--central URL indicators` to compare with.
  const char* prop = std::getenv("ECOKIOSK_PAGES_PROP");
  const char* admin = std::getenv("ECOKIOSK_PAGES_ADMIN");
  const char* pw = std::getenv("ECOKIOSK_PAGES_PASSWORD");
  const char* ind = std::getenv("ECOKIOSK_PAGES_INDICATORS");
  const char* dir = std::getenv("ECOKIOSK_PAGES_OUT");
  REQUIRE(prop);
  REQUIRE(admin);
  REQUIRE(pw);
  REQUIRE(ind);
  REQUIRE(dir);
  DistrictUi ui(std::getenv("ECOKIOSK_PAGES_CENTER"), district_glyphs());
  REQUIRE(ui.headless.fonts_found);
  DistrictAnalysis an;
  an.data_dir = test::source_dir();
  an.open = [](const std::string& url, const std::string& user, const std::string& password) {
    return std::unique_ptr<ResponseQueries>(std::make_unique<central::CentralQueries>(
        url, std::vector<std::pair<std::string, std::string>>{{"user", user}, {"password", password}}));
  };
  ui.m.set_analysis(an);
  ui.m.user = prop;
  REQUIRE(ui.drawn(ui.zh("district.user")));
  ui.m.password = pw;
  REQUIRE(ui.tap(ui.zh("district.sign_in")));
  ui.settle();
  REQUIRE(ui.m.signed_in());
  CHECK(ui.m.may_see_results());
  CHECK_FALSE(ui.drawn(ui.zh("district.tab.accounts")));

  // Results: the same n, value and interval as the command line, and the hall rows.
  REQUIRE(ui.tap(ui.zh("district.tab.results")));
  ui.settle();
  REQUIRE(ui.m.results());
  nlohmann::json cli = nlohmann::json::parse(slurp(ind));
  REQUIRE(cli["indicators"].size() == ui.m.results()->indicators.size());
  for (std::size_t i = 0; i < ui.m.results()->indicators.size(); ++i) {
    const IndicatorResult& r = ui.m.results()->indicators[i];
    const auto& j = cli["indicators"][i];
    CHECK(j["no"] == r.no);
    CHECK(j["n"] == r.est.n);
    REQUIRE(r.est.value);
    CHECK(std::round(*r.est.value * 10) / 10 == doctest::Approx(j["value"].get<double>()));
    CHECK(std::round(r.est.ci->hi * 10) / 10 == doctest::Approx(j["ci"][1].get<double>()));
    bool hall = false;
    for (const auto& b : r.breakdowns)
      if (b.by == "kiosk") hall = !b.cells.empty() && b.cells.front().code == "hall-a";
    CHECK(hall);
  }
  CHECK(ui.m.halls().count("hall-a") == 1);

  // Export by taps: CSV to a chosen file; then to a path under a file.
  REQUIRE(ui.tap(ui.zh("district.tab.exports")));
  ui.settle();
  REQUIRE(ui.tap(ui.zh("district.export.fmt.csv")));
  CHECK(ui.m.export_form.format == "csv");
  ui.m.export_form.out = std::string(dir) + "/console.csv";
  REQUIRE(ui.tap(ui.zh("district.export.start")));
  CHECK(ui.m.exporting());
  ui.settle();
  CHECK_FALSE(ui.m.exporting());
  CHECK(ui.m.message_key() == "district.export.done");
  REQUIRE_FALSE(ui.m.export_files().empty());
  CHECK(ui.m.export_rows() > 0);
  for (const auto& f : ui.m.export_files()) CHECK(slurp(f).size() > 100);
  ui.m.export_form.out = ui.m.export_files().front() + "/x.csv";  // under a file: cannot be written
  REQUIRE(ui.tap(ui.zh("district.export.start")));
  ui.settle();
  CHECK(ui.m.message_key() == "district.export.failed");
  CHECK(ui.m.message_is_error());

  // Alerts: a refresh checks the window, as `alerts check` does.
  REQUIRE(ui.tap(Strings::format(ui.zh("district.tab.alerts"), {{"n", std::to_string(ui.m.open_alerts())}})));
  ui.settle();
  REQUIRE(ui.tap(ui.zh("district.refresh")));
  ui.settle();
  CHECK(ui.m.message_key() == "district.alerts.checked");
  // Publishing is the admins' (the engine grants it to them only): no tab, and the page
  // asked for anyway stays closed.
  CHECK_FALSE(ui.m.may_publish());
  CHECK_FALSE(ui.drawn(ui.zh("district.tab.publish")));
  ui.m.apply(district_intent::ShowPage{DistrictPage::publish});
  CHECK(ui.m.page() != DistrictPage::publish);
  REQUIRE(ui.tap(ui.zh("district.sign_out")));
  ui.settle();

  // An admin: no survey pages, the accounts page.
  ui.m.user = admin;
  ui.m.password = pw;
  REQUIRE(ui.tap(ui.zh("district.sign_in")));
  ui.settle();
  REQUIRE(ui.m.signed_in());
  CHECK_FALSE(ui.m.may_see_results());
  CHECK_FALSE(ui.drawn(ui.zh("district.tab.results")));
  REQUIRE(ui.tap(ui.zh("district.tab.accounts")));
  ui.settle();
  CHECK(ui.m.page() == DistrictPage::accounts);
  CHECK(ui.m.accounts().size() >= 2);
  CHECK(std::count(ui.m.departments().begin(), ui.m.departments().end(), "区交通局") == 1);
  std::string name = std::string("new.") + std::to_string(std::rand() % 100000) + "." + prop;
  name = name.substr(0, 40);
  ui.m.account_form.name = name;
  ui.m.account_form.password = "short";
  REQUIRE(ui.tap(ui.zh("district.accounts.add")));
  CHECK(ui.m.message_key() == "district.accounts.need_department");
  ui.m.account_form.department = "区交通局";
  REQUIRE(ui.tap(ui.zh("district.accounts.add")));
  CHECK(ui.m.message_key() == "district.accounts.bad_password");
  CHECK(ui.m.account_form.password.empty());
  // A name the center refuses: its own words.
  ui.m.account_form.name = "Bad Name";
  ui.m.account_form.password = "long-enough-pass";
  REQUIRE(ui.tap(ui.zh("district.accounts.add")));
  ui.settle();
  CHECK(ui.m.message_key() == "district.accounts.refused");
  CHECK(ui.m.message_arg().find("an account name is 2 to 48") != std::string::npos);
  ui.m.account_form.name = name;
  ui.m.account_form.password = "long-enough-pass";
  REQUIRE(ui.tap(ui.zh("district.kind.department")));
  REQUIRE(ui.tap(ui.zh("district.accounts.add")));
  ui.settle();
  CHECK(ui.m.message() == "district.accounts.added|" + name);
  auto find = [&]() -> const central::AccountRow* {
    for (const auto& a : ui.m.accounts())
      if (a.name == name) return &a;
    return nullptr;
  };
  REQUIRE(find());
  CHECK(find()->department == "区交通局");
  CHECK_FALSE(find()->disabled);
  REQUIRE(ui.tap(Strings::format(ui.zh("district.accounts.disable"), {{"name", name}})));
  ui.settle();
  REQUIRE(find());
  CHECK(find()->disabled);
  REQUIRE(ui.tap(Strings::format(ui.zh("district.accounts.enable"), {{"name", name}})));
  ui.settle();
  CHECK_FALSE(find()->disabled);
  // One's own account has no disable button.
  CHECK_FALSE(ui.drawn(Strings::format(ui.zh("district.accounts.disable"), {{"name", admin}})));

  // The publish page: no file, a file the kiosk's loader refuses (nothing reaches the
  // center), a shipped questionnaire published, withdrawn by its row's button, and the
  // same content published again (reinstated), each as the center lists it.
  REQUIRE(ui.tap(ui.zh("district.tab.publish")));
  ui.settle();
  REQUIRE(ui.m.page() == DistrictPage::publish);
  CHECK(ui.m.published().empty());
  REQUIRE(ui.tap(ui.zh("district.publish.do")));
  CHECK(ui.m.message_key() == "district.publish.need_file");
  const std::string bad = std::string(dir) + "/cut-short.json";
  { std::ofstream(bad) << R"({"id": "satisfaction", "version": )"; }
  ui.m.publish_path = bad;
  REQUIRE(ui.tap(ui.zh("district.publish.do")));
  ui.settle();
  CHECK(ui.m.message_key() == "district.publish.refused");
  CHECK(ui.m.message_is_error());
  CHECK(ui.m.published().empty());
  const std::string good = test::source_dir() + "/questionnaires/satisfaction.json";
  const std::string which = "satisfaction " + std::to_string(test::shipped().find("satisfaction")->version);
  ui.m.publish_path = good;
  REQUIRE(ui.tap(ui.zh("district.publish.do")));
  ui.settle();
  CHECK(ui.m.message() == "district.publish.published|" + which);
  REQUIRE(ui.m.published().size() == 1);
  CHECK(ui.m.published()[0].published_by == admin);
  CHECK(ui.m.published()[0].withdrawn_at == 0);
  const std::string withdraw = Strings::format(
      ui.zh("district.publish.withdraw"),
      {{"id", "satisfaction"}, {"version", std::to_string(ui.m.published()[0].version)}});
  REQUIRE(ui.tap(withdraw));
  ui.settle();
  CHECK(ui.m.message() == "district.publish.withdrawn|" + which);
  REQUIRE(ui.m.published().size() == 1);
  CHECK(ui.m.published()[0].withdrawn_at != 0);
  CHECK(ui.m.published()[0].withdrawn_by == admin);
  CHECK_FALSE(ui.drawn(withdraw));
  ui.m.publish_path = good;
  REQUIRE(ui.tap(ui.zh("district.publish.do")));
  ui.settle();
  CHECK(ui.m.message() == "district.publish.reinstated|" + which);
  REQUIRE(ui.m.published().size() == 1);
  CHECK(ui.m.published()[0].withdrawn_at == 0);
  REQUIRE(ui.tap(ui.zh("district.sign_out")));
  ui.settle();
  std::printf("district pages: new account %s\n", name.c_str());
}
