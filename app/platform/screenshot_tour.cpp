#include "platform/screenshot_tour.hpp"

#include <filesystem>
#include <iostream>
#include <optional>

#include "core/input/ink.hpp"
#include "core/storage/admin_store.hpp"
#include "core/storage/demo_data.hpp"

namespace eco::ui {

namespace {

// The demo console's records, as staff would make them (value or state, judged -1 = not asked).
struct DemoRecord {
  const char* indicator;
  const char* as_of;
  std::optional<double> value;
  const char* state;
  int judged;
  const char* evidence;
};
const DemoRecord kDemoRecords[] = {
    {"12", "2017-12-31", 74.6, "", -1, "2017年生态环境状况公报"},
    {"12", "2018-12-31", 75.1, "", -1, "2018年生态环境状况公报"},
    {"12", "2019-06-30", 75.4, "", -1, "市生态环境局半年通报"},
    {"13", "2019-06-30", 66.2, "", -1, "森林资源二类调查"},
    {"1", "2019-05-20", std::nullopt, "实施", -1, "区政府常务会议审议通过"},
    {"17", "2019-06-30", std::nullopt, "不发生", -1, ""},
    {"22", "2019-06-30", std::nullopt, "", 1, "市发展改革委考核通报:排名第3"},
    {"14.1", "2019-06-30", std::nullopt, "严格保护", -1, ""},
};
struct DemoTask {
  const char* task;
  TaskStatus status;
  const char* note;
};
const DemoTask kDemoTasks[] = {
    {"12.1", TaskStatus::in_progress, "监测点位已布设"},
    {"1.1", TaskStatus::done, "规划已颁布"},
    {"10.2", TaskStatus::blocked, "施工单位未落实"},
};
constexpr const char* kDemoPin = "135790";  // the tour's own in-memory database only
constexpr const char* kDemoStaff = "王芳";

class Tour {
 public:
  Tour(KioskApp& app, KioskFrame& frame, std::string dir) : app_(app), frame_(frame), dir_(std::move(dir)) {}

  // --tour-text-size / --tour-high-contrast: every shot in that look (the model resets
  // both for the next resident, so they are set again before each shot).
  void look() {
    KioskModel& m = *app_.model;
    if (app_.o.tour_text_size < 0) return;
    for (int i = 0; i < KioskModel::kTextSizes && m.text_size() != app_.o.tour_text_size; ++i)
      m.apply(intent::ToggleLargeText{});
    if (m.high_contrast() != app_.o.tour_high_contrast) m.apply(intent::ToggleContrast{});
  }
  void shot(const std::string& name) {
    look();
    for (int i = 0; i < 3; ++i) frame_.render();  // layout settles over a couple of frames
    std::string path = dir_ + "/" + name + ".png";
    frame_.render(nullptr, path);
    std::cout << path << "\n";
  }
  void apply(const Intent& in) {
    app_.model->apply(in);
    // The first question's taps are held that long after 开始 (a double tap's second half).
    if (std::holds_alternative<intent::Start>(in)) app_.fake_now += KioskModel::kAnswerAbsorbMs;
  }
  void answer(Answer a) { apply(intent::Answer{std::move(a)}); }
  void leave() {
    apply(intent::Quit{});
    apply(intent::ConfirmLeave{});
  }
  // Answers whatever is asked until `qid` is on screen ("" = the end).
  void advance_to(const std::string& qid) {
    KioskModel& m = *app_.model;
    for (int guard = 0; guard < 200 && m.session() && m.session()->current() && m.session()->current()->id != qid;
         ++guard) {
      answer(first_valid_answer(*m.session()->current()));
      apply(intent::Next{});
    }
  }
  void resident_screens();
  void comment_input();
  void larger_text();
  void console_on_demo_data();

 private:
  void fill_demo_records();
  void console_pages();

