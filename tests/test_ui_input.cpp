// The on-screen input by touch (issue 18): strokes drawn by pressing, moving and
// releasing on the pad where it is drawn, a candidate tapped, the pinyin keys, undo and
// clear, in both orientations and both text sizes; the console's fields written the same way.
#include <doctest/doctest.h>

#include <imgui.h>

#include <chrono>
#include <thread>

#include "core/input/ink.hpp"
#include "core/input/pinyin_engine.hpp"
#include "core/input/recognizer.hpp"
#include "console/console_model.hpp"
#include "core/storage/admin_store.hpp"
#include "core/storage/audit_anchor.hpp"
#include "core/storage/sqlite.hpp"
#include "core/storage/store_access.hpp"
#include "ui/console/console_view.hpp"
#include "glyph_boxes.hpp"
#include "helpers.hpp"
#include "input_helpers.hpp"
#include "ui/common/headless.hpp"
#include "ui/common/touch_scroll.hpp"
#include "ui/resident/frame.hpp"

using namespace eco;
using namespace eco::ui;

namespace {


// The glyphs of every UI string (the input's font adds the common characters).
std::string ui_glyphs(const Strings& strings) {
  std::string all = "0123456789";
  for (const auto& lang : strings.languages())
    for (const auto& k : strings.keys(lang)) all += strings.get(lang, k);
  for (const auto& q : test::shipped().list) {
    all += q.title.get("zh") + q.title.get("en");
    for (const auto& qq : q.questions) all += qq.text.get("zh") + qq.text.get("en");
  }
  return all;
}

struct Writer : test::KioskRig {
  Strings strings = test::shipped_strings();
  ImVec2 size;
  std::string glyphs = ui_glyphs(strings);
  Headless headless;
  int size_built = 0;

  // ts: the text size (KioskModel::kTextScales), reached by the size switch as a resident does.
  Writer(ImVec2 sz, int ts) : KioskRig(5), size(sz), headless(sz, scale_for(sz), glyphs) {
    REQUIRE(headless.fonts_found);
    model.set_text_input(&test::recognizer(), &test::pinyin(), [this](std::string_view s) {
      return font_has_glyphs(headless.fonts.pick(model.large_text()).input, s);
    });
    for (int i = 0; i < ts; ++i) {
      Intent in = intent::ToggleLargeText{};
      model.apply(in);
    }
    REQUIRE(model.text_size() == ts);
    bake();
  }
  void bake() {
    headless.fonts.with_input = true;
    build_fonts(headless.fonts, find_cjk_font(), scale_for(size), glyphs, {}, model.text_size());
    unsigned char* px;
    int w, h;
    ImGui::GetIO().Fonts->GetTexDataAsRGBA32(&px, &w, &h);
    size_built = model.text_size();
  }
  void frame(ImVec2 mouse, bool down) {
    if (model.text_size() != size_built) bake();
    headless.begin_frame(mouse, down);
    View v{strings, model, headless.fonts.pick(model.large_text()), scale_for(size) * model.text_scale(), size,
           size.y > size.x};
    Intent in = draw_frame(v);
    ImGui::Render();
    apply(in);
    model.tick();
  }
  std::optional<HitItem> find(const std::string& label) {
    frame(ImVec2(-1, -1), false);
    for (const auto& h : headless.hits)
      if (h.label == label) return h;
    return std::nullopt;
  }
  bool tap(const std::string& label) {
    auto h = find(label);
    if (!h) return false;
    ImVec2 c((h->min.x + h->max.x) / 2, (h->min.y + h->max.y) / 2);
    frame(c, false);
    frame(c, true);
    frame(c, false);
    frame(ImVec2(-1, -1), false);
    return true;
  }
  std::string t(const char* key) { return strings.get(model.lang(), key); }
  // Draws a stroke file's strokes on the pad where it is drawn: a press at each stroke's
  // start, a frame per point moved with the finger down, a release at its end.
  void draw(const std::string& name) {
    auto f = input::load_ink(test::source_dir() + "/tests/data/strokes/" + name + ".json");
    REQUIRE(f);
    auto pad = find(t("input.pad_hint"));
    REQUIRE(pad);
    float side = pad->max.x - pad->min.x;
    REQUIRE(side > 100);
    CHECK(pad->max.y - pad->min.y == doctest::Approx(side));
    auto at = [&](input::Point p) { return ImVec2(pad->min.x + p.x / f->ink.width * side, pad->min.y + p.y / f->ink.height * side); };
    for (const auto& s : f->ink.strokes) {
      frame(at(s.front()), false);
      for (const auto& p : s) frame(at(p), true);
      frame(at(s.back()), false);
    }
    frame(ImVec2(-1, -1), false);
  }
  const std::string& answer() {
    static const std::string none;
    const auto* t = std::get_if<Text>(&model.session()->answer_of("comment"));
    return t ? t->value : none;
  }
};

// Answers everything before the comment through the model (the other screens have tests of their own).
void to_comment(Writer& w) {
  w.start("satisfaction");
  for (int guard = 0; guard < 80 && w.model.session()->current()->type != QuestionType::text; ++guard) {
    const Question& q = *w.model.session()->current();
    intent::Answer in;
    if (q.type == QuestionType::multiple) in.answer = ChoiceSet{{q.options.front().id}};
    else if (q.type == QuestionType::integer) in.answer = q.min;
    else in.answer = Choice{q.options.front().id};
    w.model.apply(in);
    Intent next = intent::Next{};
    w.model.apply(next);
    w.now += 1000;
    w.model.tick();
  }
  REQUIRE(w.model.session()->current()->id == "comment");
}

}  // namespace

