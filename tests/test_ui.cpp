// Headless UI: an ImGui context with no window and no GL. Surveys are driven by taps on
// items found by their label, and the store is checked for what arrived.
#include <doctest/doctest.h>

#include <imgui.h>
#include <imgui_internal.h>

#include <cstring>
#include <optional>

#include "core/storage/demo_data.hpp"
#include "core/storage/store.hpp"
#include "helpers.hpp"
#include "ui/resident/frame.hpp"
#include "ui/common/headless.hpp"
#include "ui/common/theme.hpp"
#include "ui/common/touch_scroll.hpp"

using namespace eco;
using namespace eco::ui;

namespace {
struct Ui : test::KioskRig {
  Strings strings;
  ImVec2 size;
  Headless headless;
  Fonts& fonts = headless.fonts;
  std::vector<HitItem>& hits = headless.hits;

  // Every text the resident screens show, so wrapped labels measure as on the kiosk.
  static std::string glyphs() {
    std::string text = "下一题提交返回首页0123456789";
    auto add = [&](const LocalizedText& t) {
      for (const auto& [l, s] : t.by_lang) text += s;
    };
    auto add_q = [&](const Question& q) {
      add(q.text); add(q.hint); add(q.unit); add(q.explanation);
      for (const auto& o : q.options) add(o.text);
      for (const auto& o : q.rows) add(o.text);
    };
    for (const auto& q : test::shipped().list) {
      add(q.title); add(q.intro);
      for (const auto& qq : q.questions) add_q(qq);
      if (q.bank)
        for (const auto& qq : q.bank->items) add_q(qq);
    }
    Strings s;
    std::vector<std::string> errors;
    s.load_dir(test::source_dir() + "/assets/i18n", errors);
    for (const auto& lang : s.languages())
      for (const auto& k : s.keys(lang)) text += s.get(lang, k);
    return text;
  }
  explicit Ui(ImVec2 sz) : KioskRig(5), size(sz), headless(sz, scale_for(sz), glyphs()) {
    std::vector<std::string> errors;
    strings.load_dir(test::source_dir() + "/assets/i18n", errors);
    REQUIRE(errors.empty());
    REQUIRE(headless.fonts_found);
  }
  // As the kiosk's loop does: draw again while the layout still moves, with the finger
  // where it is (no new press), so the last frame drawn is the one seen.
  void frame(ImVec2 mouse, bool down) {
    draw_once(mouse, down);
    for (int settling = 0; layout_changed() && settling < 8; ++settling) draw_once(mouse, down);
  }
  void draw_once(ImVec2 mouse, bool down) {
    if (model.text_size() != fonts.text_size) headless.rebake(model.text_size());  // as the kiosk does
    headless.begin_frame(mouse, down);
    // The kiosk's view: larger text scales the screens by its factor (kiosk_window.cpp).
    View v{strings, model, fonts.pick(model.large_text()), scale_for(size) * model.text_scale(), size,
           size.y > size.x};
    Intent in = draw_frame(v);
    ImGui::Render();
    apply(in);  // also a bare touch, which restarts the screen's timer
    model.tick();
  }
  const HitItem* find(const std::string& label) {
    frame(ImVec2(-1, -1), false);
    for (const auto& h : hits)
      if (h.label == label) return &h;
    return nullptr;
  }
  // The nth item with this label in the frame drawn last (what the resident sees now).
  const HitItem* seen(const std::string& label, int nth = 0) const {
    for (const auto& h : hits)
      if (h.label == label && nth-- == 0) return &h;
    return nullptr;
  }
  static ImVec2 centre(const HitItem& h) { return ImVec2((h.min.x + h.max.x) / 2, (h.min.y + h.max.y) / 2); }
  // Inside its window's visible rectangle (which ImGui rounds to whole pixels: up to one
  // pixel of a card's border may fall outside it).
  static bool fully_visible(const HitItem& h) {
    return h.min.x >= h.clip_min.x - 1 && h.min.y >= h.clip_min.y - 1 && h.max.x <= h.clip_max.x + 1 &&
           h.max.y <= h.clip_max.y + 1;
  }
  // A finger: down at `a`, moved to `b` in `steps` frames, lifted at `b`. A touch
  // screen reports the position with the press: no frame hovers there first.
  void touch(ImVec2 a, ImVec2 b, int steps) {
    frame(a, true);
    for (int i = 1; i <= steps; ++i)
      frame(ImVec2(a.x + (b.x - a.x) * i / steps, a.y + (b.y - a.y) * i / steps), true);
    frame(b, false);
    frame(ImVec2(-1, -1), false);
  }
  void tap_at(ImVec2 p) { touch(p, p, 0); }
  // The mouse wheel over `at` (negative: scroll down), as on a desk.
  void wheel(ImVec2 at, float notches) {
    ImGui::GetIO().MouseWheel = notches;
    frame(at, false);
    frame(ImVec2(-1, -1), false);
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

// fonts.cpp drops the mapped font file's pages from memory during a bake (issue 20):
// FreeType must read back exactly what it read before. Dropped at every allocation (the
// harshest), the atlas must equal one baked with the pages kept, pixel for pixel and
// glyph for glyph, at every text size with the input's common characters too.
TEST_CASE("fonts: dropping the font file's pages while baking changes no pixel and no glyph, at every text size") {
  FontFile file = find_cjk_font();
  REQUIRE(!file.path.empty());
  const std::string text = Ui::glyphs();
  struct Baked {
    std::vector<unsigned char> px;
    int w = 0, h = 0;
    std::vector<ImFontGlyph> glyphs;
    int fonts = 0;
  };
  auto bake = [&](unsigned drop_every, int text_size, bool input) {
    set_font_page_drop_interval(drop_every);
    ImFontAtlas atlas;
    Fonts f;
    f.atlas = &atlas;
    f.with_input = input;
    REQUIRE(build_fonts(f, file, 1.0f, text, {}, text_size));
    Baked b;
    unsigned char* px = nullptr;
    atlas.GetTexDataAsAlpha8(&px, &b.w, &b.h);
    b.px.assign(px, px + static_cast<std::size_t>(b.w) * static_cast<std::size_t>(b.h));
    for (const ImFont* font : atlas.Fonts) {
      ++b.fonts;
      b.glyphs.insert(b.glyphs.end(), font->Glyphs.begin(), font->Glyphs.end());
    }
    return b;
  };
  for (int text_size = 0; text_size < KioskModel::kTextSizes; ++text_size) {
    CAPTURE(text_size);
    bool input = text_size == 0;  // 3,500 common characters more
    Baked kept = bake(0, text_size, input);
    Baked dropped = bake(1, text_size, input);
    REQUIRE(kept.glyphs.size() > 1000);  // enough FreeType allocations to drop often
    CHECK(dropped.fonts == kept.fonts);
    CHECK(dropped.w == kept.w);
    CHECK(dropped.h == kept.h);
    CHECK(dropped.glyphs.size() == kept.glyphs.size());
    CHECK(std::memcmp(dropped.glyphs.data(), kept.glyphs.data(),
                      std::min(dropped.glyphs.size(), kept.glyphs.size()) * sizeof(ImFontGlyph)) == 0);
    CHECK(dropped.px == kept.px);
    // Only as tall as the packed glyphs (not rounded up to a power of two), and every
    // row of the atlas is there to draw from.
    CHECK(kept.h > 0);
    CHECK(kept.h <= 8192);
  }
  set_font_page_drop_interval(kFontPageDropEvery);
}

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
    ui.now += KioskModel::kNextAbsorbMs;  // the thanks are read
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
  // The reason is on screen beside Next, in English (the resident's choice), not Chinese.
  ui.frame(ImVec2(-1, -1), false);
  std::string reason = Strings::format(ui.strings.get("en", "validation.required"), {{"min", "0"}, {"max", "0"}});
  CHECK(reason == "Please answer this question first.");
  CHECK(ui.headless.shows(reason));
  CHECK_FALSE(ui.headless.shows(ui.strings.get("zh", "validation.required")));
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
  // The finish screen shows the score of this response: right answers out of ten.
  REQUIRE(ui.model.screen() == Screen::finish);
  ui.frame(ImVec2(-1, -1), false);
  QuizScore score = quiz_score(*test::shipped().find("knowledge"), r);
  CHECK(score.drawn == 10);
  std::string shown = Strings::format(ui.strings.get("zh", "finish.score"),
                                      {{"c", std::to_string(score.correct)}, {"n", "10"}});
  INFO(shown);
  CHECK(ui.headless.shows(shown));
  CHECK_FALSE(ui.headless.shows(Strings::format(ui.strings.get("zh", "finish.score"),
                                                {{"c", std::to_string(score.correct + 1)}, {"n", "10"}})));
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
  ui.now += KioskModel::kAnswerAbsorbMs;  // reads it: a key sooner is the car's double tap
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

namespace {
const std::string& zh_option(const Question& q, const std::string& id) { return q.find_option(id)->text.get("zh"); }
// Lets a pending auto-advance happen: the loop wakes at the model's deadline, ticks,
// and draws the screen that follows (Ui::frame ticks after drawing, hence two).
void let_advance(Ui& ui) {
  ui.now += KioskModel::kAutoAdvanceMs + 10;
  ui.frame(ImVec2(-1, -1), false);
  ui.frame(ImVec2(-1, -1), false);
  ui.now += KioskModel::kAnswerAbsorbMs;  // the resident reads the new question before tapping
}
}  // namespace

// Issue 12's report, replayed: larger text, green travel, the township list scrolled
// down, one near the end picked; on the occupation question 离退休 is tapped where it
// is drawn. Before the fix the occupation list opened still scrolled, the frame drawn
// was not the one hit-tested, and 个体经营 was stored.
TEST_CASE("larger text: after scrolling the township list, 离退休 tapped where drawn is what is stored") {
  Ui ui(ImVec2(1280, 800));
  REQUIRE(ui.tap(ui.strings.get("zh", "welcome.large_text")));
  REQUIRE(ui.model.large_text());
  REQUIRE(ui.tap(test::shipped().find("green-travel")->title.get("zh")));
  REQUIRE(ui.tap(ui.strings.get("zh", "nav.next")));  // no trips
  const Question& commute = *ui.model.session()->current();
  REQUIRE(ui.tap(zh_option(commute, "bus")));
  let_advance(ui);
  REQUIRE(ui.tap("2"));
  REQUIRE(ui.tap("0"));
  REQUIRE(ui.tap(ui.strings.get("zh", "nav.next")));
  for (const char* id : {"30_44", "female"}) {
    REQUIRE(ui.tap(zh_option(*ui.model.session()->current(), id)));
    let_advance(ui);
  }
  const Question& township = *ui.model.session()->current();
  REQUIRE(township.id == "township");
  // Scroll the list down over its middle until 新华乡 (30th of 31) is fully in view.
  ui.frame(ImVec2(-1, -1), false);
  const HitItem* first = ui.seen(zh_option(township, "chengdong"));
  REQUIRE(first);
  ImVec2 over((first->clip_min.x + first->clip_max.x) / 2, (first->clip_min.y + first->clip_max.y) / 2);
  for (int i = 0; i < 20; ++i) {
    ui.wheel(over, -1);
    ui.frame(ImVec2(-1, -1), false);
    const HitItem* h = ui.seen(zh_option(township, "xinhua"));
    REQUIRE(h);
    if (Ui::fully_visible(*h)) break;
  }
  const HitItem* xinhua = ui.seen(zh_option(township, "xinhua"));
  REQUIRE(Ui::fully_visible(*xinhua));
  ui.tap_at(Ui::centre(*xinhua));
  CHECK(std::get<Choice>(ui.model.session()->answer_of("township")).option == "xinhua");
  let_advance(ui);
  const Question& occupation = *ui.model.session()->current();
  REQUIRE(occupation.id == "occupation");
  // The resident looks (the loop has drawn what it draws after the change), then taps.
  const HitItem* top = ui.seen(zh_option(occupation, "public"));
  REQUIRE(top);
  CHECK_MESSAGE(Ui::fully_visible(*top), "the occupation list opens at the top");
  const HitItem* retired = ui.seen(zh_option(occupation, "retired"));
  REQUIRE(retired);
  REQUIRE(Ui::fully_visible(*retired));
  ui.tap_at(Ui::centre(*retired));
  CHECK(std::get<Choice>(ui.model.session()->answer_of("occupation")).option == "retired");
  let_advance(ui);
  if (ui.model.screen() == Screen::question)
    REQUIRE(ui.tap(ui.strings.get("zh", "nav.submit")));
  REQUIRE(ui.model.screen() == Screen::finish);
  Response r = last_saved(ui);
  CHECK(std::get<Choice>(*r.find("township")).option == "xinhua");
  CHECK(std::get<Choice>(*r.find("occupation")).option == "retired");
}

namespace {
// Larger text at 1280x800, green travel answered up to the township question by taps.
void to_township(Ui& ui) {
  REQUIRE(ui.tap(ui.strings.get("zh", "welcome.large_text")));
  REQUIRE(ui.tap(test::shipped().find("green-travel")->title.get("zh")));
  REQUIRE(ui.tap(ui.strings.get("zh", "nav.next")));
  REQUIRE(ui.tap(zh_option(*ui.model.session()->current(), "walk")));
  let_advance(ui);
  for (const char* id : {"30_44", "female"}) {
    if (ui.model.session()->current()->id == "commute_minutes") {
      REQUIRE(ui.tap("9"));
      REQUIRE(ui.tap(ui.strings.get("zh", "nav.next")));
    }
    REQUIRE(ui.tap(zh_option(*ui.model.session()->current(), id)));
    let_advance(ui);
  }
  REQUIRE(ui.model.session()->current()->id == "township");
  ui.frame(ImVec2(-1, -1), false);
}
bool unanswered(const Ui& ui, const char* qid) {
  return std::holds_alternative<std::monostate>(ui.model.session()->answer_of(qid));
}
}  // namespace

namespace {
ImGuiWindow* active_window(const char* name_part) {
  for (ImGuiWindow* w : ImGui::GetCurrentContext()->Windows)
    if (w->Active && std::strstr(w->Name, name_part)) return w;
  return nullptr;
}
}  // namespace

TEST_CASE("a finger drag scrolls the township list and selects nothing, then a tap picks what is drawn") {
  for (ImVec2 size : {ImVec2(1280, 800), ImVec2(800, 1280)}) {
    CAPTURE(size.x);
    Ui ui(size);
    to_township(ui);
    const Question& township = *ui.model.session()->current();
    ImGuiWindow* body = active_window("##body");
    REQUIRE(body);
    REQUIRE(body->ScrollMax.y > 0);  // 31 townships in larger text do not fit
    CHECK(body->ScrollbarY);         // and the bar shows it
    const HitItem* start = ui.seen(zh_option(township, "chengxi"));
    REQUIRE(start);
    float y0 = start->min.y, dist = 300 * scale_for(size);
    // Press on 城西街道 and drag up in small steps, as a finger does.
    ImVec2 from = Ui::centre(*start);
    ui.touch(from, ImVec2(from.x + 6, from.y - dist), 10);
    CHECK(unanswered(ui, "township"));
    CHECK(ui.model.session()->current()->id == "township");
    const HitItem* moved = ui.seen(zh_option(township, "chengxi"));
    REQUIRE(moved);
    // The list followed the finger (past the slop), or went as far as it goes.
    float slop = kTouchSlop * scale_for(size) * KioskModel::kTextScales[1];
    CHECK(y0 - moved->min.y >= std::min(dist - slop - 1, body->ScrollMax.y - 1));
    CHECK(body->Scroll.y > 0);
    // Drag again until 新华乡 is in full view, then tap it.
    for (int i = 0; i < 10 && !Ui::fully_visible(*ui.seen(zh_option(township, "xinhua"))); ++i)
      ui.touch(from, ImVec2(from.x, from.y - dist), 8);
    CHECK(unanswered(ui, "township"));
    const HitItem* xinhua = ui.seen(zh_option(township, "xinhua"));
    REQUIRE(Ui::fully_visible(*xinhua));
    ui.tap_at(Ui::centre(*xinhua));
    CHECK(std::get<Choice>(ui.model.session()->answer_of("township")).option == "xinhua");
    let_advance(ui);
    // The next question opens at the top: its first option, tapped where it is drawn.
    const Question& occupation = *ui.model.session()->current();
    REQUIRE(occupation.id == "occupation");
    const HitItem* first = ui.seen(zh_option(occupation, "public"));
    REQUIRE(first);
    CHECK(Ui::fully_visible(*first));
    ui.tap_at(Ui::centre(*first));
    CHECK(std::get<Choice>(ui.model.session()->answer_of("occupation")).option == "public");
  }
}

// Session 24's review tapped the round ▼ "more below" arrow, as a resident would to see
// more, and the answer drawn under it was stored. The arrow now pages the list instead.
TEST_CASE("a tap on the more-below arrow pages the list and selects nothing, and more-above pages back") {
  for (ImVec2 size : {ImVec2(1280, 800), ImVec2(800, 1280)}) {
    CAPTURE(size.x);
    Ui ui(size);
    to_township(ui);
    ImGuiWindow* body = active_window("##body");
    REQUIRE(body);
    REQUIRE(body->ScrollMax.y > 0);
    auto arrow = [&](bool down) -> std::optional<ScrollArrow> {
      ui.frame(ImVec2(-1, -1), false);
      for (const ScrollArrow& a : scroll_arrows())
        if (a.window == body->ID && a.down == down) return a;
      return std::nullopt;
    };
    REQUIRE(!arrow(false));  // at the top: nothing above
    int pages = 0;
    float last = body->Scroll.y;
    for (std::optional<ScrollArrow> a; (a = arrow(true)) && pages < 20; ++pages) {
      // The arrow's centre and a point near its edge: both page, neither answers.
      ImVec2 c((a->min.x + a->max.x) / 2, (a->min.y + a->max.y) / 2);
      ImVec2 edge(a->min.x + 2, a->max.y - 2);
      ui.tap_at(pages % 2 ? edge : c);
      CHECK(unanswered(ui, "township"));
      CHECK(ui.model.session()->current()->id == "township");
      CHECK(body->Scroll.y > last);  // it moved down, by most of a page or to the end
      CHECK((body->Scroll.y - last >= body->InnerRect.GetHeight() * 0.5f || body->Scroll.y >= body->ScrollMax.y - 1));
      last = body->Scroll.y;
    }
    CHECK(pages >= 1);
    CHECK(body->Scroll.y >= body->ScrollMax.y - 1);  // the arrow is gone at the end
    // A press on the arrow that drags is a drag: it scrolls with the finger, no page.
    std::optional<ScrollArrow> up = arrow(false);
    REQUIRE(up);
    ImVec2 uc((up->min.x + up->max.x) / 2, (up->min.y + up->max.y) / 2);
    float before = body->Scroll.y, dist = 120 * scale_for(size);
    ui.touch(uc, ImVec2(uc.x, uc.y + dist), 6);
    CHECK(unanswered(ui, "township"));
    CHECK(body->Scroll.y < before);
    CHECK(before - body->Scroll.y < dist);  // followed the finger (less the slop), not a page
    // More-above taps go back to the top, answering nothing.
    for (int i = 0; i < 20 && (up = arrow(false)); ++i) {
      ui.tap_at(ImVec2((up->min.x + up->max.x) / 2, (up->min.y + up->max.y) / 2));
      CHECK(unanswered(ui, "township"));
    }
    CHECK(body->Scroll.y == 0);
    // A card next to the arrow, outside its reach, is still a card.
    const Question& township = *ui.model.session()->current();
    const HitItem* first = ui.seen(zh_option(township, "chengdong"));
    REQUIRE(first);
    ui.tap_at(Ui::centre(*first));
    CHECK(std::get<Choice>(ui.model.session()->answer_of("township")).option == "chengdong");
  }
}

TEST_CASE("a tap that wobbles less than the slop is a tap, one that moves further is a drag and selects nothing") {
  Ui ui(ImVec2(1280, 800));
  to_township(ui);
  const Question& township = *ui.model.session()->current();
  float slop = kTouchSlop * scale_for(ui.size) * KioskModel::kTextScales[1];
  // Moved further than the slop, and back onto the same card: still not a tap.
  const HitItem* a = ui.seen(zh_option(township, "chengnan"));
  REQUIRE(a);
  ImVec2 c = Ui::centre(*a);
  ui.frame(c, true);
  ui.frame(ImVec2(c.x, c.y + slop * 1.5f), true);
  ui.frame(c, true);
  ui.frame(c, false);
  CHECK(unanswered(ui, "township"));
  // A wobble of 60% of the slop down and sideways: the card under the finger is chosen.
  a = ui.seen(zh_option(township, "chengnan"));
  c = Ui::centre(*a);
  ui.touch(c, ImVec2(c.x + slop * 0.6f, c.y + slop * 0.6f), 3);
  REQUIRE(!unanswered(ui, "township"));
  CHECK(std::get<Choice>(ui.model.session()->answer_of("township")).option == "chengnan");
}

TEST_CASE("a finger held down while the question changes acts on neither question") {
  Ui ui(ImVec2(1280, 800));
  to_township(ui);
  const Question& township = *ui.model.session()->current();
  REQUIRE(ui.tap(zh_option(township, "chengnan")));  // auto-advance pending
  // The first card sits top left in both lists: the finger is over the first option of
  // each (the same ImGui id in each question), so only the page change keeps it apart.
  const HitItem* other = ui.seen(zh_option(township, "chengdong"));
  REQUIRE(other);
  ImVec2 c(other->min.x + 10, other->min.y + 10);
  ui.frame(c, true);  // the finger goes down on 城东街道 ...
  ui.now += KioskModel::kAutoAdvanceMs + 10;
  ui.frame(c, true);  // ... the occupation question replaces the list under it ...
  ui.frame(c, true);  // ... and is drawn ...
  REQUIRE(ui.model.session()->current()->id == "occupation");
  const HitItem* public_ = ui.seen(zh_option(*ui.model.session()->current(), "public"));
  REQUIRE(public_);
  REQUIRE(c.x > public_->min.x);
  REQUIRE(c.y > public_->min.y);  // the finger is over 机关事业单位 now
  ui.frame(c, false);  // ... and it lifts
  ui.frame(ImVec2(-1, -1), false);
  CHECK(std::get<Choice>(ui.model.session()->answer_of("township")).option == "chengnan");
  CHECK(unanswered(ui, "occupation"));
}

TEST_CASE("the quiz review on the finish screen scrolls by finger, and shows that it continues") {
  Ui ui(ImVec2(1280, 800));
  REQUIRE(ui.tap(ui.strings.get("zh", "welcome.large_text")));
  REQUIRE(ui.tap(test::shipped().find("knowledge")->title.get("zh")));
  finish_by_taps(ui);
  auto review = [] { return active_window("##review"); };
  ui.frame(ImVec2(-1, -1), false);
  ImGuiWindow* w = review();
  REQUIRE(w);
  REQUIRE(w->ScrollMax.y > 0);  // ten explanations do not fit
  CHECK(w->Scroll.y == 0);
  CHECK(w->ScrollbarY);         // a visible bar
  ImVec2 from((w->InnerRect.Min.x + w->InnerRect.Max.x) / 2, (w->InnerRect.Min.y + w->InnerRect.Max.y) / 2);
  ui.touch(from, ImVec2(from.x, from.y - 200 * scale_for(ui.size)), 8);
  w = review();
  REQUIRE(w);
  CHECK(w->Scroll.y > 150 * scale_for(ui.size));
  CHECK(ui.model.screen() == Screen::finish);
}

namespace {
// The shipped questionnaires with every question shown: no skip logic, and the whole
// knowledge bank drawn, so a walk meets each question the kiosk can ever show.
const QuestionnaireSet& every_question() {
  static QuestionnaireSet out = [] {
    QuestionnaireSet s;
    for (const auto& q : test::shipped().list) {
      Questionnaire c = q;
      for (auto& qq : c.questions) qq.show_if.reset();
      if (c.bank) {
        c.bank->draw = static_cast<int>(c.bank->items.size());
        for (auto& i : c.bank->items) i.show_if.reset();
      }
      s.add(std::move(c), "{}");
    }
    return s;
  }();
  return out;
}
bool same_answer(const Answer& a, const Answer& b) {
  if (a.index() != b.index()) return false;
  if (auto* x = std::get_if<Choice>(&a)) return x->option == std::get<Choice>(b).option;
  if (auto* x = std::get_if<ChoiceSet>(&a)) return x->options == std::get<ChoiceSet>(b).options;
  if (auto* x = std::get_if<Counts>(&a)) return x->rows == std::get<Counts>(b).rows;
  if (auto* x = std::get_if<std::int64_t>(&a)) return *x == std::get<std::int64_t>(b);
  return std::holds_alternative<std::monostate>(a);
}
bool overlaps(ImVec2 a0, ImVec2 a1, ImVec2 b0, ImVec2 b1) {
  return a0.x < b1.x && b0.x < a1.x && a0.y < b1.y && b0.y < a1.y;
}

// Every tappable item of the question on screen must be reachable: the scroll region
// lies inside the window and clear of the footer's buttons, and each item in it, once
// the resident has dragged the list to it, is shown in full. Faults are collected.
void walk_question(Ui& ui, const std::string& where, std::vector<std::string>& faults, int& checked) {
  ui.frame(ImVec2(-1, -1), false);
  ImGuiWindow* body = active_window("##body");
  if (!body) return faults.push_back(where + ": no scroll region");
  ImRect clip = body->InnerClipRect;
  if (clip.Min.x < 0 || clip.Min.y < 0 || clip.Max.x > ui.size.x || clip.Max.y > ui.size.y)
    faults.push_back(where + ": the list reaches outside the window");
  if (clip.GetHeight() < 64 * scale_for(ui.size)) faults.push_back(where + ": no room left for the answers");
  auto in_body = [&](const HitItem& h) {
    return std::fabs(h.clip_min.y - clip.Min.y) < 0.5f && std::fabs(h.clip_max.y - clip.Max.y) < 0.5f &&
           std::fabs(h.clip_min.x - clip.Min.x) < 0.5f;
  };
  std::size_t n = 0;
  const float finger = 64 * scale_for(ui.size);  // the least touch target (Ui::tap)
  for (const auto& h : ui.hits) {
    if (in_body(h) && (h.max.y - h.min.y < finger || h.max.x - h.min.x < finger))
      faults.push_back(where + ": '" + h.label + "' is smaller than a fingertip");
    if (in_body(h)) ++n;
    else if (overlaps(h.min, h.max, clip.Min, clip.Max)) faults.push_back(where + ": '" + h.label + "' covers the list");
  }
  if (n == 0) return;  // a text question: nothing to tap in the body
  // Each option card holds its whole label, broken into lines as card() breaks it, with
  // its margin above and below (session 25: 公交、步行道和自行车道 took a line more than
  // the grid measured with ImGui's own wrapping, and its last line was cut off).
  const Question& cur = *ui.model.session()->current();
  if (cur.type == QuestionType::single || cur.type == QuestionType::multiple) {
    ImFont* f = ui.fonts.pick(ui.model.large_text()).body;
    for (const auto& h : ui.hits)
      for (const Option& o : cur.options)
        if (in_body(h) && h.label == o.text.get(ui.model.lang())) {
          float wrap = h.max.x - h.min.x - 2 * f->FontSize * 0.6f - f->FontSize * 1.1f;  // card()'s
          float need = measure_wrapped(f, f->FontSize, h.label, wrap).y + f->FontSize * 0.6f;
          if (h.max.y - h.min.y + 0.5f < need) faults.push_back(where + ": '" + h.label + "' is cut off in its card");
        }
  }
  const std::string qid = ui.model.session()->current()->id;
  const Answer before = ui.model.session()->answer_of(qid);
  ImVec2 mid((clip.Min.x + clip.Max.x) / 2, (clip.Min.y + clip.Max.y) / 2);
  for (std::size_t i = 0; i < n; ++i) {
    bool seen_whole = false;
    std::string label;
    for (int attempt = 0; attempt < 12 && !seen_whole; ++attempt) {
      const HitItem* it = nullptr;
      std::size_t k = 0;
      for (const auto& h : ui.hits)
        if (in_body(h) && k++ == i) { it = &h; break; }
      if (!it) break;
      label = it->label;
      if (Ui::fully_visible(*it)) { seen_whole = true; break; }
      // Drag the list so the item comes towards the middle (at most 40% of it per drag).
      float want = (it->min.y + it->max.y) / 2 - mid.y;
      float step = std::clamp(want, -clip.GetHeight() * 0.4f, clip.GetHeight() * 0.4f);
      float before = it->min.y;
      ui.touch(mid, ImVec2(mid.x, mid.y - step), 6);
      const HitItem* again = nullptr;
      k = 0;
      for (const auto& h : ui.hits)
        if (in_body(h) && k++ == i) { again = &h; break; }
      if (!again || std::fabs(again->min.y - before) < 0.5f) break;  // the list does not move any further
    }
    if (seen_whole) ++checked;
    else faults.push_back(where + ": '" + label + "' cannot be brought fully into view");
  }
  if (!ui.model.session() || !same_answer(ui.model.session()->answer_of(qid), before))
    faults.push_back(where + ": dragging to the items changed the answer");
}
}  // namespace

// Issue 12: in larger text 6 of the 31 townships sat behind Back/Next. Every question of
// every questionnaire, at 1280x800 to 3840x2160 in both orientations, in every text size
// the welcome screen's switch offers and in both languages.
TEST_CASE("reachability: every answer of every question can be dragged fully into view, at every size, orientation and text size") {
  const ImVec2 sizes[] = {{1280, 800}, {1920, 1080}, {3840, 2160}, {800, 1280}, {1080, 1920}, {2160, 3840}};
  std::vector<std::string> faults;
  int checked = 0, screens = 0;
  for (ImVec2 size : sizes) {
    Ui ui(size);
    ui.model = KioskModel(ui.cfg, every_question(), &ui.store, [&ui] { return ui.now; }, 5);
    // The text sizes on offer: the switch is pressed until it comes back to the first.
    int text_sizes = 0;
    do {
      ui.model.apply(intent::ToggleLargeText{});
      ++text_sizes;
    } while (ui.model.large_text() && text_sizes < 10);
    for (int ts = 0; ts < text_sizes; ++ts) {
      for (const char* lang : {"zh", "en"}) {
        for (const Questionnaire& qn : every_question().list) {
          REQUIRE(ui.model.screen() == Screen::welcome);
          ui.model.apply(intent::SetLang{lang});
          for (int i = 0; i < ts; ++i) ui.model.apply(intent::ToggleLargeText{});
          ui.start(qn.id);
          for (int guard = 0; guard < 100 && ui.model.screen() == Screen::question; ++guard) {
            const Question& q = *ui.model.session()->current();
            std::string where = std::to_string(int(size.x)) + "x" + std::to_string(int(size.y)) + " text size " +
                                std::to_string(ts) + " " + lang + " " + qn.id + "/" + q.id;
            walk_question(ui, where, faults, checked);
            ++screens;
            ui.model.apply(intent::Answer{first_valid_answer(q)});
            ui.model.apply(intent::Next{});
            REQUIRE_MESSAGE(ui.model.refusal().ok(), where);
          }
          REQUIRE(ui.model.screen() == Screen::finish);
          ui.now += KioskModel::kNextAbsorbMs;
          ui.model.apply(intent::Home{});
        }
      }
    }
  }
  for (std::size_t i = 0; i < faults.size() && i < 40; ++i) MESSAGE(faults[i]);
  CHECK(faults.empty());
  MESSAGE(screens, " question screens, ", checked, " answers brought fully into view");
  CHECK(screens > 6 * 2 * 2 * 60);
}
