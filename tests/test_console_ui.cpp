// The admin console driven headless by taps on labelled items: first PIN, sign-in,
// filters, recording values, tasks, survey results, lockout and idle return.
#include <doctest/doctest.h>

#include <imgui.h>
#include <imgui_internal.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "core/storage/store_access.hpp"
#include "console/console_model.hpp"
#include "core/support/read_file.hpp"
#include "core/support/time.hpp"
#include "core/catalog/catalog.hpp"
#include "core/storage/demo_data.hpp"
#include "core/output/export.hpp"
#include "helpers.hpp"
#include "ui/console/console_view.hpp"
#include "ui/resident/frame.hpp"
#include "ui/common/headless.hpp"
#include "ui/common/theme.hpp"
#include "ui/resident/view.hpp"

using namespace eco;
using namespace eco::ui;

namespace {

const Catalog& catalog() { return test::shipped_catalog(); }

std::string zh_glyphs() {
  Strings s;
  std::vector<std::string> errors;
  s.load_dir(test::source_dir() + "/assets/i18n", errors);
  std::string text;
  for (const auto& k : s.keys("zh")) text += s.get("zh", k);
  return text;
}
std::string catalog_glyphs() {
  std::string cat;
  for (const auto& i : catalog().indicators) {
    cat += i.name + i.target;
    for (const auto& l : i.lead) cat += l;
    for (const auto& st : i.rule.states) cat += st;
  }
  return cat;
}

struct ConsoleUi {
  Config cfg;
  TimeMs now = 1'561'000'000'000;
  test::TempDir dir;
  std::string db = dir.file("console.db");
  Store store{db};
  Strings strings;
  ImVec2 size{1920, 1080};
  Headless headless{size, 1.f, zh_glyphs(), catalog_glyphs()};
  Fonts& fonts = headless.fonts;
  std::vector<HitItem>& hits = headless.hits;
  ConsoleModel m{catalog(), store, db, test::shipped(), cfg, dir.file("config.json"), [this] { return now; }};

  explicit ConsoleUi(Config c = {}, ImVec2 sz = {1920, 1080}) : cfg(std::move(c)), size(sz) {
    std::vector<std::string> errors;
    strings.load_dir(test::source_dir() + "/assets/i18n", errors);
    REQUIRE(headless.fonts_found);
    m.open();
  }
  void frame(ImVec2 mouse, bool down) {
    headless.begin_frame(mouse, down);
    ConsoleView v{strings, m, fonts.console, fonts.console_heading, 1.f, size, "zh", ""};
    ConsoleIntent in = draw_console(v);
    ImGui::Render();
    m.apply(in);
    m.tick();
  }
  // One frame, returning every text it drew: ImGui's own log of rendered text, to a
  // file, since the End() of the console's window ends the log and empties its buffer.
  // (An item scrolled out of view draws nothing, so nothing of it is in the log.)
  std::string frame_text() {
    const std::string log = dir.file("frame.txt");
    std::filesystem::remove(log);
    headless.begin_frame(ImVec2(-1, -1), false);
    ImGui::LogToFile(-1, log.c_str());
    ConsoleView v{strings, m, fonts.console, fonts.console_heading, 1.f, size, "zh", ""};
    ConsoleIntent in = draw_console(v);
    ImGui::LogFinish();
    ImGui::Render();
    m.apply(in);
    m.tick();
    return eco::read_file(log).value_or("");
  }
  bool tap(const std::string& label) {
    return headless.tap(label, 0, [this](ImVec2 mouse, bool down) { frame(mouse, down); }).has_value();
  }
  std::string zh(const std::string& key) { return strings.get("zh", key); }
  void enter_pin(const std::string& pin) {
    for (char c : pin) REQUIRE(tap(std::string(1, c)));
    REQUIRE(tap(zh("console.pin_ok")));
  }
  // What `ecokiosk set-pin` and `ecokiosk setup-code` do: through the same anchor file.
  AdminStore staff() {
    AdminStore a(store, catalog(), [this] { return now; });
    a.use_anchor(anchor_path_for(dir.file("config.json"), db));
    return a;
  }
  void staff_set_pin(const std::string& pin) { REQUIRE(staff().set_pin(pin, "set-pin (command line)") == ""); }
  std::string staff_setup_code() {
    std::string code;
    REQUIRE(staff().issue_setup_code(code) == "");
    return code;
  }
  // Staff sign in (a PIN set from the command line) and open the settings page.
  void open_settings() {
    staff_set_pin("246810");
    m.open();
    enter_pin("246810");
    wait_for_survey();  // its result redraws the page: a tap on a moved layout is dropped
    REQUIRE(tap(zh("console.tab.settings")));
  }
  // The worker posts its result to the model's run queue: wait for that, then take it
  // on this (the UI) thread. The limit only stops a hung worker from hanging the suite.
  void wait_for_survey() {
    for (int i = 0; i < 100 && m.computing(); ++i) {
      REQUIRE(m.wait_for_worker(std::chrono::seconds(60)));
      m.tick();
    }
    REQUIRE_FALSE(m.computing());
  }
};

}  // namespace

