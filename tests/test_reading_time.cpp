// A slow reader is not taken for someone gone: a long page waits as long as reading it
// takes, the first page no longer than the usual limit, a short page as configured.
#include <doctest/doctest.h>

#include <string>

#include "core/storage/store.hpp"
#include "core/survey/reading_time.hpp"
#include "helpers.hpp"
#include "kiosk/kiosk_model.hpp"

using namespace eco;

TEST_CASE("reading units: a Chinese character one, a word two, punctuation and broken bytes nothing") {
  CHECK(reading_units(std::string_view()) == 0);
  CHECK(reading_units("，。？！ 、（）") == 0);
  CHECK(reading_units("你好") == 2);
  CHECK(reading_units("Hello, world!") == 4);
  CHECK(reading_units("don't stop") == 4);            // the apostrophe keeps one word
  CHECK(reading_units("'quoted'") == 2);
  CHECK(reading_units("PM2.5浓度") == 6);               // "PM2", "5", then 浓度
  CHECK(reading_units("２０公里") == 4);                // full-width digits are a word
  CHECK(reading_units("café au lait") == 6);
  CHECK(reading_units("𠀀𪚥") == 2);                    // beyond the basic plane
  CHECK(reading_units("\xff你") == 1);                  // a stray byte, then a character
  CHECK(reading_units("\xe4\xbd") == 0);                // a sequence cut short
  CHECK(reading_units("\xe4\xbd" "ab") == 2);           // ... does not swallow what follows
  CHECK(reading_units("ひらがな") == 4);
}

namespace {

// The shipped questionnaires with the satisfaction survey's first page (or second)
// given n characters of text and nothing else to read.
struct PageRig {
  TimeMs now = 1'561'000'000'000;
  test::TempDir dir;
  Store store{dir.file("kiosk.db")};
  Config cfg;
  QuestionnaireSet set;
  std::unique_ptr<KioskModel> model;
  PageRig(std::size_t page, std::size_t n, int idle = 60, int first = 20) : set(test::shipped()) {
    cfg.idle_seconds = idle;
    cfg.first_question_idle_seconds = first;
    for (auto& q : set.list)
      if (q.id == "satisfaction") {
        REQUIRE(q.questions.size() > page);
        Question& qu = q.questions[page];
        std::string text;
        for (std::size_t i = 0; i < n; ++i) text += "读";
        qu.text.by_lang = {{"zh", text}, {"en", text}};
        qu.hint.by_lang.clear();
        qu.unit.by_lang.clear();
        for (auto& o : qu.options) o.text.by_lang = {{"zh", "。"}};
        for (auto& r : qu.rows) r.text.by_lang = {{"zh", "。"}};
      }
    model = std::make_unique<KioskModel>(cfg, set, &store, [this] { return now; }, 7);
    model->apply(intent::Start{"satisfaction"});
    REQUIRE(model->session());
    now += KioskModel::kAnswerAbsorbMs;  // a tap sooner would be 开始's double tap
    for (std::size_t i = 0; i < page; ++i) {
      const Question& q = *model->session()->current();
      REQUIRE(q.type == QuestionType::rating);
      model->apply(intent::Answer{Choice{q.options.front().id}});
      model->apply(intent::Next{});
      now += KioskModel::kAnswerAbsorbMs;
      model->tick();
    }
    REQUIRE(model->session()->progress().position == page + 1);
    model->apply(intent::Touch{});  // the page is on show: the quiet time starts here
  }
  // Seconds of quiet until "still there?" shows, found by stepping the clock.
  int seconds_until_overlay() {
    for (int s = 1; s <= 700; ++s) {
      now += 1000;
      model->tick();
      if (model->idle_overlay()) return s;
    }
    return -1;
  }
};

}  // namespace

TEST_CASE("still there?: a first page of 10 characters keeps the short limit, one of 90 waits for a slow reader") {
  // 10 characters: 4 s of reading and 5 to reach, under the first page's 20 s.
  CHECK(PageRig(0, 10).seconds_until_overlay() == 20);
  // 90 characters at 180 a minute: 30 s, and 5 to reach the answer.
  PageRig r(0, 90);
  CHECK(r.model->idle_limit_seconds() == 35);
  CHECK(r.seconds_until_overlay() == 35);
  // The countdown after it is the usual one: the survey ends 15 s later, not sooner.
  r.now += (r.cfg.countdown_seconds - 1) * 1000LL;
  r.model->tick();
  CHECK(r.model->screen() == Screen::question);
  r.now += 1000;
  r.model->tick();
  CHECK(r.model->screen() == Screen::welcome);
  CHECK(r.store.abandoned_count() == 1);
}

TEST_CASE("still there?: the first page never waits longer than the usual limit, however long") {
  CHECK(PageRig(0, 1000).seconds_until_overlay() == 60);
  CHECK(PageRig(0, 1000, 30, 10).seconds_until_overlay() == 30);
  // n = 0: nothing to read, the configured first-page limit.
  CHECK(PageRig(0, 0, 45, 10).seconds_until_overlay() == 10);
}

TEST_CASE("still there?: a later page of 300 characters waits past the usual minute, up to the longest setting") {
  CHECK(PageRig(1, 30).seconds_until_overlay() == 60);  // 15 s of reading: the usual limit
  CHECK(PageRig(1, 300).seconds_until_overlay() == 105);  // 100 s of reading and 5 to reach
  CHECK(PageRig(1, 5000).seconds_until_overlay() == kIdleSecondsMax);
  // 需要更多时间 still adds its two minutes on top of a long page's time.
  PageRig r(1, 300);
  REQUIRE(r.seconds_until_overlay() == 105);
  r.model->apply(intent::MoreTime{});
  CHECK(!r.model->idle_overlay());
  CHECK(r.model->idle_limit_seconds() == 105 + KioskModel::kMoreTimeMs / 1000);
}
