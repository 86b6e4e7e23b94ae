// Headless UI: an ImGui context with no window and no GL. Surveys are driven by taps on
// items found by their label, and the store is checked for what arrived.
#include <doctest/doctest.h>

#include <imgui.h>

#include "core/store.hpp"
#include "helpers.hpp"
#include "ui/frame.hpp"
#include "ui/headless.hpp"
#include "ui/theme.hpp"

using namespace eco;
using namespace eco::ui;

namespace {
struct Ui : test::KioskRig {
  Strings strings;
  ImVec2 size;
  Headless headless;
  Fonts& fonts = headless.fonts;
  std::vector<HitItem>& hits = headless.hits;

  static std::string glyphs() {
    std::string text;
    for (const auto& q : test::shipped().list) text += q.title.get("zh") + q.title.get("en");
    return text + "下一题提交返回首页";
  }
  explicit Ui(ImVec2 sz) : KioskRig(5), size(sz), headless(sz, scale_for(sz), glyphs()) {
    std::vector<std::string> errors;
    strings.load_dir(test::source_dir() + "/assets/i18n", errors);
    REQUIRE(errors.empty());
    REQUIRE(headless.fonts_found);
  }
  void frame(ImVec2 mouse, bool down) {
    headless.begin_frame(mouse, down);
    View v{strings, model, fonts.pick(model.large_text()), scale_for(size), size, size.y > size.x};
    Intent in = draw_frame(v);
    ImGui::Render();
    model.apply(in);  // also a bare touch, which restarts the screen's timer
    model.tick();
  }
  const HitItem* find(const std::string& label) {
    frame(ImVec2(-1, -1), false);
    for (const auto& h : hits)
      if (h.label == label) return &h;
    return nullptr;
  }
  // `nth` picks among items with the same label (the "+" of each count row).
  bool tap(const std::string& label, int nth = 0) {
    auto h = headless.tap(label, nth, [this](ImVec2 m, bool d) { frame(m, d); });
    if (!h) return false;
    CHECK_MESSAGE(h->max.y - h->min.y >= 64 * scale_for(size), label);  // touch target
    return true;
  }
};
}  // namespace

TEST_CASE("text colours have at least 4.5:1 contrast") {
  CHECK(contrast_ratio(color::text, color::background) >= 4.5);
  CHECK(contrast_ratio(color::muted, color::background) >= 4.5);
  CHECK(contrast_ratio(color::muted, color::card) >= 4.5);
  CHECK(contrast_ratio(color::on_primary, color::primary) >= 4.5);
  CHECK(contrast_ratio(color::primary, color::background) >= 4.5);
  CHECK(contrast_ratio(color::error, color::background) >= 4.5);
  CHECK(contrast_ratio(color::text, color::primary_light) >= 4.5);
}

TEST_CASE("a resident completes the satisfaction survey by taps, in both orientations") {
  for (ImVec2 size : {ImVec2(1920, 1080), ImVec2(1080, 1920)}) {
    Ui ui(size);
    const Questionnaire& q = *test::shipped().find("satisfaction");
    REQUIRE(ui.tap(q.title.get("zh")));
    REQUIRE(ui.model.screen() == Screen::question);
    for (int guard = 0; guard < 40 && ui.model.screen() == Screen::question; ++guard) {
      const Question& cur = *ui.model.session()->current();
      if (!cur.options.empty()) {
        // Tap the option shown first (its label, as the resident reads it).
        auto order = ui.model.session()->options_in_order(cur);
        REQUIRE_MESSAGE(ui.tap(order.front()->text.get("zh")), cur.id);
      }
      if (ui.model.screen() != Screen::question || ui.model.session()->current() != &cur) continue;  // auto-advanced
      bool last = ui.model.session()->progress().position == ui.model.session()->progress().total;
      REQUIRE_MESSAGE(ui.tap(ui.strings.get("zh", last ? "nav.submit" : "nav.next")), cur.id);
    }
    REQUIRE(ui.model.screen() == Screen::finish);
    CHECK(ui.store.count({.questionnaire = "satisfaction"}) == 1);
    REQUIRE(ui.tap(ui.strings.get("zh", "finish.done")));
    CHECK(ui.model.screen() == Screen::welcome);
  }
}