TEST_CASE("console: first PIN, sign-in, filters, records, tasks and survey results by taps") {
  ConsoleUi ui;
  DemoOptions d;
  d.responses = 400;
  d.end = ui.now;
  fill_demo_data(ui.store, test::shipped(), d);

  // No default PIN, and (changed by issue 13) no setup for whoever finds the gesture
  // first: without `ecokiosk set-pin` or a one-time setup code the pad opens nothing.
  CHECK_FALSE(ui.m.setting_first_pin());
  CHECK(ui.m.message() == "console.pin_none");
  ui.enter_pin("482915");
  CHECK_FALSE(ui.m.signed_in());
  CHECK_FALSE(ui.m.setting_first_pin());
  CHECK(ui.m.message() == "console.pin_none");
  // Staff print a one-time setup code on the kiosk's computer; the pad asks for it.
  std::string code = ui.staff_setup_code();
  ui.m.open();
  CHECK(ui.m.entering_setup_code());
  std::string wrong = code;
  wrong[0] = wrong[0] == '9' ? '0' : static_cast<char>(wrong[0] + 1);
  ui.enter_pin(wrong);
  CHECK(ui.m.message() == "console.setup_code_wrong|4");
  CHECK_FALSE(ui.m.setting_first_pin());
  ui.enter_pin(code);
  // The first entry then chooses the PIN, entered twice.
  CHECK(ui.m.setting_first_pin());
  ui.enter_pin("123");
  CHECK(ui.m.message() == "console.pin_rule");
  ui.enter_pin("482915");
  CHECK(ui.m.message() == "console.pin_confirm");
  ui.enter_pin("482915");
  REQUIRE(ui.m.signed_in());
  CHECK(ui.m.page() == ConsolePage::overview);
  ui.wait_for_survey();
  REQUIRE(ui.m.report());

  // Overview filters.
  ui.frame(ImVec2(-1, -1), false);
  CHECK(ui.m.visible_rows().size() == 40);
  REQUIRE(ui.tap("生态空间"));
  CHECK(ui.m.visible_rows().size() == 4);  // 18-21
  REQUIRE(ui.tap("★ " + ui.zh("console.hardest")));
  CHECK(ui.m.visible_rows().empty());      // none of 22, 23, 29 is in 生态空间
  REQUIRE(ui.tap(ui.zh("console.all")));
  CHECK(ui.m.visible_rows().size() == 3);  // ★ 22, 23, 29
  REQUIRE(ui.tap("★ " + ui.zh("console.hardest")));
  REQUIRE(ui.tap(ui.zh("console.status.to_judge")));
  for (const auto* r : ui.m.visible_rows()) CHECK(r->status == Status::to_judge);
  REQUIRE(ui.tap(ui.zh("console.all_status")));
  ui.m.search = "森林";
  CHECK(ui.m.visible_rows().size() == 1);
  ui.m.search.clear();

  // A numeric rule: 2 (≥20).
  REQUIRE(ui.tap("row:2"));
  REQUIRE(ui.m.page() == ConsolePage::detail);
  ui.m.user_name = "张三";
  ui.m.form.as_of = "2019-06-30";
  ui.m.form.value = "18.5";
  ui.m.form.source = "区委考核办";
  REQUIRE(ui.tap(ui.zh("console.record")));
  CHECK(ui.m.message() == "console.record_saved");
  CHECK(ui.m.selected()->status == Status::not_met);
  ui.m.form.value = "21";
  ui.m.form.as_of = "2019-09-30";
  REQUIRE(ui.tap(ui.zh("console.record")));
  CHECK(ui.m.selected()->status == Status::met);
  CHECK(ui.m.selected_history().size() == 2);
  ui.m.form.value = "abc";
  REQUIRE(ui.tap(ui.zh("console.record")));
  INFO(ui.m.message() << " value=" << ui.m.form.value);
  CHECK(ui.m.message_is_error());
  CHECK(ui.m.selected_history().size() == 2);

  // A state rule: 17 (不发生), chosen by tapping the state chip.
  REQUIRE(ui.tap(ui.zh("console.tab.overview")));
  ui.m.search = "突发环境事件";  // the table scrolls: staff search rather than scroll
  REQUIRE(ui.tap("row:17"));
  ui.m.form.as_of = "2019-06-30";
  REQUIRE(ui.tap("不发生"));
  REQUIRE(ui.tap(ui.zh("console.record")));
  CHECK(ui.m.selected()->status == Status::met);

  // A judged rule: 22 needs a verdict and evidence.
  REQUIRE(ui.tap(ui.zh("console.tab.overview")));
  ui.m.search = "能耗";
  REQUIRE(ui.tap("row:22"));
  CHECK(ui.m.selected()->status == Status::to_judge);
  ui.m.form.as_of = "2019-06-30";
  REQUIRE(ui.tap(ui.zh("console.judged_met")));
  REQUIRE(ui.tap(ui.zh("console.record")));
  CHECK(ui.m.message_is_error());  // no evidence yet
  ui.m.form.evidence = "市发展改革委考核通报:全市第3名";
  REQUIRE(ui.tap(ui.zh("console.record")));
  CHECK(ui.m.selected()->status == Status::met);

  // A task: 22.1 marked done (the first "done" chip on 22's page).
  REQUIRE(ui.tap(ui.zh("console.task.done")));
  CHECK(ui.m.task_status("22.1") == TaskStatus::done);

  // The survey indicators cannot be typed over; their page shows results.
  REQUIRE(ui.tap(ui.zh("console.tab.survey")));
  REQUIRE(ui.tap(ui.zh("console.q.satisfaction")));
  CHECK(ui.m.survey_selected == "satisfaction");
  const SurveyResults* res = ui.m.results();
  REQUIRE(res);
  std::int64_t completed = 0;
  for (const auto& q : res->questionnaires) completed += q.completed;
  CHECK(completed == 400);
  const IndicatorReport* rep = ui.m.report();
  int with_data = 0;
  for (const auto& i : rep->indicators) with_data += i.est.value.has_value();
  CHECK(with_data == 3);
  REQUIRE(ui.tap(ui.zh("console.refresh")));
  ui.wait_for_survey();

  // Every action is in the audit log, and the chain holds.
  REQUIRE(ui.tap(ui.zh("console.tab.audit")));
  CHECK(ui.m.audit_intact());
  CHECK(ui.m.audit_entries().size() >= 7);  // set PIN, sign-in, 4 records, task
  REQUIRE(ui.tap(ui.zh("console.sign_out")));
  CHECK(ui.m.take_exit());
}

