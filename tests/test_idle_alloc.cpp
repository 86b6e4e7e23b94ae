// An idle frame allocates nothing (the brief's promise): the welcome screen, a question
// and the console's dashboard, drawn headless again and again with nobody touching,
// make no heap allocation after a warm-up. Its own executable, because it replaces
// malloc for the whole program (tools/count_malloc.cpp) to count every allocation of
// the drawing thread: operator new, ImGui's IM_ALLOC, SQLite and FreeType end in malloc.
#include <doctest/doctest.h>

#include <imgui.h>

#include <chrono>
#include <string>

#include "console/console_model.hpp"
#include "core/catalog/catalog.hpp"
#include "core/storage/admin_store.hpp"
#include "core/storage/audit_anchor.hpp"
#include "core/storage/demo_data.hpp"
#include "core/storage/store.hpp"
#include "helpers.hpp"
#include "input_helpers.hpp"
#include "tools/count_malloc.hpp"
#include "ui/common/headless.hpp"
#include "ui/console/console_view.hpp"
#include "ui/resident/frame.hpp"

using namespace eco;
using namespace eco::ui;

namespace {

// Allocations made by `frames` calls of `frame` after `warm_up` uncounted ones.
template <class Frame>
long allocations_over(int warm_up, int frames, Frame&& frame) {
  for (int i = 0; i < warm_up; ++i) frame();
  test::start_counting_allocations();
  for (int i = 0; i < frames; ++i) frame();
  return test::stop_counting_allocations();
}


std::string all_glyphs(const Strings& s) {
  std::string text = "0123456789";
  for (const auto& lang : s.languages())
    for (const auto& k : s.keys(lang)) text += s.get(lang, k);
  for (const auto& q : test::shipped().list) {
    for (const auto& [l, t] : q.title.by_lang) text += t;
    for (const auto& qq : q.questions) {
      for (const auto& [l, t] : qq.text.by_lang) text += t;
      for (const auto& o : qq.options)
        for (const auto& [l, t] : o.text.by_lang) text += t;
    }
  }
  return text;
}

// The resident screens as the kiosk draws them: no hit log, no text capture (those are
// the tests' recorders), the model ticked every frame.
struct Kiosk : test::KioskRig {
  Strings strings = test::shipped_strings();
  ImVec2 size{1920, 1080};
  Headless headless{size, scale_for(size), all_glyphs(strings)};
  Kiosk() : KioskRig(3) {
    REQUIRE(headless.fonts_found);
    g_hit_items = nullptr;
    g_text_items = nullptr;
  }
  void frame() {
    ImGuiIO& io = ImGui::GetIO();
    io.MousePos = ImVec2(-1, -1);
    io.MouseDown[0] = false;
    ImGui::NewFrame();
    View v{strings, model, headless.fonts.pick(model.large_text()), scale_for(size) * model.text_scale(), size, false};
    Intent in = draw_frame(v);
    ImGui::Render();
    apply(in);
    model.tick();
  }
};

}  // namespace

TEST_CASE("an idle frame allocates nothing: the welcome screen and a question, in both languages and every text size") {
  Kiosk k;
  for (const char* lang : {"zh", "en"}) {
    k.model.apply(intent::SetLang{lang});
    for (int size = 0; size < KioskModel::kTextSizes; ++size) {
      if (k.model.text_size() != k.headless.fonts.text_size) k.headless.rebake(k.model.text_size());
      CAPTURE(lang);
      CAPTURE(size);
      REQUIRE(k.model.screen() == Screen::welcome);
      CHECK(allocations_over(20, 200, [&] { k.frame(); }) == 0);
      k.start("satisfaction");
      REQUIRE(k.model.screen() == Screen::question);
      CHECK(allocations_over(20, 200, [&] { k.frame(); }) == 0);
      k.model.apply(intent::Answer{Choice{k.model.session()->current()->options.front().id}});
      k.model.apply(intent::Next{});
      CHECK(allocations_over(20, 200, [&] { k.frame(); }) == 0);  // the second question, an answer given before
      k.model.apply(intent::Quit{});
      k.model.apply(intent::ConfirmLeave{});
      k.model.apply(intent::ToggleLargeText{});
    }
  }
}