TEST_CASE("Next without an answer shows the reason, in the resident's language") {
  Ui ui(ImVec2(1280, 800));
  REQUIRE(ui.tap("English"));
  CHECK(ui.model.lang() == "en");
  REQUIRE(ui.tap(test::shipped().find("green-travel")->title.get("en")));
  REQUIRE(ui.tap("Next"));  // trips: zero is an answer
  CHECK(ui.model.session()->current()->id == "commute");
  // A pick-one question moves on by itself and shows no Next until answered, so the
  // refusal is met on the number pad's question.
  CHECK(!ui.find("Next"));
  REQUIRE(ui.tap(ui.model.session()->current()->find_option("bus")->text.get("en")));
  ui.now += KioskModel::kAutoAdvanceMs + 10;
  ui.frame(ImVec2(-1, -1), false);
  CHECK(ui.model.session()->current()->id == "commute_minutes");
  ui.now += KioskModel::kNextAbsorbMs + 10;  // a deliberate Next, not one meant for the last question
  REQUIRE(ui.tap("Next"));
  CHECK(ui.model.refusal().status == AnswerStatus::required);
  CHECK(ui.model.session()->current()->id == "commute_minutes");
}

TEST_CASE("the idle overlay takes the taps and Continue keeps the session") {
  Ui ui(ImVec2(1920, 1080));
  REQUIRE(ui.tap(test::shipped().find("knowledge")->title.get("zh")));
  ui.now += ui.cfg.first_question_idle_seconds * 1000LL + 2000;  // the first question's shorter limit
  ui.frame(ImVec2(-1, -1), false);
  REQUIRE(ui.model.idle_overlay());
  REQUIRE(ui.tap(ui.strings.get("zh", "idle.continue")));
  CHECK(!ui.model.idle_overlay());
  CHECK(ui.model.screen() == Screen::question);
}

TEST_CASE("staff gesture: holding the top-left corner for 3 s opens the console, a short press does not") {
  Ui ui(ImVec2(1920, 1080));
  const HitItem* corner = ui.find("##staff");
  REQUIRE(corner);
  ImVec2 c((corner->min.x + corner->max.x) / 2, (corner->min.y + corner->max.y) / 2);
  ui.frame(c, false);
  ui.frame(c, true);
  CHECK(ui.model.corner_held());
  ui.now += 1500;
  ui.frame(c, true);
  ui.frame(c, false);  // let go after 1.5 s
  ui.now += 3000;
  ui.frame(ImVec2(-1, -1), false);
  CHECK(ui.model.screen() == Screen::welcome);
  // Press and hold: the model wakes the loop at the deadline and opens the console.
  ui.frame(c, true);
  CHECK(ui.model.next_deadline() <= ui.now + KioskModel::kAdminHoldMs);
  ui.now += KioskModel::kAdminHoldMs + 10;
  ui.frame(c, true);
  CHECK(ui.model.screen() == Screen::admin);
  ui.model.leave_admin();
  CHECK(ui.model.screen() == Screen::welcome);
}

TEST_CASE("no database at start-up: the staff gesture shows why, and Back returns to the welcome screen") {
  Ui ui(ImVec2(1920, 1080));
  ui.model.set_store_problem("database kiosk.db has schema version 99, newer than this program understands");
  const HitItem* corner = ui.find("##staff");
  REQUIRE(corner);
  ImVec2 c((corner->min.x + corner->max.x) / 2, (corner->min.y + corner->max.y) / 2);
  ui.frame(c, true);
  ui.now += KioskModel::kAdminHoldMs + 10;
  ui.frame(c, true);
  ui.frame(c, false);
  REQUIRE(ui.model.screen() == Screen::admin);
  CHECK(ui.find("返回"));  // the notice is drawn, with its way back
  REQUIRE(ui.tap("返回"));
  CHECK(ui.model.screen() == Screen::welcome);
}