TEST_CASE("console: a kiosk that reports to the center records no indicator value or task update of its own") {
  Config c;
  c.central_url = "postgresql://center.example/ecokiosk?sslmode=verify-full";
  ConsoleUi ui(c);
  // A record typed before the kiosk was joined to the center stays readable.
  IndicatorRecord before;
  before.indicator = "2";
  before.as_of = "2019-03-31";
  before.value = 17;
  before.source = "区委考核办";
  before.recorded_by = "李四";
  REQUIRE(ui.staff().record(before) == "");
  ui.staff_set_pin("246810");
  ui.m.open();
  ui.enter_pin("246810");
  REQUIRE(ui.m.signed_in());
  ui.wait_for_survey();
  ui.frame(ImVec2(-1, -1), false);
  REQUIRE(ui.tap("row:2"));
  REQUIRE(ui.m.page() == ConsolePage::detail);
  CHECK(ui.m.selected_history().size() == 1);
  // Neither the form's button nor a task's chips are drawn (a notice says where to record).
  ui.m.form.value = "21";
  ui.m.form.as_of = "2019-09-30";
  ui.m.user_name = "张三";
  CHECK_FALSE(ui.tap(ui.zh("console.record")));
  CHECK_FALSE(ui.tap(ui.zh("console.task.done")));
  // An intent that reaches the model anyway (a stale frame, a test harness) is refused.
  ui.m.apply(console_intent::RecordValue{"2"});
  CHECK(ui.m.message() == "console.records_at_center");
  CHECK(ui.m.message_is_error());
  ui.m.apply(console_intent::SetTask{"2.1", TaskStatus::done});
  CHECK(ui.m.message() == "console.records_at_center");
  CHECK(ui.m.selected_history().size() == 1);
  CHECK(ui.staff().history("2").size() == 1);
  CHECK(ui.m.task_status("2.1") == TaskStatus::not_started);
}

