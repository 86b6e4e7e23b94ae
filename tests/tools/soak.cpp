// ecokiosk_soak [SESSIONS] [SEED]: simulated residents through the headless UI — taps
// on labelled items, completions, walk-aways (the idle countdown), language switches.
// Prints resident memory as it goes; fails when memory grows or the store does not
// hold exactly what was completed.
#include <imgui.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>

#include "core/storage/store.hpp"
#include "core/support/time.hpp"
#include "kiosk/kiosk_model.hpp"
#include "ui/common/fonts.hpp"
#include "ui/resident/frame.hpp"
#include "ui/common/headless.hpp"
#include "ui/common/theme.hpp"
#include "ui/resident/view.hpp"

using namespace eco;
using namespace eco::ui;

namespace {
long rss_kb() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return 0;
}
}  // namespace

int main(int argc, char** argv) {
  long sessions = argc > 1 ? std::atol(argv[1]) : 100000;
  std::uint64_t seed = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 1;
  std::string src = ECOKIOSK_SOURCE_DIR;
  QuestionnaireSet set = load_questionnaire_dir(src + "/questionnaires");
  Strings strings;
  std::vector<std::string> errors;
  strings.load_dir(src + "/assets/i18n", errors);
  std::string db = "/tmp/ecokiosk-soak-" + std::to_string(seed) + ".db";
  for (const char* ext : {"", "-wal", "-shm"}) std::remove((db + ext).c_str());
  Store store(db);
  TimeMs now = 1'561'000'000'000;
  Config cfg;
  KioskModel model(cfg, set, &store, [&] { return now; }, seed);

  ImVec2 size(1920, 1080);
  std::string glyphs;
  for (const auto& q : set.list) glyphs += q.title.get("zh");
  auto headless = std::make_unique<Headless>(size, scale_for(size), glyphs);
  Fonts& fonts = headless->fonts;

  auto frame = [&](ImVec2 mouse, bool down) {
    headless->begin_frame(mouse, down);
    View v{strings, model, fonts.pick(model.large_text()), scale_for(size), size, false};
    Intent in = draw_frame(v);
    ImGui::Render();
    model.apply(in);  // also a bare touch, which restarts the screen's timer
    now += 16;
    model.tick();
  };
  auto tap = [&](const std::string& label) { return headless->tap(label, 0, frame).has_value(); };

  Rng rng(seed);
  long completed = 0, walked_away = 0, switched = 0, errors_seen = 0;
  long first_rss = 0;
  for (long s = 0; s < sessions; ++s) {
    if (rng.below(10) == 0) {
      tap(strings.get(model.lang(), "lang.switch"));
      ++switched;
    }
    const Questionnaire& q = set.list[rng.below(set.list.size())];
    if (!tap(q.title.get(model.lang()))) { ++errors_seen; continue; }
    now += KioskModel::kAnswerAbsorbMs;  // the first question is read (a tap sooner is 开始's second)
    bool walk_away = rng.below(8) == 0;
    std::size_t leave_at = 1 + rng.below(6);
    for (int guard = 0; guard < 80 && model.screen() == Screen::question; ++guard) {
      if (walk_away && static_cast<std::size_t>(model.session()->progress().position) >= leave_at) {
        now += (cfg.idle_seconds + cfg.countdown_seconds + 1) * 1000LL;  // the resident is gone
        frame(ImVec2(-1, -1), false);
        ++walked_away;
        break;
      }
      const Question& cur = *model.session()->current();
      if (cur.type == QuestionType::integer) tap(std::to_string(1 + rng.below(9)));  // the number pad
      if (!cur.options.empty()) {
        auto order = model.session()->options_in_order(cur);
        tap(order[rng.below(order.size())]->text.get(model.lang()));
        now += KioskModel::kAutoAdvanceMs + 1;
        frame(ImVec2(-1, -1), false);
        now += KioskModel::kAnswerAbsorbMs;  // the page it moved on to is read (a tap sooner is this one's second)
      }
      if (model.screen() != Screen::question || model.session()->current() != &cur) continue;
      bool last = model.session()->progress().position == model.session()->progress().total;
      // A pick-one question shows no Next until something is picked (the tap may have
      // missed a row out of view): the resident taps again.
      if (!model.next_shown()) continue;
      if (!tap(strings.get(model.lang(), last ? "nav.submit" : "nav.next"))) ++errors_seen;
    }
    if (model.screen() == Screen::finish) {
      ++completed;
      now += KioskModel::kNextAbsorbMs;  // the thanks are read
      tap(strings.get(model.lang(), "finish.done"));  // 看完了
    }
    if (model.screen() != Screen::welcome) {
      ++errors_seen;
      model.apply(intent::Home{});
    }
    if (s == sessions / 10) first_rss = rss_kb();
    if (sessions >= 10 && (s + 1) % (sessions / 10) == 0)
      std::printf("%8ld sessions: %ld completed, %ld walked away, resident memory %ld KiB\n", s + 1, completed,
                  walked_away, rss_kb());
  }
  std::int64_t stored = store.count();
  std::int64_t abandoned = store.abandoned_count();
  long last_rss = rss_kb();
  std::printf("sessions %ld, completed %ld, stored %lld, walked away %ld, abandoned stored %lld, language switches "
              "%ld, unsaved %zu, errors %ld, memory %ld -> %ld KiB\n",
              sessions, completed, static_cast<long long>(stored), walked_away, static_cast<long long>(abandoned),
              switched, model.unsaved(), errors_seen, first_rss, last_rss);
  headless.reset();
  // Under AddressSanitizer freed memory waits in a quarantine (256 MB by default), so
  // memory rises there whatever the code does; LeakSanitizer checks leaks at exit.
#if defined(__SANITIZE_ADDRESS__)
  const bool check_memory = false;
  std::printf("AddressSanitizer build: memory growth not judged (quarantine)\n");
#else
  const bool check_memory = true;
#endif
  bool ok = stored == completed && abandoned == walked_away && errors_seen == 0 && model.unsaved() == 0 &&
            (!check_memory || first_rss == 0 || last_rss - first_rss < 16 * 1024);
  for (const char* ext : {"", "-wal", "-shm"}) std::remove((db + ext).c_str());
  std::printf("%s\n", ok ? "soak: ok" : "soak: FAILED");
  return ok ? 0 : 1;
}