TEST_CASE("by touch: 生态 written on the pad, each picked from the candidate row, then 很好 by pinyin, and submitted") {
  for (ImVec2 size : {ImVec2(1920, 1080), ImVec2(1080, 1920), ImVec2(1280, 800)})
    for (int ts = 0; ts < static_cast<int>(std::size(KioskModel::kTextScales)); ++ts) {
      CAPTURE(size.x);
      CAPTURE(ts);
      Writer w(size, ts);
      to_comment(w);
      REQUIRE(w.find(w.t("input.pad_hint")));
      // Every key of every keyboard is drawn above the footer and inside the screen.
      for (const char* m : {"input.mode.pinyin", "input.mode.letters", "input.mode.symbols", "input.mode.handwriting"}) {
        REQUIRE(w.tap(w.t(m)));
        auto back = w.find(w.t("nav.back"));
        REQUIRE(back);
        bool in_panel = false;
        for (const auto& h : w.headless.hits) {
          if (h.label == w.t("input.mode.handwriting")) in_panel = true;  // the panel's items follow its first tab
          if (!in_panel || h.label == w.t("nav.back") || h.label == w.t("nav.submit")) continue;
          CHECK_MESSAGE(h.max.y <= back->min.y, m << ": " << h.label << " reaches the footer");
          CHECK_MESSAGE(h.max.x <= size.x, m << ": " << h.label << " leaves the screen");
          CHECK_MESSAGE(h.max.y - h.min.y >= 40, m << ": " << h.label << " is too small to tap");
        }
        CHECK(in_panel);
      }
      w.draw("sheng");
      CHECK(w.model.text_entry()->ink().strokes.size() == 5);
      REQUIRE_MESSAGE(w.tap("生"), "生 is not in the candidate row");
      CHECK(w.answer() == "生");
      CHECK(w.model.text_entry()->ink().empty());
      w.draw("tai");
      REQUIRE(w.tap("态"));
      CHECK(w.answer() == "生态");
      // Undo and clear by touch.
      w.draw("kou");
      CHECK(w.model.text_entry()->ink().strokes.size() == 3);
      REQUIRE(w.tap(w.t("input.undo")));
      CHECK(w.model.text_entry()->ink().strokes.size() == 2);
      REQUIRE(w.tap(w.t("input.clear")));
      CHECK(w.model.text_entry()->ink().empty());
      CHECK(w.answer() == "生态");
      // Pinyin: the tab, the letters, the candidate.
      REQUIRE(w.tap(w.t("input.mode.pinyin")));
      for (char c : std::string("henhao")) REQUIRE(w.tap(std::string(1, c)));
      CHECK(w.model.text_entry()->preedit() == "hen hao");
      REQUIRE(w.tap("很好"));
      CHECK(w.answer() == "生态很好");
      // Symbols, and 删除 takes the last character.
      REQUIRE(w.tap(w.t("input.mode.symbols")));
      REQUIRE(w.tap("！"));
      REQUIRE(w.tap("！"));
      REQUIRE(w.tap(w.t("input.backspace")));
      CHECK(w.answer() == "生态很好！");
      REQUIRE(w.tap(w.t("nav.submit")));
      REQUIRE(w.model.screen() == Screen::finish);
      Stmt st(StoreAccess::db(w.store), "SELECT text FROM answers WHERE question='comment'");
      REQUIRE(st.step());
      CHECK(st.text(0) == "生态很好！");
    }
}