TEST_CASE("console: five wrong PINs lock it for five minutes, and it returns to the kiosk when left idle") {
  ConsoleUi ui;
  ui.staff_set_pin("246810");
  ui.m.open();
  for (int i = 0; i < 5; ++i) ui.enter_pin("111111");
  CHECK(ui.m.lock_seconds_left() == 300);
  ui.enter_pin("246810");  // the right PIN does nothing while locked
  CHECK_FALSE(ui.m.signed_in());
  ui.now += 5 * 60 * 1000 + 1000;
  ui.frame(ImVec2(-1, -1), false);
  CHECK(ui.m.take_exit());  // left untouched that long, the console went back to the kiosk
  ui.m.open();              // staff make the gesture again
  ui.enter_pin("246810");
  INFO(ui.m.message());
  REQUIRE(ui.m.signed_in());
  ui.wait_for_survey();
  ui.now += ConsoleModel::kIdleMs + 1;
  ui.m.tick();
  CHECK_FALSE(ui.m.signed_in());
  CHECK(ui.m.take_exit());
}

TEST_CASE("console settings are range-checked and saved to the configuration file") {
  ConsoleUi ui;
  ui.staff_set_pin("246810");
  ui.m.open();
  ui.enter_pin("246810");
  // The survey worker's result redraws the page; a press on a frame whose layout moved is
  // dropped by design (touch_scroll), so the taps below wait until it is in.
  ui.wait_for_survey();
  REQUIRE(ui.tap(ui.zh("console.tab.settings")));
  ui.m.settings.kiosk_id = "";
  REQUIRE(ui.tap(ui.zh("console.settings.save")));
  CHECK(ui.m.message_is_error());
  CHECK_FALSE(std::filesystem::exists(ui.dir.file("config.json")));
  ui.m.settings.kiosk_id = "hall-2";
  ui.m.settings.idle_seconds = 90;
  REQUIRE(ui.tap(ui.zh("console.settings.save")));
  CHECK_FALSE(ui.m.message_is_error());
  ConfigLoad back = load_config(ui.dir.file("config.json"));
  CHECK(back.errors.empty());
  CHECK(back.config.kiosk_id == "hall-2");
  CHECK(back.config.idle_seconds == 90);
  ui.m.settings.new_pin = "13579";
  ui.m.settings.new_pin_again = "13579";
  REQUIRE(ui.tap(ui.zh("console.settings.change_pin")));
  CHECK(ui.m.message() == "console.pin_rule");
}

