// The resident's way through the kiosk, by touch: press and release at the positions
// the screens drew, in both text sizes and orientations.
#include <doctest/doctest.h>

#include <imgui.h>

#include "core/storage/store.hpp"
#include "core/support/time.hpp"
#include "helpers.hpp"
#include "ui/resident/frame.hpp"
#include "ui/common/headless.hpp"

using namespace eco;
using namespace eco::ui;

namespace {

// Every glyph the resident screens can show, so measured text is the drawn text.
std::string all_glyphs(const Strings& strings) {
  std::string all = "0123456789";
  auto add = [&](const LocalizedText& t) {
    for (const auto& [l, s] : t.by_lang) all += s;
  };
  for (const auto& q : test::shipped().list) {
    add(q.title);
    add(q.intro);
    auto add_q = [&](const Question& qq) {
      add(qq.text); add(qq.hint); add(qq.unit);
      for (const auto& o : qq.options) add(o.text);
      for (const auto& o : qq.rows) add(o.text);
    };
    for (const auto& qq : q.questions) add_q(qq);
    if (q.bank)
      for (const auto& qq : q.bank->items) add_q(qq);
  }
  for (const auto& lang : strings.languages())
    for (const auto& k : strings.keys(lang)) all += strings.get(lang, k);
  Config c;
  for (const auto& [l, s] : c.district_title) all += s;
  for (const auto& [l, s] : c.hall_name) all += s;
  return all;
}

Strings load_strings() {
  Strings s;
  std::vector<std::string> errors;
  s.load_dir(test::source_dir() + "/assets/i18n", errors);
  REQUIRE(errors.empty());
  return s;
}

struct Kiosk : test::KioskRig {
  Strings strings = load_strings();
  ImVec2 size;
  std::string glyphs = all_glyphs(strings);
  Headless headless;
  std::vector<HitItem>& hits = headless.hits;
  bool large_built = false;

  explicit Kiosk(ImVec2 sz) : KioskRig(21), size(sz), headless(sz, scale_for(sz), glyphs) {
    REQUIRE(headless.fonts_found);
  }
  float scale() const { return scale_for(size) * model.text_scale(); }
  const FontSet& fonts() const { return headless.fonts.pick(model.large_text()); }
  // One frame as the kiosk draws it: the text size in use is baked (as the window does
  // on a switch), the view scaled by it, and whatever the frame asked for applied.
  void frame(ImVec2 mouse, bool down) {
    if (model.large_text() != large_built) {
      build_fonts(headless.fonts, find_cjk_font(), scale_for(size), glyphs, {}, model.large_text());
      unsigned char* px;
      int w, h;
      ImGui::GetIO().Fonts->GetTexDataAsRGBA32(&px, &w, &h);
      large_built = model.large_text();
    }
    headless.begin_frame(mouse, down);
    View v{strings, model, fonts(), scale(), size, size.y > size.x};
    Intent in = draw_frame(v);
    ImGui::Render();
    model.apply(in);
    model.tick();
  }
  std::optional<HitItem> find(const std::string& label, int nth = 0) {
    frame(ImVec2(-1, -1), false);
    for (const auto& h : hits)
      if (h.label == label && nth-- == 0) return h;
    return std::nullopt;
  }
  // Press and release at a point, with a frame either side.
  void press_release(ImVec2 at) {
    frame(at, false);
    frame(at, true);
    frame(at, false);
    frame(ImVec2(-1, -1), false);
  }
  bool tap(const std::string& label, int nth = 0) {
    auto h = find(label, nth);
    if (!h) return false;
    press_release(ImVec2((h->min.x + h->max.x) / 2, (h->min.y + h->max.y) / 2));
    return true;
  }
  std::string t(const char* key) { return strings.get(model.lang(), key); }
  const Question& current() const { return *model.session()->current(); }
  std::string option_text(const std::string& id) { return current().find_option(id)->text.get(model.lang()); }
  // Taps the first option shown (if any), then Next or 提交 if the screen shows it and
  // the question did not move on by itself.
  void answer_by_taps() {
    const Question& cur = current();
    if (cur.type == QuestionType::integer) REQUIRE_MESSAGE(tap("2"), cur.id);  // the number pad
    if (!cur.options.empty()) {
      auto order = model.session()->options_in_order(cur);
      REQUIRE_MESSAGE(tap(order.front()->text.get(model.lang())), cur.id);
    }
    if (model.screen() != Screen::question || &current() != &cur) return;
    REQUIRE_MESSAGE(tap(t(model.session()->progress().last ? "nav.submit" : "nav.next")), cur.id);
  }
  void finish_by_taps() {
    for (int guard = 0; guard < 60 && model.screen() == Screen::question; ++guard) answer_by_taps();
    REQUIRE_MESSAGE(model.screen() == Screen::finish, (model.session() && model.session()->current() ? model.session()->current()->id : std::string("-")));
  }
  Response last_saved() {
    Response out;
    store.each({}, [&](const Response& r) {
      out = r;
      return true;
    });
    return out;
  }
};

}  // namespace

