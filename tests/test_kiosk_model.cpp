#include <doctest/doctest.h>

#include "core/storage/store_access.hpp"
#include "core/storage/store.hpp"
#include "core/support/time.hpp"
#include "helpers.hpp"
#include "kiosk/kiosk_model.hpp"

using namespace eco;

namespace {
struct Rig : test::KioskRig {
  Rig() : KioskRig(99) {}

  void act(Intent::Kind k, std::string id = {}, Answer a = {}, bool advance = false) {
    Intent in;
    in.kind = k;
    in.id = std::move(id);
    in.answer = std::move(a);
    in.advance = advance;
    model.apply(in);
  }
  // Answers whatever is on screen with its first option (or nothing) and goes on.
  void fill_to_end() {
    for (int i = 0; i < 100 && model.screen() == Screen::question; ++i) {
      const Question& q = *model.session()->current();
      Answer a;
      if (q.type == QuestionType::single || q.type == QuestionType::rating) a = Choice{q.options.front().id};
      else if (q.type == QuestionType::multiple) a = ChoiceSet{{q.options.front().id}};
      else if (q.type == QuestionType::count_matrix) a = Counts{{{q.rows.front().id, 1}}};
      else if (q.type == QuestionType::integer) a = q.min;
      act(Intent::Kind::answer, {}, a);
      act(Intent::Kind::next);
    }
  }
};
}  // namespace

TEST_CASE("a full run of each questionnaire is saved, and the thanks screen returns home by itself") {
  Rig r;
  for (const char* id : {"knowledge", "satisfaction", "green-travel"}) {
    r.act(Intent::Kind::start, id);
    REQUIRE(r.model.screen() == Screen::question);
    r.fill_to_end();
    REQUIRE(r.model.screen() == Screen::finish);
    CHECK(r.model.last_saved());
    CHECK(r.store.count({.questionnaire = id}) == 1);
    r.now += r.cfg.finish_seconds * 1000LL;
    r.model.tick();
    CHECK(r.model.screen() == Screen::welcome);
    CHECK(!r.model.finished());
  }
  CHECK(r.store.count() == 3);
}

TEST_CASE("single choice auto-advances after a visible confirmation") {
  Rig r;
  r.act(Intent::Kind::start, "satisfaction");
  r.act(Intent::Kind::answer, {}, Choice{"satisfied"}, true);
  CHECK(r.model.auto_advance_pending());
  CHECK(r.model.session()->current()->id == "sat_air");  // still showing the choice
  CHECK(r.model.next_deadline() == r.now + KioskModel::kAutoAdvanceMs);
  r.now += KioskModel::kAutoAdvanceMs;
  r.model.tick();
  CHECK(r.model.session()->current()->id == "sat_rivers");
}

TEST_CASE("Next on an unanswered required question says why") {
  Rig r;
  r.act(Intent::Kind::start, "green-travel");
  r.act(Intent::Kind::next);  // the trips matrix may be left at zero
  r.act(Intent::Kind::next);
  CHECK(r.model.refusal().status == AnswerStatus::required);
  CHECK(r.model.session()->current()->id == "commute");
}

TEST_CASE("idle: overlay after the idle time, abandonment at zero, nothing of the resident remains") {
  Rig r;
  r.act(Intent::Kind::set_lang, "en");
  r.act(Intent::Kind::toggle_large_text);
  r.act(Intent::Kind::start, "green-travel");
  r.act(Intent::Kind::answer, {}, Counts{{{"bus", 2}}});
  r.act(Intent::Kind::next);
  r.act(Intent::Kind::answer, {}, Choice{"bus"});
  r.now += (r.cfg.idle_seconds - 1) * 1000LL;
  r.model.tick();
  CHECK(!r.model.idle_overlay());
  r.now += 1000;
  r.model.tick();
  CHECK(r.model.idle_overlay());
  CHECK(r.model.idle_seconds_left() == r.cfg.countdown_seconds);
  // Continue brings the resident back with everything intact.
  r.act(Intent::Kind::continue_session);
  CHECK(!r.model.idle_overlay());
  CHECK(std::get<Choice>(r.model.session()->answer_of("commute")).option == "bus");
  // Walk away for good.
  r.now += (r.cfg.idle_seconds + r.cfg.countdown_seconds) * 1000LL;
  r.model.tick();
  CHECK(r.model.screen() == Screen::welcome);
  CHECK(r.model.session() == nullptr);
  CHECK(!r.model.finished());
  CHECK(r.model.lang() == r.cfg.default_lang);
  CHECK(!r.model.large_text());
  CHECK(r.model.refusal().ok());
  CHECK(r.store.count() == 0);
  REQUIRE(r.store.abandoned_count() == 1);
  Stmt s(StoreAccess::db(r.store), "SELECT last_question, answered, lang FROM abandoned");
  REQUIRE(s.step());
  CHECK(s.text(0) == "commute");
  CHECK(s.i64(1) == 2);
  CHECK(s.text(2) == "en");
  // The next person starts clean.
  r.act(Intent::Kind::start, "green-travel");
  CHECK(counts_total(r.model.session()->answer_of("trips")) == 0);
  CHECK(r.model.session()->current()->id == "trips");
}