TEST_CASE("console export runs on the worker, lands in the folder, and is audited, and USB sticks are listed") {
  ConsoleUi ui;
  DemoOptions d;
  d.responses = 120;
  d.end = ui.now;
  fill_demo_data(ui.store, test::shipped(), d);
  ui.staff_set_pin("246810");
  std::string folder = ui.dir.file("usb");
  ui.m.exporter = [&](Store& s, const ExportRequest& req, const std::atomic<bool>* cancel) -> Result<ExportDone> {
    const std::string &format = req.format, &q = req.questionnaire, &dir = req.folder;
    const ResponseFilter& dates = req.dates;
    ExportOptions eo;
    eo.filter = dates;
    eo.format = format;
    eo.questionnaire = q;
    eo.out = dir + "/export." + format;
    eo.strings = &ui.strings;
    eo.cancel = cancel;
    eo.include_flagged = true;
    ExportResult r = export_data(s, test::shipped(), eo);
    if (!r.error.empty()) return Error{r.error};
    return ExportDone{eo.out, r.rows};
  };
  ui.m.open();
  ui.enter_pin("246810");
  ui.wait_for_survey();
  REQUIRE(ui.tap(ui.zh("console.tab.settings")));
  ui.m.export_target = folder;
  ui.m.export_from = "2019-13-01";  // not a date: refused with a message, nothing started
  REQUIRE(ui.tap("xlsx"));
  CHECK(ui.m.message_is_error());
  CHECK_FALSE(ui.m.computing());
  CHECK(ui.m.message() == "console.export.bad_date|2019-13-01");
  ui.m.export_from = "2019-12-31";  // the days the wrong way round: refused, and said so
  ui.m.export_to = "2019-01-01";
  REQUIRE(ui.tap("xlsx"));
  CHECK(ui.m.message_is_error());
  CHECK_FALSE(ui.m.computing());
  CHECK(ui.m.message().rfind("console.export.reversed|", 0) == 0);
  ui.m.export_from = "2019-01-01";
  ui.m.export_to = "2019-12-31";
  REQUIRE(ui.tap("xlsx"));  // the first row: the knowledge questionnaire
  ui.wait_for_survey();
  CHECK(ui.m.message().rfind("console.export_done|", 0) == 0);
  CHECK(std::filesystem::exists(folder + "/export.xlsx"));
  CHECK(ui.m.last_export == folder + "/export.xlsx");
  REQUIRE(ui.tap(ui.zh("console.tab.audit")));
  auto log = ui.m.audit_entries();
  REQUIRE_FALSE(log.empty());
  CHECK(log.front().action == "export");

  test::TempDir t;
  std::string mounts = t.write("mounts",
                               "/dev/sda1 / ext4 rw 0 0\n"
                               "/dev/sdb1 /media/kiosk/DEPT\\040USB vfat rw 0 0\n"
                               "/dev/sdc1 /run/media/staff/STICK exfat rw 0 0\n"
                               "tmpfs /run tmpfs rw 0 0\n");
  auto drives = ConsoleModel::removable_drives(mounts);
  REQUIRE(drives.size() == 2);
  CHECK(drives[0] == "/media/kiosk/DEPT USB");
  CHECK(drives[1] == "/run/media/staff/STICK");
}

TEST_CASE("console: a setup code works once, and a PIN cleared or replaced in the database reopens nothing") {
  ConsoleUi ui;
  std::string code = ui.staff_setup_code();
  ui.m.open();
  ui.enter_pin(code);
  REQUIRE(ui.m.setting_first_pin());
  ui.enter_pin("482915");
  ui.enter_pin("482915");
  REQUIRE(ui.m.signed_in());
  REQUIRE(ui.tap(ui.zh("console.sign_out")));
  // The code is spent: the pad wants the PIN, and the code is just a wrong PIN now.
  ui.m.open();
  CHECK_FALSE(ui.m.entering_setup_code());
  CHECK(ui.m.message() == "console.pin_enter");
  // Someone with write access to the database clears the hash: no first-PIN setup.
  StoreAccess::db(ui.store).exec("UPDATE admin_auth SET pin_hash=NULL");
  ui.m.open();
  CHECK(ui.m.message() == "console.pin_tampered");
  ui.enter_pin("111111");
  ui.enter_pin("111111");
  CHECK_FALSE(ui.m.setting_first_pin());
  CHECK_FALSE(ui.m.signed_in());
  // ...or writes a hash of a PIN they know: refused too.
  AdminStore(ui.store, catalog(), [&] { return ui.now; }).set_pin("999999", "attacker");
  ui.m.open();
  ui.enter_pin("999999");
  CHECK_FALSE(ui.m.signed_in());
  CHECK(ui.m.message() == "console.pin_tampered");
  // The staff override (`ecokiosk set-pin`) restores access.
  ui.staff_set_pin("246810");
  ui.m.open();
  ui.enter_pin("246810");
  CHECK(ui.m.signed_in());
}