TEST_CASE("by touch: a touch on the thanks screen at 25 s keeps it open past 30 s, 看完了 leaves at once") {
  Kiosk k(ImVec2(1920, 1080));
  REQUIRE(k.tap(test::shipped().find("knowledge")->title.get("zh")));
  k.finish_by_taps();
  TimeMs done = k.now;
  REQUIRE(k.find(k.t("finish.done")));
  k.now = done + 25'000;
  k.press_release(ImVec2(k.size.x * 0.5f, k.size.y * 0.5f));  // on the explanations, not a button
  k.now = done + 31'000;
  k.frame(ImVec2(-1, -1), false);
  CHECK(k.model.screen() == Screen::finish);
  k.now = done + 56'000;
  k.frame(ImVec2(-1, -1), false);
  CHECK(k.model.screen() == Screen::welcome);
  // The next resident reads nothing and taps 看完了.
  REQUIRE(k.tap(test::shipped().find("green-travel")->title.get("zh")));
  k.finish_by_taps();
  REQUIRE(k.tap(k.t("finish.done")));
  CHECK(k.model.screen() == Screen::welcome);
  CHECK(k.store.count() == 2);
}

TEST_CASE("by touch: option then Next moves exactly one question and never shows an error the resident did not cause") {
  Kiosk k(ImVec2(1280, 800));
  REQUIRE(k.tap(test::shipped().find("satisfaction")->title.get("zh")));
  REQUIRE(k.current().id == "sat_air");
  CHECK(!k.find(k.t("nav.next")));  // an unanswered pick-one question has no Next to collide with
  // Quick: Next while the choice is still lighting up.
  REQUIRE(k.tap(k.option_text("satisfied")));
  k.now += 300;
  REQUIRE(k.tap(k.t("nav.next")));
  CHECK(k.current().id == "sat_rivers");
  CHECK(k.model.refusal().ok());
  // Slower: the page has just moved on by itself when the finger reaches Next.
  REQUIRE(k.tap(k.option_text("neutral")));
  auto next = k.find(k.t("nav.next"));
  REQUIRE(next);
  k.now += KioskModel::kAutoAdvanceMs + 100;
  k.frame(ImVec2(-1, -1), false);
  REQUIRE(k.current().id == "sat_drinking_water");
  k.press_release(ImVec2((next->min.x + next->max.x) / 2, (next->min.y + next->max.y) / 2));
  CHECK(k.current().id == "sat_drinking_water");
  CHECK(k.model.refusal().ok());  // no red "请先回答本题再继续"
  CHECK(!answered(k.model.session()->answer_of("sat_drinking_water")));
  CHECK(std::get<Choice>(k.model.session()->answer_of("sat_rivers")).option == "neutral");
}

TEST_CASE("by touch: the last single-choice question is not submitted until 提交 is tapped") {
  Kiosk k(ImVec2(1080, 1920));
  REQUIRE(k.tap(test::shipped().find("satisfaction")->title.get("zh")));
  for (int guard = 0; guard < 40 && k.current().id != "occupation"; ++guard) k.answer_by_taps();
  REQUIRE(k.current().id == "occupation");
  REQUIRE(k.find(k.t("nav.submit")));
  REQUIRE(k.tap(k.option_text("retired")));
  k.now += 10'000;
  k.frame(ImVec2(-1, -1), false);
  CHECK(k.model.screen() == Screen::question);
  CHECK(k.store.count() == 0);
  REQUIRE(k.tap(k.t("nav.submit")));
  REQUIRE(k.model.screen() == Screen::finish);
  Response r = k.last_saved();
  CHECK(std::get<Choice>(*r.find("occupation")).option == "retired");
  CHECK(r.find("comment") == nullptr);  // never shown: nobody can type on the kiosk yet
}

TEST_CASE("by touch: Back five times from question 3, then walk away") {
  Kiosk k(ImVec2(1920, 1080));
  REQUIRE(k.tap(test::shipped().find("green-travel")->title.get("zh")));
  REQUIRE(k.tap("+", 0));
  REQUIRE(k.tap(k.t("nav.next")));
  REQUIRE(k.tap(k.option_text("car")));
  k.now += KioskModel::kAutoAdvanceMs + 10;
  k.frame(ImVec2(-1, -1), false);
  REQUIRE(k.current().id == "commute_minutes");
  // Five taps where 上一题 is drawn: two reach question 1, the third asks, and the dialog
  // on top takes the last two (the button beneath is still drawn but not reachable).
  for (int i = 0; i < 5; ++i) REQUIRE(k.tap(k.t("nav.back")));
  CHECK(k.current().id == "trips");
  CHECK(k.model.leave_asked() == LeaveAsk::back_on_first);
  CHECK(k.find(k.t("leave.stay")));
  CHECK(k.store.abandoned_count() == 0);
  k.now += (k.cfg.first_question_idle_seconds + k.cfg.countdown_seconds) * 1000LL + 1000;
  k.frame(ImVec2(-1, -1), false);
  CHECK(k.model.screen() == Screen::welcome);
  CHECK(k.store.count() == 0);
  CHECK(k.store.abandoned_count() == 1);
}