namespace {
// Answers whatever is on screen with its first option, until the survey ends.
void finish_by_taps(Ui& ui) {
  for (int guard = 0; guard < 60 && ui.model.screen() == Screen::question; ++guard) {
    const Question& cur = *ui.model.session()->current();
    if (!cur.options.empty()) {
      auto order = ui.model.session()->options_in_order(cur);
      REQUIRE_MESSAGE(ui.tap(order.front()->text.get(ui.model.lang())), cur.id);
    }
    if (ui.model.screen() != Screen::question || ui.model.session()->current() != &cur) continue;
    bool last = ui.model.session()->progress().position == ui.model.session()->progress().total;
    REQUIRE_MESSAGE(ui.tap(ui.strings.get(ui.model.lang(), last ? "nav.submit" : "nav.next")), cur.id);
  }
  REQUIRE(ui.model.screen() == Screen::finish);
}
Response last_saved(Ui& ui) {
  Response out;
  ui.store.each({}, [&](const Response& r) {
    out = r;
    return true;
  });
  return out;
}
}  // namespace

TEST_CASE("the knowledge quiz by taps: ten drawn items stored with the score shown") {
  Ui ui(ImVec2(1920, 1080));
  REQUIRE(ui.tap(test::shipped().find("knowledge")->title.get("zh")));
  finish_by_taps(ui);
  Response r = last_saved(ui);
  CHECK(r.questionnaire == "knowledge");
  CHECK(r.drawn.size() == 10);
  for (const auto& id : r.drawn) CHECK_MESSAGE(r.find(id), id);
}

TEST_CASE("green travel by taps: steppers, the number pad, skip logic forwards and back") {
  Ui ui(ImVec2(1920, 1080));
  REQUIRE(ui.tap(test::shipped().find("green-travel")->title.get("zh")));
  REQUIRE(ui.model.session()->current()->id == "trips");
  REQUIRE(ui.tap("+", 0));  // walk
  REQUIRE(ui.tap("+", 0));
  REQUIRE(ui.tap("+", 5));  // car
  REQUIRE(ui.tap(ui.strings.get("zh", "nav.next")));
  REQUIRE(ui.model.session()->current()->id == "commute");
  const Question& commute = *ui.model.session()->current();
  REQUIRE(ui.tap(commute.find_option("car")->text.get("zh")));  // auto-advances
  ui.now += KioskModel::kAutoAdvanceMs + 10;
  ui.frame(ImVec2(-1, -1), false);
  REQUIRE(ui.model.session()->current()->id == "commute_minutes");
  REQUIRE(ui.tap("2"));
  REQUIRE(ui.tap("5"));
  REQUIRE(ui.tap(ui.strings.get("zh", "nav.next")));
  // Car commuters are asked what keeps them from greener modes.
  REQUIRE(ui.model.session()->current()->id == "barriers");
  // Back twice, and the commute becomes the bus: the car questions disappear.
  REQUIRE(ui.tap(ui.strings.get("zh", "nav.back")));
  REQUIRE(ui.tap(ui.strings.get("zh", "nav.back")));
  REQUIRE(ui.model.session()->current()->id == "commute");
  REQUIRE(ui.tap(commute.find_option("bus")->text.get("zh")));
  ui.now += KioskModel::kAutoAdvanceMs + 10;
  ui.frame(ImVec2(-1, -1), false);
  REQUIRE(ui.model.session()->current()->id == "commute_minutes");
  ui.now += KioskModel::kNextAbsorbMs;  // the resident reads the question before tapping Next
  REQUIRE(ui.tap(ui.strings.get("zh", "nav.next")));  // 25 is still there
  CHECK(ui.model.session()->current()->id != "barriers");
  finish_by_taps(ui);
  Response r = last_saved(ui);
  const auto* trips = std::get_if<Counts>(r.find("trips"));
  REQUIRE(trips);
  CHECK(trips->rows[0] == std::make_pair(std::string("walk"), 2));
  CHECK(trips->rows[5] == std::make_pair(std::string("car"), 1));
  CHECK(std::get<Choice>(*r.find("commute")).option == "bus");
  CHECK(std::get<std::int64_t>(*r.find("commute_minutes")) == 25);
  CHECK(r.find("barriers") == nullptr);      // hidden by the change, so not stored
  CHECK(r.find("would_switch") == nullptr);
}