TEST_CASE("language switch mid-session keeps the answers and is stored with the response") {
  Rig r;
  r.act(Intent::Kind::start, "satisfaction");
  r.act(Intent::Kind::answer, {}, Choice{"neutral"});
  r.act(Intent::Kind::set_lang, "en");
  CHECK(std::get<Choice>(r.model.session()->answer_of("sat_air")).option == "neutral");
  r.act(Intent::Kind::next);
  r.fill_to_end();
  bool seen = false;
  r.store.each({}, [&](const Response& resp) {
    seen = true;
    CHECK(resp.lang == "en");
    CHECK(std::get<Choice>(*resp.find("sat_air")).option == "neutral");
    return true;
  });
  CHECK(seen);
}

TEST_CASE("a failed save keeps the response in memory and retries until it lands") {
  Rig r;
  StoreAccess::db(r.store).exec("CREATE TRIGGER full BEFORE INSERT ON responses BEGIN SELECT RAISE(ABORT, 'disk full'); END");
  r.act(Intent::Kind::start, "knowledge");
  r.fill_to_end();
  CHECK(r.model.screen() == Screen::finish);
  CHECK(!r.model.last_saved());
  CHECK(r.model.unsaved() == 1);
  CHECK(r.model.save_error().find("disk full") != std::string::npos);
  r.now += 6000;
  r.model.tick();
  CHECK(r.model.unsaved() == 1);  // still failing, still kept
  StoreAccess::db(r.store).exec("DROP TRIGGER full");
  r.now += 6000;
  r.model.tick();
  CHECK(r.model.unsaved() == 0);
  CHECK(r.model.save_error().empty());
  CHECK(r.store.count() == 1);
}

TEST_CASE("back on the first question asks first, then leaves the survey as abandoned") {
  Rig r;
  r.act(Intent::Kind::start, "satisfaction");
  r.act(Intent::Kind::back);
  CHECK(r.model.leave_asked() == LeaveAsk::back_on_first);  // nothing thrown away yet
  CHECK(r.model.screen() == Screen::question);
  r.act(Intent::Kind::confirm_leave);
  CHECK(r.model.screen() == Screen::welcome);
  CHECK(r.store.abandoned_count() == 1);
}

TEST_CASE("a kiosk that started without a database saves what it kept in memory once the database opens") {
  test::TempDir dir;
  TimeMs now = 1'561'000'000'000;
  Config cfg;
  KioskModel m(cfg, test::shipped(), nullptr, [&] { return now; }, 3);
  m.set_store_problem("cannot open the database k.db: database is locked");
  m.apply({Intent::Kind::start, "knowledge"});
  for (int guard = 0; guard < 60 && m.screen() == Screen::question; ++guard) {
    const Question& q = *m.session()->current();
    Answer a;
    if (q.type == QuestionType::multiple) a = ChoiceSet{{q.options.front().id}};
    else if (!q.options.empty()) a = Choice{q.options.front().id};
    m.apply({Intent::Kind::answer, "", a});
    m.apply({Intent::Kind::next});
  }
  REQUIRE(m.screen() == Screen::finish);
  CHECK(m.unsaved() == 1);
  CHECK(m.save_error().find("database is locked") != std::string::npos);  // the reason, not just "no database"
  Store store(dir.file("k.db"));
  m.set_store(&store);
  CHECK(m.store_problem().empty());
  now += 10;
  m.tick();
  CHECK(m.unsaved() == 0);
  CHECK(store.count() == 1);
}

TEST_CASE("the quiz's score and review are worked out once on completion, only for the quiz, and wiped with it") {
  Rig r;
  CHECK(r.model.quiz_review() == nullptr);
  r.act(Intent::Kind::start, "knowledge");
  r.fill_to_end();
  REQUIRE(r.model.screen() == Screen::finish);
  const QuizReview* review = r.model.quiz_review();
  REQUIRE(review);
  QuizScore score = quiz_score(*r.model.finished_questionnaire(), *r.model.finished());
  CHECK(review->score.correct == score.correct);
  CHECK(review->score.drawn == score.drawn);
  CHECK(review->items.size() == r.model.finished()->drawn.size());
  CHECK(r.model.quiz_review() == review);  // the same object every frame, not recomputed
  r.now += r.cfg.finish_seconds * 1000LL;
  r.model.tick();
  REQUIRE(r.model.screen() == Screen::welcome);
  CHECK(r.model.quiz_review() == nullptr);  // nothing of the last resident remains
  r.act(Intent::Kind::start, "satisfaction");
  r.fill_to_end();
  REQUIRE(r.model.screen() == Screen::finish);
  CHECK(r.model.quiz_review() == nullptr);  // not a quiz: no score
}