TEST_CASE("by touch: 退出 asks, 继续答题 keeps the answers, 退出问卷 leaves, 重新开始 on the idle overlay") {
  Kiosk k(ImVec2(1280, 800));
  REQUIRE(k.tap(test::shipped().find("satisfaction")->title.get("zh")));
  k.answer_by_taps();
  REQUIRE(k.tap(k.t("nav.quit_survey")));
  CHECK(k.model.leave_asked() == LeaveAsk::quit);
  REQUIRE(k.tap(k.t("leave.stay")));
  CHECK(k.model.screen() == Screen::question);
  CHECK(answered(k.model.session()->answer_of("sat_air")));
  REQUIRE(k.tap(k.t("nav.quit_survey")));
  REQUIRE(k.tap(k.t("leave.confirm")));
  CHECK(k.model.screen() == Screen::welcome);
  CHECK(k.store.abandoned_count() == 1);
  // A stranger's survey left on question 2: the next person starts over from the overlay.
  REQUIRE(k.tap(test::shipped().find("knowledge")->title.get("zh")));
  k.answer_by_taps();
  k.now += k.cfg.idle_seconds * 1000LL + 1000;
  k.frame(ImVec2(-1, -1), false);
  REQUIRE(k.model.idle_overlay());
  REQUIRE(k.tap(k.t("idle.start_over")));
  CHECK(k.model.screen() == Screen::welcome);
  CHECK(k.store.abandoned_count() == 2);
}

TEST_CASE("by touch: language and text size switched on question 4 keep the answers, the stored response has them all") {
  for (ImVec2 size : {ImVec2(1920, 1080), ImVec2(1080, 1920)}) {
    Kiosk k(size);
    REQUIRE(k.tap(test::shipped().find("satisfaction")->title.get("zh")));
    for (int i = 0; i < 3; ++i) k.answer_by_taps();
    REQUIRE(k.current().id == "sat_noise");
    REQUIRE(k.tap("English"));
    CHECK(k.model.lang() == "en");
    REQUIRE(k.tap(k.t("welcome.large_text")));
    CHECK(k.model.large_text());
    CHECK(k.current().id == "sat_noise");
    for (const char* id : {"sat_air", "sat_rivers", "sat_drinking_water"})
      CHECK_MESSAGE(answered(k.model.session()->answer_of(id)), id);
    // The header's switches are drawn in the new language and size, still reachable.
    auto back_to_normal = k.find(k.t("welcome.normal_text"));
    REQUIRE(back_to_normal);
    CHECK(back_to_normal->max.x <= size.x);
    CHECK(back_to_normal->max.y - back_to_normal->min.y >= 64 * k.scale());
    k.finish_by_taps();
    Response r = k.last_saved();
    CHECK(r.lang == "en");
    CHECK(static_cast<int>(r.answers.size()) == r.visible_questions);  // every question shown has its answer
    for (const char* id : {"sat_air", "sat_rivers", "sat_drinking_water", "sat_noise", "occupation"})
      CHECK_MESSAGE(r.find(id), id);
  }
}

TEST_CASE("welcome in both text sizes and orientations: cards fit, titles on one line, 开始 is a button in each card") {
  for (ImVec2 size : {ImVec2(1280, 800), ImVec2(1920, 1080), ImVec2(1080, 1920), ImVec2(3840, 2160)}) {
    for (bool large : {false, true}) {
      CAPTURE(size.x);
      CAPTURE(size.y);
      CAPTURE(large);
      Kiosk k(size);
      if (large) REQUIRE(k.tap(k.t("welcome.large_text")));
      k.frame(ImVec2(-1, -1), false);
      auto offered = k.model.offered();
      REQUIRE(offered.size() == 3);
      for (std::size_t i = 0; i < offered.size(); ++i) {
        std::string title = offered[i]->title.get("zh");
        auto card = k.find(title);
        auto start = k.find(k.t("welcome.start"), static_cast<int>(i));
        REQUIRE(card);
        REQUIRE(start);
        // Nothing cut off: the card is on screen and its 开始 inside it, as tall as a touch target.
        CHECK(card->min.x >= 0);
        CHECK(card->max.x <= size.x);
        CHECK(card->max.y <= size.y);
        CHECK(start->min.x >= card->min.x);
        CHECK(start->max.x <= card->max.x);
        CHECK(start->min.y >= card->min.y);
        CHECK(start->max.y <= card->max.y);
        CHECK(start->max.y - start->min.y >= 64 * k.scale());
        // The title fits on one line in the body font at least, so 满意度调查 is never split.
        ImFont* body = k.fonts().body;
        float pad = body->FontSize * 0.6f;
        CHECK(measure_wrapped(body, body->FontSize, title, FLT_MAX).x <= card->max.x - card->min.x - 2 * pad);
      }
    }
  }
  // 开始 starts the questionnaire of its own card.
  Kiosk k(ImVec2(1280, 800));
  REQUIRE(k.tap(k.t("welcome.large_text")));
  REQUIRE(k.tap(k.t("welcome.start"), 1));
  REQUIRE(k.model.screen() == Screen::question);
  CHECK(k.model.session()->questionnaire().id == k.model.offered()[1]->id);
}