TEST_CASE("by touch: a stroke begun on the pad and dragged off it is still one stroke, and the page never scrolls") {
  Writer w(ImVec2(1080, 1920), false);
  to_comment(w);
  auto pad = w.find(w.t("input.pad_hint"));
  REQUIRE(pad);
  ImVec2 a(pad->min.x + 50, pad->min.y + 50);
  w.frame(a, false);
  w.frame(a, true);
  for (int i = 1; i <= 20; ++i) w.frame(ImVec2(a.x + i * 60.f, a.y + i * 70.f), true);  // far past the pad's edge
  w.frame(ImVec2(a.x + 1200, a.y + 1400), false);
  w.frame(ImVec2(-1, -1), false);
  const auto& ink = w.model.text_entry()->ink();
  REQUIRE(ink.strokes.size() == 1);
  for (const auto& p : ink.strokes[0]) {
    CHECK(p.x <= input::TextEntry::kPadBox);
    CHECK(p.y <= input::TextEntry::kPadBox);
  }
  auto again = w.find(w.t("input.pad_hint"));
  REQUIRE(again);
  CHECK(again->min.y == doctest::Approx(pad->min.y));  // nothing scrolled under the finger
  CHECK_FALSE(touch_dragging());
}

TEST_CASE("console by touch: evidence and a task note written with the touch keyboard, 完成 puts it back and 取消 does not") {
  TimeMs now = 1'561'000'000'000;
  test::TempDir dir;
  std::string db = dir.file("console.db");
  Store store(db);
  Strings strings = test::shipped_strings();
  ImVec2 size(1920, 1080);
  std::string cat;
  for (const auto& i : test::shipped_catalog().indicators) cat += i.name + i.target;
  Headless headless(size, 1.f, ui_glyphs(strings), cat);
  REQUIRE(headless.fonts.console);
  ConsoleModel m(test::shipped_catalog(), store, db, test::shipped(), Config{}, dir.file("config.json"), [&] { return now; });
  m.set_text_input(&test::recognizer(), &test::pinyin(), [&](std::string_view s) { return font_has_glyphs(headless.fonts.console, s); });
  {
    AdminStore staff(store, test::shipped_catalog(), [&] { return now; });
    staff.use_anchor(anchor_path_for(dir.file("config.json"), db));
    REQUIRE(staff.set_pin("482915", "test") == "");
  }
  m.open();
  auto frame = [&](ImVec2 mouse, bool down) {
    headless.begin_frame(mouse, down);
    ConsoleView v{strings, m, headless.fonts.console, headless.fonts.console_heading, 1.f, size, "zh", ""};
    ConsoleIntent in = draw_console(v);
    ImGui::Render();
    m.apply(in);
    m.tick();
  };
  auto tap = [&](const std::string& label) { return headless.tap(label, 0, frame).has_value(); };
  for (char c : std::string("482915")) REQUIRE(tap(std::string(1, c)));
  REQUIRE(tap(strings.get("zh", "console.pin_ok")));
  REQUIRE(m.signed_in());
  m.apply(console_intent::OpenIndicator{"12"});
  REQUIRE(m.page() == ConsolePage::detail);
  m.form.evidence = "公报";
  // The survey figures computed after sign-in redraw the page; a press then is dropped by design.
  for (int i = 0; i < 500 && m.computing(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    m.tick();
  }
  REQUIRE_FALSE(m.computing());
  // The page settles (the tasks list gains its scrollbar) before a press counts, as the
  // kiosk's loop draws until it does.
  for (int i = 0; i < 8 && (i < 2 || layout_changed()); ++i) frame(ImVec2(-1, -1), false);
  REQUIRE(tap(strings.get("zh", "console.input.open")));  // the first: beside 佐证说明
  REQUIRE(m.text_entry());
  CHECK(m.input_field() == "evidence");
  CHECK(m.text_entry()->text() == "公报");
  REQUIRE(tap(strings.get("zh", "input.mode.pinyin")));
  for (char c : std::string("shengtai")) REQUIRE(tap(std::string(1, c)));
  REQUIRE(tap("生态"));
  CHECK(m.form.evidence == "公报");  // not until 完成
  REQUIRE(tap(strings.get("zh", "console.input.done")));
  CHECK(m.text_entry() == nullptr);
  CHECK(m.form.evidence == "公报生态");
  // 取消 leaves the field as it was.
  REQUIRE(tap(strings.get("zh", "console.input.open")));
  REQUIRE(tap(strings.get("zh", "input.mode.symbols")));
  REQUIRE(tap("1"));
  REQUIRE(tap(strings.get("zh", "console.input.cancel")));
  CHECK(m.form.evidence == "公报生态");
  // The task note: the second such button; the model caps it at what the store takes.
  REQUIRE(headless.tap(strings.get("zh", "console.input.open"), 1, frame));
  CHECK(m.input_field() == "task_note");
  CHECK(m.text_entry()->max_chars() * 3 <= AdminStore::kMaxNote);
  REQUIRE(tap(strings.get("zh", "input.mode.symbols")));
  REQUIRE(tap("7"));
  // Staff walk away with it open: signed out, nothing half-written left on screen.
  now += ConsoleModel::kIdleMs + 1000;
  m.tick();
  CHECK(m.text_entry() == nullptr);
  CHECK(m.task_form.note.empty());
}

// 数字符号 on the keyboard's tabs was drawn at half to two thirds of the size of 手写,
// 拼音 and 英文 beside it, shrunk to fit one line of its narrow tab: an elderly resident
// looking for the numbers read the smallest label on the panel. It now parts over two
// lines (数字 / 符号) wherever that is larger than one shrunk line: as large as its
// neighbours, or nearly where the tab is too low for two full lines (1080×1920 and
// 1280×800 at 1.8×: 0.84–0.92).
TEST_CASE("keyboard tabs: 数字符号 is drawn at least 0.8 as large as 手写 beside it (was 0.5), in every size, orientation and text size") {
  auto tallest_in = [](const HitItem& h, const std::vector<test::GlyphBox>& glyphs) {
    float tall = 0;
    for (const auto& g : glyphs)
      if (g.x0 >= h.min.x && g.x1 <= h.max.x && g.y0 >= h.min.y && g.y1 <= h.max.y) tall = std::max(tall, g.y1 - g.y0);
    return tall;
  };
  float worst = 99;
  for (ImVec2 size : {ImVec2(1920, 1080), ImVec2(1080, 1920), ImVec2(1280, 800), ImVec2(800, 1280)})
    for (int ts = 0; ts < static_cast<int>(std::size(KioskModel::kTextScales)); ++ts)
      for (const char* mode : {"input.mode.symbols", "input.mode.handwriting"}) {
        CAPTURE(size.x);
        CAPTURE(ts);
        CAPTURE(mode);
        Writer w(size, ts);
        ImGui::GetStyle().AntiAliasedLinesUseTex = false;  // lines from the white pixel: only glyphs sample the font
        to_comment(w);
        REQUIRE(w.tap(w.t(mode)));
        auto symbols = w.find(w.t("input.mode.symbols"));  // draws the frame looked at below
        auto handwriting = w.find(w.t("input.mode.handwriting"));
        REQUIRE(symbols);
        REQUIRE(handwriting);
        const auto glyphs = test::visible_glyphs();
        const float mine = tallest_in(*symbols, glyphs), theirs = tallest_in(*handwriting, glyphs);
        REQUIRE(theirs > 10);
        worst = std::min(worst, mine / theirs);
        CHECK(mine >= theirs * 0.8f);
      }
  MESSAGE("smallest 数字符号 against 手写: " << worst);
}