TEST_CASE("console: a finger drag scrolls the indicator table and opens no row, and a tap still opens one") {
  ConsoleUi ui;
  ui.staff_set_pin("246810");
  ui.m.open();
  ui.enter_pin("246810");
  REQUIRE(ui.m.signed_in());
  ui.wait_for_survey();
  ui.frame(ImVec2(-1, -1), false);
  ui.frame(ImVec2(-1, -1), false);
  auto row = [&](const std::string& id) -> const HitItem* {
    for (const auto& h : ui.hits)
      if (h.label == "row:" + id) return &h;
    return nullptr;
  };
  const HitItem* r5 = row("5");
  REQUIRE(r5);
  ImVec2 c((r5->min.x + r5->max.x) / 2, (r5->min.y + r5->max.y) / 2);
  float y0 = r5->min.y;
  // Press on row 5 and drag up 300 px in steps: the table follows, nothing opens.
  ui.frame(c, true);
  for (int i = 1; i <= 10; ++i) ui.frame(ImVec2(c.x, c.y - 30.f * static_cast<float>(i)), true);
  ui.frame(ImVec2(c.x, c.y - 300), false);
  ui.frame(ImVec2(-1, -1), false);
  CHECK(ui.m.page() == ConsolePage::overview);
  r5 = row("5");
  REQUIRE(r5);
  CHECK(r5->min.y < y0 - 200);
  // A tap (with a wobble under the slop) on a row still opens it.
  const HitItem* r12 = row("12");
  REQUIRE(r12);
  ImVec2 t((r12->min.x + r12->max.x) / 2, (r12->min.y + r12->max.y) / 2);
  ui.frame(t, true);
  ui.frame(ImVec2(t.x + 5, t.y + 5), true);
  ui.frame(ImVec2(t.x + 5, t.y + 5), false);
  ui.frame(ImVec2(-1, -1), false);
  CHECK(ui.m.page() == ConsolePage::detail);
}

TEST_CASE("console export offers the PDF, and the hall chosen on screen filters what is exported") {
  ConsoleUi ui;
  DemoOptions d;
  d.responses = 90;
  d.end = ui.now;
  fill_demo_data(ui.store, test::shipped(), d);
  ui.staff_set_pin("246810");
  std::string folder = ui.dir.file("out");
  std::vector<std::string> kiosks_asked;
  ui.m.exporter = [&](Store& s, const ExportRequest& req, const std::atomic<bool>* cancel) -> Result<ExportDone> {
    const std::string &format = req.format, &q = req.questionnaire, &dir = req.folder;
    const ResponseFilter& dates = req.dates;
    kiosks_asked.push_back(dates.kiosk);
    ExportOptions eo;
    eo.filter = dates;
    eo.format = format;
    eo.questionnaire = q;
    eo.out = dir + "/export-" + (dates.kiosk.empty() ? "all" : dates.kiosk) + "." + format;
    eo.strings = &ui.strings;
    eo.cancel = cancel;
    ExportResult r = export_data(s, test::shipped(), eo);
    if (!r.error.empty()) return Error{r.error};
    return ExportDone{eo.out, r.rows};
  };
  ui.m.open();
  ui.enter_pin("246810");
  ui.wait_for_survey();
  REQUIRE(ui.tap(ui.zh("console.tab.settings")));
  ui.m.export_target = folder;
  auto kiosks = ui.m.export_kiosks();
  REQUIRE_FALSE(kiosks.empty());
  REQUIRE(ui.tap(ui.m.hall_label(kiosks[0], "zh")));  // the hall's chip, pressed on screen
  CHECK(ui.m.export_kiosk == kiosks[0]);
  REQUIRE(ui.tap("pdf"));
  ui.wait_for_survey();
  CHECK(ui.m.message().rfind("console.export_done|", 0) == 0);
  REQUIRE(kiosks_asked.size() == 1);
  CHECK(kiosks_asked[0] == kiosks[0]);
  std::string pdf = folder + "/export-" + kiosks[0] + ".pdf";
  REQUIRE(std::filesystem::exists(pdf));
  std::ifstream in(pdf, std::ios::binary);
  char head[5] = {};
  in.read(head, 5);
  CHECK(std::string(head, 5) == "%PDF-");
  // Back to every hall.
  REQUIRE(ui.tap(ui.zh("console.export.all_halls")));
  CHECK(ui.m.export_kiosk.empty());
  REQUIRE(ui.tap("pdf"));
  ui.wait_for_survey();
  REQUIRE(kiosks_asked.size() == 2);
  CHECK(kiosks_asked[1].empty());
  CHECK(std::filesystem::exists(folder + "/export-all.pdf"));
}