  KioskApp& app_;
  KioskFrame& frame_;
  std::string dir_;
};

void Tour::resident_screens() {
  shot("01-welcome");
  apply(intent::Start{"satisfaction"});
  answer(Choice{"satisfied"});
  shot("02-rating");
  advance_to("improve_first");
  answer(ChoiceSet{{"air", "waste"}});
  shot("03-multiple");
  advance_to("township");
  answer(Choice{"zhengyang"});
  shot("04-single-many-options");
  advance_to("occupation");
  answer(Choice{"retired"});
  shot("05-occupation");
  comment_input();
  apply(intent::Quit{});
  shot("05f-leave-dialog");
  apply(intent::ConfirmLeave{});
  apply(intent::Start{"green-travel"});
  answer(Counts{{{"walk", 2}, {"bus", 1}, {"car", 1}}});
  shot("06-count-matrix");
  apply(intent::Next{});
  answer(Choice{"car"});
  apply(intent::Next{});
  apply(intent::Next{});  // refused: the number pad's question needs a number
  shot("07-required-refusal");
  answer(std::int64_t{25});
  shot("08-integer-numpad");
  app_.fake_now += (app_.cfg.idle_seconds + 4) * 1000LL;
  app_.model->tick();
  shot("09-idle-overlay");
  apply(intent::ContinueSession{});
  apply(intent::CallStaff{});
  shot("09b-staff-call");
  apply(intent::DismissStaffCall{});
  leave();
  apply(intent::Start{"knowledge"});
  advance_to("sources");
  advance_to("");
  shot("10-finish-quiz");
}

// Larger text: the welcome cards reflow, and a long list question.
// The comment: 生态 written on the pad (the stroke files of the tests), then pinyin,
// symbols and letters.
void Tour::comment_input() {
  using IK = input::InputIntent::Kind;
  advance_to("comment");
  auto write = [&](input::InputIntent ii) {
    app_.model->apply(intent::Input{std::move(ii)});
  };
  auto ink_intent = [](IK k, input::Point at = {}) {
    input::InputIntent ii;
    ii.kind = k;
    ii.at = at;
    return ii;
  };
  shot("05a-comment-empty");  // bakes the input's font: candidates are checked against it
  for (const char* name : {"sheng", "tai"}) {
    auto f = input::load_ink(app_.o.data_dir + "/tests/data/strokes/" + name + ".json");
    if (!f) break;
    for (const auto& st : f->ink.strokes) {
      write(ink_intent(IK::pen_down, st.front()));
      for (const auto& pt : st) write(ink_intent(IK::pen_move, pt));
      write(ink_intent(IK::pen_up));
    }
    if (std::string(name) == "tai") break;  // 态 stays on the pad, its candidates showing
    input::InputIntent pick;
    pick.kind = IK::pick;
    write(pick);
  }
  shot("05b-comment-handwriting");
  app_.wait_for_pinyin();
  input::InputIntent m;
  m.kind = IK::mode;
  m.mode = input::InputMode::pinyin;
  write(m);
  for (char c : std::string("henhao")) {
    input::InputIntent k;
    k.kind = IK::key;
    k.key = c;
    write(k);
  }
  apply(intent::Next{});  // held: 很好 is still being composed, and the panel says so
  shot("05c-comment-pinyin");
  m.mode = input::InputMode::symbols;
  write(m);
  shot("05d-comment-symbols");
  m.mode = input::InputMode::letters;
  write(m);
  shot("05e-last-question");
}

void Tour::larger_text() {
  app_.fake_now += KioskModel::kNextAbsorbMs;  // 看完了 is held that long after the thanks appear
  apply(intent::Home{});
  apply(intent::ToggleLargeText{});
  shot("20-large-welcome");
  apply(intent::Start{"satisfaction"});
  answer(Choice{"satisfied"});
  shot("21-large-rating");
  advance_to("township");
  shot("22-large-township");
  leave();
}

void Tour::fill_demo_records() {
  DemoOptions d;
  d.responses = 3000;
  d.end = app_.fake_now;
  fill_demo_data(*app_.store, app_.set, d);
  AdminStore admin(*app_.store, app_.catalog, app_.clock);
  admin.set_pin(kDemoPin, "tour");
  for (const DemoRecord& dr : kDemoRecords) {
    IndicatorRecord r;
    r.indicator = dr.indicator;
    r.as_of = dr.as_of;
    r.value = dr.value;
    r.state = dr.state;
    if (dr.judged >= 0) r.judged = dr.judged == 1;
    r.source = "区统计局";
    r.evidence = dr.evidence;
    r.recorded_by = kDemoStaff;
    admin.record(r);
  }
  for (const DemoTask& t : kDemoTasks) admin.update_task(t.task, t.status, t.note, kDemoStaff);
}

// The console on demo data: some records and task updates as staff would make them.
void Tour::console_on_demo_data() {
  if (!app_.console) return;
  fill_demo_records();
  app_.fake_now += KioskModel::kNextAbsorbMs;
  apply(intent::Home{});
  apply(intent::CornerPress{});
  app_.fake_now += KioskModel::kAdminHoldMs + 100;
  app_.model->tick();
  app_.console->open();
  std::string pin = kDemoPin;
  for (char c : pin.substr(0, 4)) app_.console->apply(console_intent::PinKey{c});
  shot("11-console-pin");
  for (char c : pin.substr(4)) app_.console->apply(console_intent::PinKey{c});
  app_.console->apply(console_intent::PinSubmit{});
  app_.console->user_name = kDemoStaff;
  shot("12-console-overview");
  console_pages();
}

void Tour::console_pages() {
  ConsoleModel& c = *app_.console;
  c.apply(console_intent::OpenIndicator{"12"});
  shot("13-console-detail");
  c.apply(console_intent::ShowPage{ConsolePage::departments});
  shot("14-console-departments");
  c.apply(console_intent::ShowPage{ConsolePage::survey});
  c.apply(console_intent::SelectQuestionnaire{"satisfaction"});
  shot("15-console-survey");
  c.apply(console_intent::ShowPage{ConsolePage::audit});
  shot("16-console-audit");
  c.apply(console_intent::ShowPage{ConsolePage::settings});
  shot("17-console-settings");
}

}  // namespace

void run_screenshot_tour(KioskApp& app, KioskFrame& frame, const std::string& dir) {
  std::filesystem::create_directories(dir);
  Tour tour(app, frame, dir);
  tour.resident_screens();
  if (app.o.tour_text_size >= 0) return;  // one look a run: scripts/screenshots.sh runs them all
  tour.larger_text();
  tour.console_on_demo_data();
}

}  // namespace eco::ui