TEST_CASE("line breaking: at punctuation and spaces before inside a word, numbers keep their word") {
  Kiosk k(ImVec2(1920, 1080));
  ImFont* f = k.fonts().body;
  float s = f->FontSize;
  auto lines = [&](const std::string& text, float width) {
    std::vector<std::string> out;
    for (const auto& l : wrap_lines(f, s, text.data(), text.data() + text.size(), width)) out.emplace_back(l.begin, l.end);
    return out;
  };
  auto width_of = [&](const std::string& text) { return measure_wrapped(f, s, text, FLT_MAX).x; };
  // Room for a bit more than the first clause: the line breaks after the comma, not mid-clause.
  std::string intro = "10道小题,答完即可看到正确答案和讲解。匿名填写,约4分钟。";
  auto l1 = lines(intro, width_of("10道小题,答完即可"));
  REQUIRE(l1.size() >= 2);
  CHECK(l1[0] == "10道小题,");
  CHECK(l1[1].rfind("答完", 0) == 0);
  // A closing mark never starts a line; it may hang at the end of the one before.
  for (const auto& l : lines(intro, width_of("10道小题"))) CHECK(l.rfind(",", 0) != 0);
  // "约 4 分钟" stays whole where the line breaks at the · instead.
  std::string facts = "共 15 题,其中知识题 10 道  ·  约 4 分钟";
  auto l2 = lines(facts, width_of("共 15 题,其中知识题 10 道  ·  约 4"));
  REQUIRE(l2.size() == 2);
  CHECK(l2[1] == "约 4 分钟");
  // No place to break: between characters, each line within the width.
  std::string title = "生态文明建设满意度调查";
  float narrow = width_of("生态文明");
  auto l3 = lines(title, narrow);
  CHECK(l3.size() == 3);
  for (const auto& l : l3) CHECK(width_of(l) <= narrow + 0.5f);
  std::string joined;
  for (const auto& l : l3) joined += l;
  CHECK(joined == title);
  // A forced break and English words.
  auto l4 = lines("Larger text\nStandard text", width_of("Larger text Standard"));
  REQUIRE(l4.size() == 2);
  CHECK(l4[0] == "Larger text");
  auto l5 = lines("Take a short survey and help build a beautiful home", width_of("Take a short survey"));
  CHECK(l5[0] == "Take a short survey");
}

// The header's switches and 退出 sit above every kind of answer area: a number pad or a
// trip-count stepper must not swallow what they ask for (a review found both dead there).
TEST_CASE("by touch: on every question of every questionnaire the language switch and 退出 answer the tap") {
  for (const char* id : {"green-travel", "knowledge", "satisfaction"}) {
    Kiosk k(ImVec2(1280, 800));
    REQUIRE(k.tap(test::shipped().find(id)->title.get("zh")));
    for (int guard = 0; guard < 60 && k.model.screen() == Screen::question; ++guard) {
      std::string qid = k.current().id;
      REQUIRE_MESSAGE(k.tap("English"), qid);
      CHECK_MESSAGE(k.model.lang() == "en", qid);
      REQUIRE_MESSAGE(k.tap("中文"), qid);
      CHECK_MESSAGE(k.model.lang() == "zh", qid);
      REQUIRE_MESSAGE(k.tap(k.t("nav.quit_survey")), qid);
      CHECK_MESSAGE(k.model.leave_asked() != LeaveAsk::none, qid);
      REQUIRE_MESSAGE(k.tap(k.t("leave.stay")), qid);
      CHECK_MESSAGE(k.model.leave_asked() == LeaveAsk::none, qid);
      CHECK_MESSAGE(k.current().id == qid, qid);
      k.answer_by_taps();
    }
    CHECK(k.model.screen() == Screen::finish);
  }
}