TEST_CASE("an idle frame allocates nothing: every question of every shipped questionnaire, answered and not") {
  // Each question type draws differently (rating faces, option grids, the number pad,
  // trip counts, the text entry): each is left idle before and after it is answered.
  Kiosk k;
  k.model.set_text_input(&test::recognizer(), &test::pinyin());  // the comment box's handwriting panel
  int text_questions = 0;
  for (const auto& qn : test::shipped().list) {
    REQUIRE(k.model.screen() == Screen::welcome);
    k.start(qn.id);
    for (int guard = 0; guard < 80 && k.model.screen() == Screen::question; ++guard) {
      const Question& q = *k.model.session()->current();
      CAPTURE(qn.id);
      CAPTURE(q.id);
      if (q.type == QuestionType::text) ++text_questions;
      CHECK(allocations_over(5, 30, [&] { k.frame(); }) == 0);
      k.model.apply(intent::Answer{first_valid_answer(q)});
      CHECK(allocations_over(5, 30, [&] { k.frame(); }) == 0);
      k.model.apply(intent::Next{});
    }
    // The thanks screen, then back to the welcome screen for the next questionnaire.
    REQUIRE(k.model.screen() == Screen::finish);
    CHECK(allocations_over(5, 30, [&] { k.frame(); }) == 0);
    k.model.apply(intent::Quit{});
    k.model.apply(intent::ConfirmLeave{});
    k.now += KioskModel::kNextAbsorbMs;
    for (int i = 0; i < 5 && k.model.screen() != Screen::welcome; ++i) k.model.apply(intent::Home{});
  }
  CHECK(text_questions > 0);  // the comment box was among them
}

TEST_CASE("the allocation counter sees a heap allocation, and none for a string short enough to stay inside itself") {
  CHECK(allocations_over(0, 1, [] { std::string s(100, 'x'); }) == 1);
  CHECK(allocations_over(0, 1, [] { std::string s(5, 'x'); }) == 0);  // short: kept inside the string
}

TEST_CASE("an idle frame allocates nothing: the console's overview of 40 indicators and its survey results") {
  TimeMs now = 1'561'000'000'000;
  test::TempDir dir;
  std::string db = dir.file("console.db");
  Store store{db};
  DemoOptions d;
  d.responses = 200;
  d.end = now;
  fill_demo_data(store, test::shipped(), d);
  Strings strings = test::shipped_strings();
  std::string glyphs;
  for (const auto& key : strings.keys("zh")) glyphs += strings.get("zh", key);
  std::string catalog_glyphs;
  for (const auto& i : test::shipped_catalog().indicators) {
    catalog_glyphs += i.name + i.target;
    for (const auto& l : i.lead) catalog_glyphs += l;
  }
  ImVec2 size{1920, 1080};
  Headless headless{size, 1.f, glyphs, catalog_glyphs};
  g_hit_items = nullptr;
  g_text_items = nullptr;
  ConsoleModel m{test::shipped_catalog(), store, db, test::shipped(), Config{}, dir.file("config.json"),
                 [&] { return now; }};
  {
    // As `ecokiosk set-pin` does: through the same anchor file the console checks.
    AdminStore staff(store, test::shipped_catalog(), [&] { return now; });
    staff.use_anchor(anchor_path_for(dir.file("config.json"), db));
    REQUIRE(staff.set_pin("246810", "test") == "");
  }
  m.open();
  for (char c : std::string("246810")) m.apply(console_intent::PinKey{c});
  m.apply(console_intent::PinSubmit{});
  for (int i = 0; i < 100 && m.computing(); ++i) {
    REQUIRE(m.wait_for_worker(std::chrono::seconds(60)));
    m.tick();
  }
  REQUIRE_FALSE(m.computing());
  auto frame = [&] {
    ImGuiIO& io = ImGui::GetIO();
    io.MousePos = ImVec2(-1, -1);
    io.MouseDown[0] = false;
    ImGui::NewFrame();
    ConsoleView v{strings, m, headless.fonts.console, headless.fonts.console_heading, 1.f, size, "zh", ""};
    ConsoleIntent in = draw_console(v);
    ImGui::Render();
    m.apply(in);
    m.tick();
  };
  // The survey page built its questionnaire chips' keys and copied its chart's caption
  // every frame: four allocations a frame, which the frame benchmark showed.
  for (ConsolePage page : {ConsolePage::overview, ConsolePage::survey}) {
    CAPTURE(static_cast<int>(page));
    m.apply(console_intent::ShowPage{page});
    REQUIRE(m.page() == page);
    for (int i = 0; i < 100 && m.computing(); ++i) {  // the survey's figures, from the worker
      REQUIRE(m.wait_for_worker(std::chrono::seconds(60)));
      m.tick();
    }
    REQUIRE_FALSE(m.computing());
    long n = allocations_over(20, 200, frame);
    MESSAGE("console page ", static_cast<int>(page), ": ", n, " allocations over 200 idle frames");
    CHECK(n == 0);
  }
}
