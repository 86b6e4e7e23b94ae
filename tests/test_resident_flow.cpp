// The resident's way through the kiosk, on the model: timers that follow the finger,
// a way out that asks first, one auto-advance model, counts that never go backwards,
// and no free-text question on a screen without a keyboard.
#include <doctest/doctest.h>

#include <sstream>

#include "core/storage/store_access.hpp"
#include "core/storage/interchange.hpp"
#include "core/support/time.hpp"
#include "core/storage/store.hpp"
#include "helpers.hpp"
#include "kiosk/kiosk_model.hpp"

using namespace eco;

namespace {
struct Rig : test::KioskRig {
  Rig() : KioskRig(11) {}
  void act(const Intent& in) { apply(in); }
  void touch_screen() {  // a finger on the glass, on nothing in particular
    model.apply(intent::Touch{});
  }
  const Question& current() const { return *model.session()->current(); }
  static Answer first_answer(const Question& q) {
    switch (q.type) {
      case QuestionType::single:
      case QuestionType::rating: return Choice{q.options.front().id};
      case QuestionType::multiple: return ChoiceSet{{q.options.front().id}};
      case QuestionType::count_matrix: return Counts{{{q.rows.front().id, 1}}};
      case QuestionType::integer: return q.min;
      case QuestionType::text: return Text{"x"};
    }
    return {};
  }
  // Answers the question on screen and moves on, as a resident who taps Next.
  void answer_and_next() {
    act(intent::Answer{first_answer(current())});
    act(intent::Next{});
  }
  void finish() {
    for (int i = 0; i < 100 && model.screen() == Screen::question; ++i) answer_and_next();
    REQUIRE(model.screen() == Screen::finish);
  }
};
}  // namespace