TEST_CASE("console: the settings page shows the center's sync state: last contact, what waits, the last error in words") {
  Config c;
  c.central_url = "postgresql://center.example/ecokiosk?sslmode=verify-full";
  ConsoleUi ui(c, ImVec2(1920, 4000));  // tall: the whole settings page drawn at once
  auto sub = [](std::string t, const std::string& key, const std::string& v) {
    return t.replace(t.find("{" + key + "}"), key.size() + 2, v);
  };
  DemoOptions d;
  d.responses = 3;
  d.kiosk = ui.cfg.kiosk_id;
  fill_demo_data(ui.store, test::shipped(), d);
  Db& db = StoreAccess::db(ui.store);
  // The worker's record of a failed attempt after an earlier contact (as sync.cpp writes it).
  const TimeMs contact = ui.now - 3'600'000;
  db.exec("UPDATE central_sync SET status = 'auth', detail = 'FATAL:  password authentication failed for user k', "
          "last_contact = " + std::to_string(contact) + ", last_attempt = " + std::to_string(ui.now) +
          ", sent = 7, already = 2, conflicts = 1 WHERE id = 1");
  ui.open_settings();
  std::string t = ui.frame_text();
  CHECK(t.find(ui.zh("console.sync.title")) != std::string::npos);
  CHECK(t.find(ui.zh("console.sync.status.auth")) != std::string::npos);
  CHECK(t.find("password authentication failed for user k") != std::string::npos);  // the error's own words
  CHECK(t.find(sub(ui.zh("console.sync.last_contact"), "arg", to_local_text(contact, ui.cfg.utc_offset_minutes))) !=
        std::string::npos);
  CHECK(t.find(sub(ui.zh("console.sync.waiting"), "arg", "3")) != std::string::npos);
  CHECK(t.find(sub(sub(sub(ui.zh("console.sync.totals"), "sent", "7"), "already", "2"), "conflicts", "1")) !=
        std::string::npos);
  // The worker then gets through: the page reads the record again within 5 s, and the
  // error's words go; what waits follows the mark.
  db.exec("UPDATE central_sync SET status = 'ok', detail = '', last_contact = " + std::to_string(ui.now + 1000) +
          ", response_mark = (SELECT max(id) FROM responses) WHERE id = 1");
  ui.now += 5000;
  ui.m.tick();
  t = ui.frame_text();
  CHECK(t.find(ui.zh("console.sync.status.ok")) != std::string::npos);
  CHECK(t.find(ui.zh("console.sync.status.auth")) == std::string::npos);
  CHECK(t.find("password authentication failed") == std::string::npos);
  CHECK(t.find(sub(ui.zh("console.sync.waiting"), "arg", "0")) != std::string::npos);
}

TEST_CASE("console: a kiosk without a central_url says on the settings page that sync is off") {
  ConsoleUi off;
  off.open_settings();
  std::string t = off.frame_text();
  CHECK(t.find(off.zh("console.sync.off")) != std::string::npos);
  CHECK(t.find(off.zh("console.sync.status.none")) == std::string::npos);
}
