// Read-aloud: the text handed to espeak-ng, synthesis of every shipped question, the
// Speaker's stop, the model's rules for when to read, and 朗读 pressed on screen.
#include <doctest/doctest.h>

#include <imgui.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <mutex>
#include <thread>

#include "core/speech/normalize.hpp"
#include "core/speech/script.hpp"
#include "core/speech/speaker.hpp"
#include "core/speech/synth.hpp"
#include "core/support/text.hpp"
#include "core/survey/scoring.hpp"
#include "helpers.hpp"
#include "kiosk/read_aloud.hpp"
#include "platform/audio_alsa.hpp"
#include "ui/common/headless.hpp"
#include "ui/resident/frame.hpp"

using namespace eco;
using namespace eco::speech;
using Clock = std::chrono::steady_clock;

namespace {


// Every question of every shipped questionnaire, bank items included.
std::vector<std::pair<const Questionnaire*, const Question*>> all_questions() {
  std::vector<std::pair<const Questionnaire*, const Question*>> out;
  for (const auto& q : test::shipped().list) {
    for (const auto& qq : q.questions) out.push_back({&q, &qq});
    if (q.bank)
      for (const auto& qq : q.bank->items) out.push_back({&q, &qq});
  }
  return out;
}

double rms(const std::vector<std::int16_t>& s) {
  double sum = 0;
  for (auto v : s) sum += static_cast<double>(v) * v;
  return s.empty() ? 0 : std::sqrt(sum / static_cast<double>(s.size())) / 32768.0;
}

double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

// A sound device in miniature: takes 20 ms pieces at the pace they are heard, and keeps
// when each was heard and when a stop threw the rest away.
struct PacedSink : AudioSink {
  std::mutex mu;
  std::vector<Clock::time_point> heard;  // the end of each 20 ms piece
  std::vector<Clock::time_point> drops;
  std::atomic<std::size_t> samples{0};
  bool play(const std::int16_t*, std::size_t n, int rate, const std::function<bool()>& cancelled) override {
    std::size_t chunk = static_cast<std::size_t>(rate / 50);
    for (std::size_t done = 0; done < n; done += chunk) {
      if (cancelled()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      samples += std::min(chunk, n - done);
      std::lock_guard lock(mu);
      heard.push_back(Clock::now());
    }
    return true;
  }
  void finish(const std::function<bool()>&) override {}
  void drop() override {
    std::lock_guard lock(mu);
    drops.push_back(Clock::now());
  }
  Clock::time_point last_heard() {
    std::lock_guard lock(mu);
    return heard.empty() ? Clock::time_point{} : heard.back();
  }
};

bool wait_for(const std::function<bool()>& cond, int ms) {
  auto until = Clock::now() + std::chrono::milliseconds(ms);
  while (!cond()) {
    if (Clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

}  // namespace

// ---- the text handed to espeak-ng ---------------------------------------------------

TEST_CASE("speech text: ranges, comparisons, percentages and units are written out for Mandarin") {
  CHECK(normalize_for_speech("18–29岁", "zh") == "18到29岁");
  CHECK(normalize_for_speech("18-29岁", "zh") == "18到29岁");
  CHECK(normalize_for_speech("0–50为优", "zh") == "0到50为优");
  CHECK(normalize_for_speech("≥80%", "zh") == "大于等于百分之80");
  CHECK(normalize_for_speech("≤ 50％", "zh") == "小于等于 百分之50");
  CHECK(normalize_for_speech("18%–29%", "zh") == "百分之18到百分之29");
  CHECK(normalize_for_speech("20–26℃", "zh") == "20到26摄氏度");
  CHECK(normalize_for_speech("26 °C", "zh") == "26 度");
  CHECK(normalize_for_speech("3.5公里", "zh") == "3点五公里");
  CHECK(normalize_for_speech("PM2.5", "zh") == "P M 2点五");
  CHECK(normalize_for_speech("AQI指数", "zh") == "A Q I 指数");
  CHECK(normalize_for_speech("55 dB", "zh") == "55 分贝");
  CHECK(normalize_for_speech("2019年3月", "zh") == "二零一九年3月");
  CHECK(normalize_for_speech("拨打12369", "zh") == "拨打幺二三六九");
  CHECK(normalize_for_speech("1/2的人", "zh") == "2分之1的人");
  CHECK(normalize_for_speech("步行/骑行", "zh") == "步行或骑行");
  CHECK(normalize_for_speech("±5", "zh") == "正负5");
}

TEST_CASE("speech text: ASCII punctuation inside Chinese becomes full-width (espeak-ng pauses only there)") {
  CHECK(normalize_for_speech("回答已记录,正在保存中,请放心离开.", "zh") == "回答已记录，正在保存中，请放心离开。");
  CHECK(normalize_for_speech("您满意吗?", "zh") == "您满意吗？");
  CHECK(normalize_for_speech("注意:(选填)", "zh") == "注意：（选填）");
  CHECK(normalize_for_speech("感谢您的参与！", "zh") == "感谢您的参与！");
  // Marks and separators that are seen, not read.
  CHECK(normalize_for_speech("✓ 回答正确", "zh") == "回答正确");
  CHECK(normalize_for_speech("× 正确答案：A", "zh") == "正确答案：A");
  CHECK(normalize_for_speech("共 10 题  ·  约 3 分钟", "zh") == "共 10 题 ， 约 3 分钟");
  CHECK(normalize_for_speech("好……", "zh") == "好，");
  CHECK(normalize_for_speech("3×4", "zh") == "3乘4");
}

TEST_CASE("speech text: English ranges, units and numbers to dial") {
  CHECK(normalize_for_speech("18–29 years", "en") == "18 to 29 years");
  CHECK(normalize_for_speech("≥80%", "en") == "at least 80%");
  CHECK(normalize_for_speech("26℃", "en") == "26 degrees Celsius");
  CHECK(normalize_for_speech("call 12369", "en") == "call 1 2 3 6 9");
  CHECK(normalize_for_speech("55 dB", "en") == "55 decibels");
  CHECK(normalize_for_speech("Yes，no。", "en") == "Yes, no.");
  CHECK(normalize_for_speech("✓ Correct", "en") == "Correct");
}

TEST_CASE("speech text: n = 0, 1, 2 characters, hostile bytes and whitespace") {
  CHECK(normalize_for_speech("", "zh").empty());
  CHECK(normalize_for_speech("   \n\t ", "zh").empty());
  CHECK(normalize_for_speech("好", "zh") == "好");
  CHECK(normalize_for_speech("1", "zh") == "1");
  CHECK(normalize_for_speech("1%", "zh") == "百分之1");
  CHECK(normalize_for_speech("%", "zh") == "百分比");
  CHECK(normalize_for_speech("-", "zh").empty());  // a pause with nothing around it: nothing to read
  CHECK(normalize_for_speech("a\x01\x7f" "b\xff\xfe" "c", "en") == "a bc");  // controls are spaces, bad bytes dropped
  CHECK(normalize_for_speech("12–", "zh") == "12，");
  CHECK(valid_utf8(normalize_for_speech("\xe4\xbd", "zh")));
}

// What espeak-ng does with the raw text (the reason for the rules above), seen in its
// phonemes: these fail if a new espeak-ng reads the raw text well, and the rule can go.
TEST_CASE("speech text: espeak-ng drops or anglicises the raw forms, and reads the normalised ones in Mandarin") {
  REQUIRE(synth_init() == "");
  auto ph = [](const std::string& t) { return phonemes({t, "zh"}); };
  CHECK(ph("80%").find("(en)") != std::string::npos);             // "percent", in English
  CHECK(ph("≥") .find_first_not_of(" \n_|") == std::string::npos);  // silent
  CHECK(ph("18–29岁") == ph("18 29岁"));                             // the dash is dropped
  CHECK(ph("大于等于百分之80").find("(en)") == std::string::npos);
  CHECK(ph(normalize_for_speech("18–29岁", "zh")) != ph("18 29岁"));
  // Debian's plain cmn voice reads characters as English pinyin; the voice used does not.
  CHECK(std::string(voice_for("zh")) == "cmn-latn-pinyin");
  CHECK(ph("你好").find("(en)") == std::string::npos);
}

TEST_CASE("speech text: every shipped question and string is read in its own language, nothing skipped") {
  REQUIRE(synth_init() == "");
  Strings strings = test::shipped_strings();
  int checked = 0;
  for (const std::string lang : {"zh", "en"}) {
    std::vector<Script> scripts;
    for (auto [q, qq] : all_questions()) scripts.push_back(question_script(*qq, lang, strings));
    for (const auto& k : strings.keys(lang))
      if (k.rfind("question.", 0) == 0 || k.rfind("finish.", 0) == 0 || k.rfind("speech.", 0) == 0)
        scripts.push_back({{normalize_for_speech(
                                Strings::format(strings.get(lang, k), {{"answer", lang == "zh" ? "满意" : "Satisfied"},
                                                                       {"text", lang == "zh" ? "步行" : "Walk"},
                                                                       {"n", "3"}, {"min", "1"}, {"max", "3"}, {"c", "7"}, {"i", "2"}}),
                                lang),
                            lang}});
    for (const auto& s : scripts)
      for (const auto& u : s) {
        if (u.text.empty()) continue;
        ++checked;
        // Only what espeak-ng reads: CJK, ASCII letters and digits, spaces and punctuation it pauses at.
        for (char32_t c : [&] {
               std::u32string out;
               for (std::size_t i = 0; i < u.text.size();) {
                 auto b = static_cast<unsigned char>(u.text[i]);
                 int len = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
                 char32_t cp = len == 1 ? b : len == 2 ? (b & 0x1F) : len == 3 ? (b & 0x0F) : (b & 0x07);
                 for (int k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(u.text[i + k]) & 0x3F);
                 out += cp;
                 i += static_cast<std::size_t>(len);
               }
               return out;
             }()) {
          bool ok = (c >= 0x4E00 && c <= 0x9FFF) || (c < 0x80 && (std::isalnum(static_cast<int>(c)) || std::string(" ,.?!:;()'\"{}").find(static_cast<char>(c)) != std::string::npos)) ||
                    std::u32string(U"，。？！：；（）、“”《》‘’").find(c) != std::u32string::npos;
          if (lang == "en") ok = ok || c != U'℃';
          CHECK_MESSAGE(ok, u.text);
        }
        if (lang == "zh") CHECK_MESSAGE(phonemes(u).find("(en)") == std::string::npos, u.text);
      }
  }
  CHECK(checked > 500);
}

// ---- synthesis ------------------------------------------------------------------------

TEST_CASE("speech: every question of every questionnaire in both languages synthesizes to sound that grows with its text") {
  REQUIRE(synth_init() == "");
  Strings strings = test::shipped_strings();
  int rate = sample_rate();
  CHECK(rate == 22050);
  for (const std::string lang : {"zh", "en"}) {
    std::vector<std::pair<std::size_t, std::size_t>> len_samples;
    for (auto [q, qq] : all_questions()) {
      Script s = question_script(*qq, lang, strings);
      REQUIRE_MESSAGE(!s.empty(), q->id << "/" << qq->id);
      std::string error;
      auto samples = render_script(s, 100, &error);
      CHECK_MESSAGE(error.empty(), error);
      double secs = static_cast<double>(samples.size()) / rate;
      std::size_t chars = utf8_length(script_text(s));
      CHECK_MESSAGE(rms(samples) > 0.02, q->id << "/" << qq->id << " " << lang << " is silent");
      // At least a fifth of a second a character for Chinese (measured: ~0.25 s), a
      // twentieth for English letters: the whole text was read, not cut short.
      CHECK_MESSAGE(secs > static_cast<double>(chars) * (lang == "zh" ? 0.12 : 0.03), q->id << "/" << qq->id << " " << secs << " s for " << chars);
      len_samples.push_back({chars, samples.size()});
    }
    // Longer text, longer audio: rank correlation over all questions.
    auto ranks = [&](auto key) {
      std::vector<std::size_t> idx(len_samples.size());
      for (std::size_t i = 0; i < idx.size(); ++i) idx[i] = i;
      std::sort(idx.begin(), idx.end(), [&](auto a, auto b) { return key(len_samples[a]) < key(len_samples[b]); });
      std::vector<double> r(idx.size());
      for (std::size_t i = 0; i < idx.size(); ++i) r[idx[i]] = static_cast<double>(i);
      return r;
    };
    auto rl = ranks([](auto& p) { return p.first; });
    auto rs = ranks([](auto& p) { return p.second; });
    double n = static_cast<double>(rl.size()), d2 = 0;
    for (std::size_t i = 0; i < rl.size(); ++i) d2 += (rl[i] - rs[i]) * (rl[i] - rs[i]);
    double spearman = 1 - 6 * d2 / (n * (n * n - 1));
    MESSAGE(lang << ": " << rl.size() << " questions, Spearman rank correlation of text length and audio length " << spearman);
    CHECK(spearman > 0.8);
  }
}

TEST_CASE("speech: the volume scales the samples — 0 is silence") {
  Script s{{"你好", "zh"}};
  auto full = render_script(s, 100);
  auto half = render_script(s, 50);
  auto none = render_script(s, 0);
  // espeak-ng's last buffer varies by a few samples from run to run: compare the common part.
  std::size_t n = std::min({full.size(), half.size(), none.size()});
  REQUIRE(n > 10000);
  full.resize(n);
  half.resize(n);
  none.resize(n);
  CHECK(rms(half) == doctest::Approx(rms(full) / 2).epsilon(0.02));
  CHECK(rms(none) == 0);
  CHECK(wav_bytes(full, 22050).size() == 44 + full.size() * 2);
  CHECK(wav_bytes(full, 22050).substr(0, 4) == "RIFF");
}

TEST_CASE("speech: a stop mid-sentence is silent within 100 ms, during playback and during synthesis") {
  REQUIRE(synth_init() == "");
  PacedSink sink;
  std::atomic<int> idles{0};
  Speaker sp(sink, 80, [&] { ++idles; });
  std::string longer;
  for (int i = 0; i < 8; ++i) longer += "绿色出行是指采取相对环保的出行方式，减少交通拥堵和污染。";
  // Playback: well into the first sentence.
  sp.say({{longer, "zh"}});
  REQUIRE(wait_for([&] { return sink.samples.load() > static_cast<std::size_t>(sample_rate()); }, 5000));  // 1 s heard
  auto t0 = Clock::now();
  std::size_t at_stop = sink.samples;
  sp.stop();
  CHECK_FALSE(sp.speaking());
  REQUIRE(wait_for([&] { return idles.load() == 1; }, 1000));
  double after_ms = static_cast<double>(sink.samples - at_stop) * 1000.0 / sample_rate();
  double drop_ms = std::chrono::duration<double, std::milli>(sink.drops.back() - t0).count();
  double last_ms = std::max(0.0, std::chrono::duration<double, std::milli>(sink.last_heard() - t0).count());
  MESSAGE("stop during playback: device dropped after " << drop_ms << " ms; " << after_ms << " ms of sound handed over after the stop");
  CHECK(drop_ms < 100);
  CHECK(last_ms < 100);
  CHECK(after_ms <= 40);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  CHECK(sink.samples == at_stop + static_cast<std::size_t>(after_ms * sample_rate() / 1000.0 + 0.5));  // and nothing later

  // Synthesis: a very long utterance, stopped before a sample reaches the device.
  std::string longest;
  for (int i = 0; i < 40; ++i) longest += longer;
  std::size_t before = sink.samples;
  sp.say({{longest, "zh"}});
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  auto t1 = Clock::now();
  sp.stop();
  REQUIRE(wait_for([&] { return idles.load() == 2; }, 2000));
  double idle_ms = ms_since(t1);
  MESSAGE("stop during synthesis of " << longest.size() / 3 << " characters: the worker was idle after " << idle_ms << " ms");
  CHECK(idle_ms < 100);
  CHECK(sink.samples == before);

  // A new say() replaces the old one at once, and n = 0 utterances ends at once.
  sp.say({{longer, "zh"}});
  sp.say({});
  REQUIRE(wait_for([&] { return !sp.speaking(); }, 1000));
  CHECK(sink.samples == before);
}

// ---- the sound device -------------------------------------------------------------------

// The kiosk opens its sound device at kEspeakRate before espeak-ng is loaded (issue 20):
// the engine, loaded at the first reading, must produce exactly that rate, or every
// reading would play at the wrong pitch.
TEST_CASE("speech: espeak-ng, loaded at first use, gives the rate the sound device was opened at") {
  CHECK(speech::synth_init().empty());
  CHECK(speech::sample_rate() == speech::kEspeakRate);
}

TEST_CASE("sound device: a missing device is reported, not fatal — ALSA's null device plays") {
  platform::AlsaSink missing(22050, "hw:97,0");
  CHECK_FALSE(missing.available());
  CHECK(missing.problem().find("hw:97,0") != std::string::npos);
  std::vector<std::int16_t> s(2205, 1000);
  CHECK_FALSE(missing.play(s.data(), s.size(), 22050, [] { return false; }));
  missing.drop();  // harmless

  platform::AlsaSink null(22050, "null");
  REQUIRE_MESSAGE(null.available(), null.problem());
  CHECK(null.play(s.data(), s.size(), 22050, [] { return false; }));
  null.drop();
  CHECK(null.play(s.data(), s.size(), 22050, [] { return true; }));  // cancelled: nothing written
}

// ---- when the kiosk reads -------------------------------------------------------------

TEST_CASE("read-aloud model: 朗读 reads the page, any other tap or a new page stops it, and n/a without sound") {
  test::KioskRig rig(3);
  KioskModel& m = rig.model;
  auto apply = [&](const Intent& in) {
    m.apply(in);
  };
  // No sound device: nothing is ever asked for.
  apply(intent::ToggleAutoRead{});
  CHECK_FALSE(m.auto_read());
  rig.start("satisfaction");
  apply(intent::ReadAloud{});
  CHECK_FALSE(m.reading());

  m.set_speech_available(true);
  std::uint64_t s0 = m.read_serial();
  apply(intent::ReadAloud{});
  CHECK(m.reading());
  CHECK(m.read_serial() == s0 + 1);
  apply(intent::StopReading{});
  CHECK_FALSE(m.reading());
  apply(intent::ReadAloud{});
  apply(intent::SetLang{"en"});  // any other intent stops it
  CHECK_FALSE(m.reading());
  apply(intent::ReadAloud{});
  // An answer that moves on by itself: the tap stops the reading, the new page does not start it.
  intent::Answer pick;
  pick.answer = Choice{m.session()->current()->options.front().id};
  pick.advance = true;
  const Question* first = m.session()->current();
  m.apply(pick);
  CHECK_FALSE(m.reading());
  apply(intent::ReadAloud{});
  CHECK(m.reading());
  rig.now += KioskModel::kAutoAdvanceMs + 10;
  m.tick();
  REQUIRE(m.session()->current() != first);
  CHECK_FALSE(m.reading());
  // The script read to its end: reading() ends with it.
  apply(intent::ReadAloud{});
  m.set_speaking(true);
  m.set_speaking(false);
  CHECK_FALSE(m.reading());
  // A press that only touches (no intent) does not stop it; the frame turns a press into stop_reading.
  apply(intent::ReadAloud{});
  m.apply(intent::Touch{});
  CHECK(m.reading());
  apply(intent::Quit{});
  CHECK_FALSE(m.reading());
  apply(intent::ConfirmLeave{});
  REQUIRE(m.screen() == Screen::welcome);
}

TEST_CASE("read-aloud model: a resident listening is not idle — the quiet time starts when the reading ends") {
  test::KioskRig rig(6);
  KioskModel& m = rig.model;
  m.set_speech_available(true);
  m.apply(intent::Start{"satisfaction"});
  m.apply(intent::ReadAloud{});
  m.set_speaking(true);
  rig.now += 120'000;  // far past "still there?" and the countdown on the first question
  m.tick();
  CHECK_FALSE(m.idle_overlay());
  REQUIRE(m.screen() == Screen::question);
  m.set_speaking(false);
  CHECK_FALSE(m.reading());
  rig.now += (m.idle_limit_seconds() - 1) * 1000LL;
  m.tick();
  CHECK_FALSE(m.idle_overlay());
  rig.now += 2000;
  m.tick();
  CHECK(m.idle_overlay());
  rig.now += (rig.cfg.countdown_seconds + 1) * 1000LL;
  m.tick();
  CHECK(m.screen() == Screen::welcome);  // walked away after all: abandoned as before
}

TEST_CASE("read-aloud model: the welcome switch reads every page, and is off again for the next resident") {
  test::KioskRig rig(4);
  KioskModel& m = rig.model;
  Strings strings = test::shipped_strings();
  m.set_speech_available(true);
  auto apply = [&](const Intent& in) {
    m.apply(in);
  };
  apply(intent::ToggleAutoRead{});
  REQUIRE(m.auto_read());
  CHECK(m.reading());  // says it is on and reads the choices
  Script w = screen_script(m, strings);
  REQUIRE(w.size() == 2 + m.offered().size());
  CHECK(w[2].text == "第1项，" + normalize_for_speech(m.offered()[0]->title.get("zh"), "zh"));
  apply(intent::Start{"green-travel"});
  CHECK(m.reading());
  std::uint64_t s = m.read_serial();
  Script qs = screen_script(m, strings);
  const Question& q = *m.session()->current();
  CHECK(qs.front().text == normalize_for_speech(q.text.get("zh"), "zh"));
  CHECK(qs.back().text.rfind("第" + std::to_string(q.type == QuestionType::count_matrix ? q.rows.size() : q.options.size()) + "项，", 0) == 0);
  apply(intent::SetLang{"en"});  // the same page in English: read again, in English
  CHECK(m.reading());
  CHECK(m.read_serial() > s);
  CHECK(screen_script(m, strings).front().lang == "en");
  apply(intent::StopReading{});
  CHECK_FALSE(m.reading());
  CHECK(m.auto_read());  // a tap silences this page; the next one is read again
  apply(intent::Quit{});
  apply(intent::ConfirmLeave{});
  CHECK_FALSE(m.auto_read());
  CHECK_FALSE(m.reading());
  apply(intent::Start{"green-travel"});
  CHECK_FALSE(m.reading());
}

TEST_CASE("read-aloud: the finish screen reads the score and every explanation") {
  Strings strings = test::shipped_strings();
  const Questionnaire* q = test::shipped().find("knowledge");
  REQUIRE(q);
  SessionOptions o;
  o.seed = 5;
  Session s(*q, o);
  for (int guard = 0; guard < 60 && !s.at_end(); ++guard) {
    const Question& cur = *s.current();
    if (!cur.options.empty()) s.answer(cur.type == QuestionType::multiple ? Answer{ChoiceSet{{cur.options.front().id}}} : Answer{Choice{cur.options.front().id}});
    s.next();
  }
  REQUIRE(s.at_end());
  Response r = s.complete();
  Script f = finish_script(q, &r, true, "zh", strings);
  QuizScore score = quiz_score(*q, r);
  CHECK(f[2].text == normalize_for_speech(Strings::format(strings.get("zh", "finish.score"), {{"c", std::to_string(score.correct)}, {"n", std::to_string(score.drawn)}}), "zh"));
  int explained = 0;
  for (const auto& id : r.drawn)
    for (const auto& u : f)
      if (u.text == normalize_for_speech(q->find(id)->explanation.get("zh"), "zh")) { ++explained; break; }
  CHECK(explained == static_cast<int>(r.drawn.size()));
  CHECK(r.drawn.size() > 0);
}

// ---- 朗读 pressed on screen -------------------------------------------------------------

TEST_CASE("by touch: 朗读 at its drawn position starts speech — a tap elsewhere stops it within 100 ms") {
  REQUIRE(synth_init() == "");
  Strings strings = test::shipped_strings();
  for (ImVec2 size : {ImVec2(1920, 1080), ImVec2(1080, 1920)}) {
    CAPTURE(size.x);
    test::KioskRig rig(9);
    KioskModel& m = rig.model;
    m.set_speech_available(true);
    PacedSink sink;
    Speaker speaker(sink, 80);
    ReadAloud reader(&speaker);
    std::string glyphs = "0123456789";
    for (const auto& lang : strings.languages())
      for (const auto& k : strings.keys(lang)) glyphs += strings.get(lang, k);
    for (const auto& qq : test::shipped().list) {
      for (const auto& [l, t] : qq.title.by_lang) glyphs += t;
      for (const auto& x : qq.questions) {
        for (const auto& [l, t] : x.text.by_lang) glyphs += t;
        for (const auto& o : x.options)
          for (const auto& [l, t] : o.text.by_lang) glyphs += t;
      }
    }
    ui::Headless h(size, ui::scale_for(size), glyphs);
    REQUIRE(h.fonts_found);
    auto frame = [&](ImVec2 mouse, bool down) {
      h.begin_frame(mouse, down);
      ui::View v{strings, m, h.fonts.pick(false), ui::scale_for(size), size, size.y > size.x};
      Intent in = ui::draw_frame(v);
      ImGui::Render();
      m.apply(in);
      m.tick();
      reader.sync(m, strings);
    };
    rig.start("satisfaction");
    REQUIRE(m.screen() == Screen::question);
    const Question* q = m.session()->current();
    auto hit = h.tap(strings.get("zh", "speech.read"), 0, frame);
    REQUIRE(hit);
    CHECK(hit->max.y < size.y * 0.25f);  // in the header, above the question
    CHECK(m.reading());
    CHECK(speaker.speaking());
    REQUIRE(wait_for([&] { return sink.samples.load() > static_cast<std::size_t>(sample_rate() / 2); }, 5000));
    // While it reads, the button offers to stop.
    frame(ImVec2(-1, -1), false);
    bool stop_shown = false;
    for (const auto& it : h.hits) stop_shown |= it.label == strings.get("zh", "speech.stop");
    CHECK(stop_shown);
    // A tap on the question's text (nothing tappable there): silent at the press.
    ImVec2 empty(size.x * 0.5f, hit->max.y + ui::scale_for(size) * 150);
    frame(empty, false);
    auto t0 = Clock::now();
    frame(empty, true);
    CHECK_FALSE(m.reading());
    CHECK_FALSE(speaker.speaking());
    REQUIRE(wait_for([&] { std::lock_guard l(sink.mu); return !sink.drops.empty(); }, 1000));
    double drop_ms = std::chrono::duration<double, std::milli>(sink.drops.back() - t0).count();
    MESSAGE("tap to silence: " << drop_ms << " ms");
    CHECK(drop_ms < 100);
    frame(empty, false);
    CHECK(m.session()->current() == q);  // the tap answered nothing
    CHECK_FALSE(m.reading());
    // 朗读 again, then 停止朗读 on the same button: stops and does not start again.
    REQUIRE(h.tap(strings.get("zh", "speech.read"), 0, frame));
    CHECK(m.reading());
    REQUIRE(h.tap(strings.get("zh", "speech.stop"), 0, frame));
    CHECK_FALSE(m.reading());
    CHECK_FALSE(speaker.speaking());
    // An option tapped while reading: the reading stops and the answer counts.
    REQUIRE(h.tap(strings.get("zh", "speech.read"), 0, frame));
    REQUIRE(h.tap(m.session()->options_in_order(*q).front()->text.get("zh"), 0, frame));
    CHECK_FALSE(speaker.speaking());
    CHECK(answered(m.session()->answer_of(q->id)));
  }
}

TEST_CASE("by touch: without a sound device neither 朗读 nor the welcome switch is drawn") {
  Strings strings = test::shipped_strings();
  test::KioskRig rig(10);
  KioskModel& m = rig.model;
  ImVec2 size(1920, 1080);
  ui::Headless h(size, 1, "0123456789朗读自动开关停止");
  auto labels = [&] {
    h.begin_frame(ImVec2(-1, -1), false);
    ui::View v{strings, m, h.fonts.pick(false), 1, size, false};
    m.apply(ui::draw_frame(v));
    ImGui::Render();
    std::vector<std::string> out;
    for (const auto& it : h.hits) out.push_back(it.label);
    return out;
  };
  auto has = [](const std::vector<std::string>& l, const std::string& s) { return std::find(l.begin(), l.end(), s) != l.end(); };
  CHECK_FALSE(has(labels(), strings.get("zh", "speech.auto_off")));
  m.set_speech_available(true);
  CHECK(has(labels(), strings.get("zh", "speech.auto_off")));
  m.set_speech_available(false);
  Intent start = intent::Start{"satisfaction"};
  m.apply(start);
  CHECK_FALSE(has(labels(), strings.get("zh", "speech.read")));
  m.set_speech_available(true);
  CHECK(has(labels(), strings.get("zh", "speech.read")));
}

TEST_CASE("by touch: the welcome switch and 朗读 overlap nothing, in both text sizes and orientations, and work where drawn") {
  Strings strings = test::shipped_strings();
  std::string glyphs = "0123456789";
  for (const auto& lang : strings.languages())
    for (const auto& k : strings.keys(lang)) glyphs += strings.get(lang, k);
  for (const auto& qq : test::shipped().list) {
    for (const auto& [l, t] : qq.title.by_lang) glyphs += t;
    for (const auto& [l, t] : qq.intro.by_lang) glyphs += t;
    for (const auto& x : qq.questions)
      for (const auto& [l, t] : x.text.by_lang) glyphs += t;
  }
  Config c;
  for (const auto& [l, t] : c.district_title) glyphs += t;
  for (const auto& [l, t] : c.hall_name) glyphs += t;
  for (ImVec2 size : {ImVec2(1920, 1080), ImVec2(1080, 1920), ImVec2(1280, 800)})
    for (bool large : {false, true}) {
      CAPTURE(size.x);
      CAPTURE(large);
      test::KioskRig rig(11);
      KioskModel& m = rig.model;
      m.set_speech_available(true);
      ui::Headless h(size, ui::scale_for(size), glyphs);
      if (large) {
        Intent in = intent::ToggleLargeText{};
        m.apply(in);
        h.rebake(true);
      }
      auto frame = [&](ImVec2 mouse, bool down) {
        h.begin_frame(mouse, down);
        ui::View v{strings, m, h.fonts.pick(m.large_text()), ui::scale_for(size) * m.text_scale(), size, size.y > size.x};
        Intent in = ui::draw_frame(v);
        ImGui::Render();
        m.apply(in);
      };
      auto clear_of_others = [&](const std::string& label) {
        frame(ImVec2(-1, -1), false);
        const ui::HitItem* mine = nullptr;
        for (const auto& it : h.hits)
          if (it.label == label) mine = &it;
        REQUIRE(mine);
        CHECK(mine->min.x >= 0);
        CHECK(mine->max.x <= size.x);
        for (const auto& it : h.hits) {
          if (&it == mine || it.label == "##staff") continue;
          bool overlap = it.min.x < mine->max.x && mine->min.x < it.max.x && it.min.y < mine->max.y && mine->min.y < it.max.y;
          // Welcome cards lie under nothing of the header.
          CHECK_MESSAGE(!overlap, label, " overlaps ", it.label);
        }
        for (const auto& it : h.hits)
          if (it.label == "##staff")  // the staff corner stays clear
            CHECK_FALSE((it.min.x < mine->max.x && mine->min.x < it.max.x && it.min.y < mine->max.y && mine->min.y < it.max.y));
      };
      clear_of_others(strings.get("zh", "speech.auto_off"));
      REQUIRE(h.tap(strings.get("zh", "speech.auto_off"), 0, frame));
      CHECK(m.auto_read());
      Intent start = intent::Start{"satisfaction"};
      m.apply(start);
      clear_of_others(strings.get("zh", "speech.stop"));  // reading every page: it is reading
    }
}