TEST_CASE("thanks screen: a touch at 25 s keeps it open past 30 s, left alone it returns, 看完了 leaves at once but in the first second") {
  Rig r;
  r.act(intent::Start{"knowledge"});
  r.finish();
  TimeMs done = r.now;
  r.now = done + 25'000;
  r.model.tick();
  r.touch_screen();  // reading the explanations
  r.now = done + 31'000;
  r.model.tick();
  CHECK(r.model.screen() == Screen::finish);
  CHECK(r.model.finish_seconds_left() == r.cfg.finish_seconds - 6);
  CHECK(r.model.next_deadline() <= done + 25'000 + r.cfg.finish_seconds * 1000LL);
  r.now = done + 25'000 + r.cfg.finish_seconds * 1000LL;
  r.model.tick();
  CHECK(r.model.screen() == Screen::welcome);
  // Another resident taps 看完了 (the home intent) straight away: not in the very
  // instant the thanks appear (that is a double tap on 提交, drawn where 看完了 is), but
  // as soon as anyone could have read them.
  r.act(intent::Start{"satisfaction"});
  r.finish();
  r.act(intent::Home{});
  CHECK(r.model.screen() == Screen::finish);
  r.now += KioskModel::kNextAbsorbMs - 1;
  r.act(intent::Home{});
  CHECK(r.model.screen() == Screen::finish);
  // A tap held lengthens the hold until the taps pause 0.6 s.
  r.now += KioskModel::kAnswerAbsorbMs - 1;
  r.act(intent::Home{});
  CHECK(r.model.screen() == Screen::finish);
  r.now += KioskModel::kAnswerAbsorbMs;
  r.act(intent::Home{});
  CHECK(r.model.screen() == Screen::welcome);
  CHECK(r.store.count() == 2);
}

TEST_CASE("退出 asks first, staying keeps every answer, leaving is recorded as abandoned, answers not kept") {
  Rig r;
  r.act(intent::Start{"satisfaction"});
  r.answer_and_next();
  r.answer_and_next();
  REQUIRE(r.current().id == "sat_drinking_water");
  r.act(intent::Quit{});
  CHECK(r.model.leave_asked() == LeaveAsk::quit);
  // While the question is asked, taps meant for the screen below change nothing.
  r.act(intent::Answer{Choice{"neutral"}});
  r.act(intent::Next{});
  r.act(intent::Back{});
  CHECK(r.current().id == "sat_drinking_water");
  CHECK(!answered(r.model.session()->answer_of("sat_drinking_water")));
  r.act(intent::CancelLeave{});
  CHECK(r.model.leave_asked() == LeaveAsk::none);
  CHECK(answered(r.model.session()->answer_of("sat_air")));
  CHECK(answered(r.model.session()->answer_of("sat_rivers")));
  r.act(intent::Quit{});
  r.act(intent::ConfirmLeave{});
  CHECK(r.model.screen() == Screen::welcome);
  CHECK(r.model.session() == nullptr);
  CHECK(r.store.count() == 0);
  REQUIRE(r.store.abandoned_count() == 1);
  Stmt s(StoreAccess::db(r.store), "SELECT last_question, answered FROM abandoned");
  REQUIRE(s.step());
  CHECK(s.text(0) == "sat_drinking_water");
  CHECK(s.i64(1) == 2);
}

TEST_CASE("Back five times from question 3, then walk away: asked once, nothing lost early, then abandoned") {
  Rig r;
  r.act(intent::SetLang{"en"});
  r.act(intent::Start{"green-travel"});
  r.answer_and_next();                                    // trips
  r.act(intent::Answer{Choice{"car"}, true});   // commute: moves on by itself
  r.now += KioskModel::kAutoAdvanceMs;
  r.model.tick();
  REQUIRE(r.current().id == "commute_minutes");
  r.now += KioskModel::kAnswerAbsorbMs;  // sees the page moved (a tap sooner is a double tap's)
  for (int i = 0; i < 5; ++i) r.act(intent::Back{});
  // Two Backs reach question 1; the third asks; the dialog takes the last two.
  CHECK(r.current().id == "trips");
  CHECK(r.model.leave_asked() == LeaveAsk::back_on_first);
  CHECK(r.store.abandoned_count() == 0);
  CHECK(std::get<Choice>(r.model.session()->answer_of("commute")).option == "car");
  // Walked away: on question 1 the shorter limit applies (its 99 characters' reading
  // time, under the usual minute).
  REQUIRE(r.model.idle_limit_seconds() < r.cfg.idle_seconds);
  r.now += r.model.idle_limit_seconds() * 1000LL;
  r.model.tick();
  CHECK(r.model.idle_overlay());
  r.now += r.cfg.countdown_seconds * 1000LL;
  r.model.tick();
  CHECK(r.model.screen() == Screen::welcome);
  CHECK(r.model.leave_asked() == LeaveAsk::none);
  CHECK(r.model.lang() == r.cfg.default_lang);
  CHECK(r.store.count() == 0);
  REQUIRE(r.store.abandoned_count() == 1);
  Stmt s(StoreAccess::db(r.store), "SELECT last_question, answered FROM abandoned");
  REQUIRE(s.step());
  CHECK(s.text(0) == "trips");
  CHECK(s.i64(1) == 2);
}

TEST_CASE("idle: shorter limit on the first question, the usual one after, 重新开始 ends a stranger's survey at once") {
  Rig r;
  REQUIRE(r.cfg.first_question_idle_seconds < r.cfg.idle_seconds);
  r.model.apply(intent::Start{"satisfaction"});  // nothing touched after: the clock counts from 开始
  r.now += (r.cfg.first_question_idle_seconds - 1) * 1000LL;
  r.model.tick();
  CHECK(!r.model.idle_overlay());
  CHECK(r.model.next_deadline() == r.now + 1000);
  r.now += 1000;
  r.model.tick();
  CHECK(r.model.idle_overlay());
  // A touch beside the buttons does not answer "still there?": the press on 重新开始
  // must not hide the overlay before its release, and the next person must choose.
  r.touch_screen();
  CHECK(r.model.idle_overlay());
  r.act(intent::ContinueSession{});
  CHECK(!r.model.idle_overlay());
  r.answer_and_next();
  r.now += r.cfg.first_question_idle_seconds * 1000LL + 1000;
  r.model.tick();
  CHECK(!r.model.idle_overlay());  // question 2: the resident is reading, not gone
  r.now += (r.cfg.idle_seconds - r.cfg.first_question_idle_seconds) * 1000LL;
  r.model.tick();
  REQUIRE(r.model.idle_overlay());
  r.act(intent::StartOver{});  // the next person
  CHECK(r.model.screen() == Screen::welcome);
  CHECK(r.model.session() == nullptr);
  CHECK(r.store.abandoned_count() == 1);
}

TEST_CASE("first_question_idle_seconds is range-checked like the other settings") {
  test::TempDir dir;
  std::string f = dir.write("c.json", R"({"first_question_idle_seconds":3})");
  auto c = load_config(f);
  CHECK(c.config.first_question_idle_seconds == 20);
  REQUIRE(c.errors.size() == 1);
  CHECK(c.errors[0] == f + ": first_question_idle_seconds: 3 is outside 10..600; keeping 20");
  f = dir.write("d.json", R"({"first_question_idle_seconds":45})");
  CHECK(load_config(f).config.first_question_idle_seconds == 45);
  Config bad;
  bad.first_question_idle_seconds = 700;
  CHECK(check_config(bad).size() == 1);
  // Saved and read back.
  Config good;
  good.first_question_idle_seconds = 30;
  REQUIRE(save_config(dir.file("e.json"), good).empty());
  CHECK(load_config(dir.file("e.json")).config.first_question_idle_seconds == 30);
}

TEST_CASE("auto-advance: option then Next moves exactly one question, early or just after the advance, with no error") {
  for (TimeMs next_after : {TimeMs{300}, TimeMs{800}, TimeMs{1500}}) {
    CAPTURE(next_after);
    Rig r;
    r.act(intent::Start{"satisfaction"});
    CHECK(!r.model.next_shown());  // nothing chosen: picking moves on, no Next to collide
    r.act(intent::Answer{Choice{"satisfied"}, true});
    CHECK(r.model.next_shown());
    TimeMs tapped = r.now;
    if (next_after > KioskModel::kAutoAdvanceMs) {  // the loop wakes at the advance's deadline
      r.now = tapped + KioskModel::kAutoAdvanceMs;
      r.model.tick();
      CHECK(r.current().id == "sat_rivers");
    }
    r.now = tapped + next_after;
    r.model.tick();
    r.act(intent::Next{});
    r.now = tapped + 5000;
    r.model.tick();
    CHECK(r.current().id == "sat_rivers");
    CHECK(r.model.refusal().ok());
    CHECK(!answered(r.model.session()->answer_of("sat_rivers")));
  }
}

// An elderly resident often taps twice: the second tap, landing just after the page moved
// on by itself, must not answer a question they have not read (a review stored one).
TEST_CASE("auto-advance: a second tap just after the page moved answers nothing, a later one does") {
  Rig r;
  r.act(intent::Start{"satisfaction"});
  r.act(intent::Answer{Choice{"dissatisfied"}, true});
  TimeMs tapped = r.now;
  r.now = tapped + KioskModel::kAutoAdvanceMs;
  r.model.tick();
  REQUIRE(r.current().id == "sat_rivers");
  r.now += 400;  // the double tap's second half, on the new page
  r.act(intent::Answer{Choice{"dissatisfied"}, true});
  r.model.tick();
  CHECK(!answered(r.model.session()->answer_of("sat_rivers")));
  r.now += 5000;
  r.model.tick();
  CHECK(r.current().id == "sat_rivers");  // nothing moved it on
  // A resident who has read the question answers it as usual.
  r.act(intent::Answer{Choice{"satisfied"}, true});
  CHECK(answered(r.model.session()->answer_of("sat_rivers")));
  CHECK(std::get<Choice>(r.model.session()->answer_of("sat_air")).option == "dissatisfied");
}

TEST_CASE("the last question never submits itself: 提交 must be tapped") {
  Rig r;
  r.act(intent::Start{"satisfaction"});
  while (r.current().id != "occupation") r.answer_and_next();
  CHECK(r.model.session()->progress().last);
  CHECK(!r.model.auto_advances());
  CHECK(r.model.next_shown());  // 提交 shows before any answer
  r.act(intent::Answer{Choice{"retired"}, true});  // as the screen sends a pick
  CHECK(!r.model.auto_advance_pending());
  r.now += 10'000;
  r.model.tick();
  CHECK(r.model.screen() == Screen::question);
  CHECK(r.store.count() == 0);
  r.act(intent::Next{});
  CHECK(r.model.screen() == Screen::finish);
  CHECK(r.store.count() == 1);
}

TEST_CASE("the kiosk never shows a free-text question, the response still saves, validates and travels") {
  Rig r;
  const Questionnaire& q = *test::shipped().find("satisfaction");
  REQUIRE(q.find("comment"));
  REQUIRE(q.find("comment")->type == QuestionType::text);
  r.act(intent::Start{"satisfaction"});
  for (int i = 0; i < 100 && r.model.screen() == Screen::question; ++i) {
    CHECK(r.current().type != QuestionType::text);
    r.answer_and_next();
  }
  REQUIRE(r.model.screen() == Screen::finish);
  const Response& resp = *r.model.finished();
  CHECK(resp.find("comment") == nullptr);
  CHECK(resp.visible_questions == count_questions(q, false).most);
  CHECK(r.store.count() == 1);
  // It is a valid response of the unchanged questionnaire: checked, exported and imported.
  Response copy = resp;
  CHECK(validate_response(q, copy).empty());
  std::string line = response_to_line(resp);
  ParsedLine parsed = parse_response_line(line, test::shipped());
  CHECK(parsed.error.empty());
  test::TempDir dir;
  Store other(dir.file("other.db"));
  std::istringstream in(line + "\n");
  ImportReport report;
  import_jsonl(in, "kiosk.jsonl", other, test::shipped(), report);
  CHECK(other.count() == 1);
  // Elsewhere (a session that can type) the question is still asked.
  SessionOptions o;
  Session typed(q, o);
  CHECK(typed.visible("comment"));
  CHECK(count_questions(q, true).most == count_questions(q, false).most + 1);
}

namespace {
// Walks a session at random, forwards and back, changing answers (which shows and hides
// conditional questions both ways), and checks the counts a resident is shown.
void walk_checking_progress(const Questionnaire& q, std::uint64_t seed, bool ask_text) {
  SessionOptions o;
  o.seed = seed;
  o.ask_text = ask_text;
  Session s(q, o);
  Rng rng(seed * 7 + 1);
  QuestionCount count = count_questions(q, ask_text);
  Progress p = s.progress();
  CHECK(p.expected == count.most);  // the welcome card's number is where progress starts
  CHECK(p.position == 1);
  for (int step = 0; step < 400 && !s.at_end(); ++step) {
    const Question& cur = *s.current();
    Progress before = s.progress();
    CHECK(before.position <= before.expected);
    CHECK(before.total <= before.expected);
    CHECK(before.expected <= count.most);
    CHECK(before.last == (before.position == before.total));
    if (before.last) CHECK(before.expected == before.position);  // the bar is full on the last question
    int what = static_cast<int>(rng.below(10));
    if (what < 4) {
      // Answer (or change the answer): nothing on this screen moves.
      Answer a;
      if (!cur.options.empty()) {
        auto opts = s.options_in_order(cur);
        const Option* o1 = opts[rng.below(opts.size())];
        if (cur.type == QuestionType::multiple) a = ChoiceSet{{o1->id}};
        else a = Choice{o1->id};
      } else if (cur.type == QuestionType::count_matrix) {
        a = Counts{{{cur.rows[rng.below(cur.rows.size())].id, static_cast<int>(rng.below(4))}}};
      } else if (cur.type == QuestionType::integer) {
        a = cur.min + static_cast<std::int64_t>(rng.below(30));
      }
      s.answer(a);
      Progress after = s.progress();
      CHECK(after.position == before.position);
      CHECK(after.expected == before.expected);
    } else if (what < 8) {
      if (!s.next().ok()) continue;
      if (s.at_end()) break;
      Progress after = s.progress();
      CHECK(after.position == before.position + 1);
      CHECK(after.expected <= before.expected);  // the total never grows going forward
      // ... so the bar only moves forward.
      CHECK(static_cast<double>(after.position) / after.expected >
            static_cast<double>(before.position) / before.expected);
    } else {
      s.back();
    }
  }
}
}  // namespace

TEST_CASE("progress: the welcome count, the text and the bar agree and never go backwards, skip logic both ways") {
  int with_skip_logic = 0;
  for (const auto& q : test::shipped().list) {
    bool skips = false;
    for (const auto& qq : q.questions) skips |= static_cast<bool>(qq.show_if);
    with_skip_logic += skips;
    for (std::uint64_t seed = 1; seed <= 60; ++seed) {
      CAPTURE(q.id);
      CAPTURE(seed);
      // A kiosk with a way to write asks the comment too (and its card counts it).
      for (bool ask_text : {false, true}) walk_checking_progress(q, seed, ask_text);
    }
  }
  CHECK(with_skip_logic >= 1);  // green travel: commute hides and shows three questions
  // The case the issue saw: green travel no longer goes from 7 to 9 mid-survey.
  SessionOptions o;
  o.ask_text = false;
  Session s(*test::shipped().find("green-travel"), o);
  CHECK(s.progress().expected == 9);
  s.next();  // trips: zero is an answer
  s.answer(Choice{"bus"});
  CHECK(s.progress().expected == 9);  // nothing settled while the answer can still change
  s.next();
  CHECK(s.progress().expected == 7);  // barriers and would_switch will not be asked
  CHECK(s.progress().position == 3);
  s.back();
  s.answer(Choice{"car"});
  s.next();
  CHECK(s.progress().expected == 9);
  CHECK(s.progress().position == 3);
}
