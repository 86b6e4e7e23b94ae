// Frame CPU time of the heaviest screens (the overview of 40 indicators, the survey
// results on the big database), headless, and the slowest SQL statement the UI thread
// ran meanwhile (SQLite's profile trace on the UI's connection).
#include <imgui.h>
#include <sqlite3.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <memory>

#include "core/storage/audit_anchor.hpp"
#include "core/storage/store_access.hpp"
#include "console/console_model.hpp"
#include "bench/bench.hpp"
#include "tools/count_malloc.hpp"
#include "core/catalog/catalog.hpp"
#include "core/support/i18n.hpp"
#include "ui/console/console_view.hpp"
#include "ui/common/fonts.hpp"
#include "ui/common/headless.hpp"
#include "ui/common/theme.hpp"
#include "ui/resident/frame.hpp"
#include "kiosk/kiosk_model.hpp"
#include "core/central/credentials.hpp"
#include "core/central/sync.hpp"
#include "core/support/config.hpp"
#include "core/survey/questionnaire_loader.hpp"

namespace bench {

namespace {

double thread_cpu_ms() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) / 1e6;
}

std::int64_t g_slowest_ns = 0;
long g_statements = 0;
std::string g_slowest_sql;
int profile(unsigned, void*, void* stmt, void* ns) {
  ++g_statements;
  auto t = *static_cast<std::int64_t*>(ns);
  if (t > g_slowest_ns) {
    g_slowest_ns = t;
    const char* sql = sqlite3_sql(static_cast<sqlite3_stmt*>(stmt));
    g_slowest_sql = sql ? std::string(sql).substr(0, 80) : "";
  }
  return 0;
}

void frames(const Options& o) {
  ensure_big_db(o);
  eco::QuestionnaireSet set = eco::load_questionnaire_dir(ECOKIOSK_SOURCE_DIR "/questionnaires");
  eco::CatalogLoad cat = eco::load_catalog(ECOKIOSK_SOURCE_DIR "/assets/indicators.json");
  eco::Strings strings;
  std::vector<std::string> errors;
  strings.load_dir(ECOKIOSK_SOURCE_DIR "/assets/i18n", errors);
  eco::Store store(o.db);
  eco::Config cfg;
  eco::ConsoleModel m(*cat.catalog, store, o.db, set, cfg, "/tmp/ecokiosk-bench-config.json");
  {
    // As `ecokiosk set-pin` does, through the anchor file the console checks: without
    // it the console stays on its "PIN record changed outside the program" screen, and
    // the figures below were those of that screen.
    eco::AdminStore staff(store, *cat.catalog);
    staff.use_anchor(eco::anchor_path_for("/tmp/ecokiosk-bench-config.json", o.db));
    if (std::string e = staff.set_pin("135790", "bench"); !e.empty()) {
      std::printf("skipped: cannot set the console's PIN: %s\n", e.c_str());
      return;
    }
  }

  ImVec2 size(1920, 1080);
  std::string text, catalog_text;
  for (const auto& k : strings.keys("zh")) text += strings.get("zh", k);
  for (const auto& i : cat.catalog->indicators) catalog_text += i.name + i.target + i.lead.front();
  auto headless = std::make_unique<eco::ui::Headless>(size, 1.f, text, catalog_text);
  eco::ui::Fonts& fonts = headless->fonts;
  eco::ui::g_hit_items = nullptr;  // the tests' recorders: not part of a real frame
  eco::ui::g_text_items = nullptr;

  const long long responses = store.count();  // before the trace: the bench's own query
  m.open();
  for (char c : std::string("135790")) m.apply(eco::console_intent::PinKey{c});
  auto t0 = Clock::now();
  m.apply(eco::console_intent::PinSubmit{});
  if (!m.signed_in()) {
    std::printf("skipped: the console did not open with the PIN just set\n");
    return;
  }
  // The survey figures come from the worker; the UI thread keeps drawing meanwhile.
  std::vector<double> while_computing;
  sqlite3_trace_v2(eco::StoreAccess::db(store).raw(), SQLITE_TRACE_PROFILE, profile, nullptr);
  auto frame = [&] {
    double c0 = thread_cpu_ms();
    ImGui::NewFrame();
    eco::ui::ConsoleView v{strings, m, fonts.console, fonts.console_heading, 1.f, size, "zh", ""};
    eco::ConsoleIntent in = eco::ui::draw_console(v);
    ImGui::Render();
    m.apply(in);
    m.tick();
    return thread_cpu_ms() - c0;
  };
  while (m.computing()) {
    while_computing.push_back(frame());
    std::this_thread::sleep_for(std::chrono::milliseconds(16));
  }
  double worker_s = seconds_since(t0);
  auto report = [&](const char* what, std::vector<double> t) {
    std::sort(t.begin(), t.end());
    std::printf("%s: median %.2f ms, p95 %.2f ms, max %.2f ms of CPU per frame (%zu frames; goal: median under 4 ms)\n",
                what, t[t.size() / 2], t[t.size() * 95 / 100], t.back(), t.size());
  };
  std::printf("survey figures for %lld responses computed on the worker in %.1f s\n",
              responses, worker_s);
  if (!while_computing.empty()) report("console frames while the worker computes", while_computing);
  for (const char* page : {"overview", "survey"}) {
    m.apply(eco::console_intent::ShowPage{page == std::string("overview") ? eco::ConsolePage::overview
                                                                           : eco::ConsolePage::survey});
    std::vector<double> t;
    for (int i = 0; i < 300; ++i) t.push_back(frame());
    report(page == std::string("overview") ? "overview of 40 indicators" : "survey results (satisfaction)", t);
    // An idle frame allocates nothing: every malloc of this thread over 300 more frames.
    test::start_counting_allocations();
    for (int i = 0; i < 300; ++i) frame();
    long allocs = test::stop_counting_allocations();
    std::printf("  heap allocations over 300 idle frames of it: %ld (goal: 0)\n", allocs);
  }
  // A few staff actions, so their queries are in the trace too.
  m.apply(eco::console_intent::OpenIndicator{"12"});
  frame();
  m.apply(eco::console_intent::ShowPage{eco::ConsolePage::departments});
  frame();
  m.apply(eco::console_intent::ShowPage{eco::ConsolePage::audit});
  frame();
  sqlite3_trace_v2(eco::StoreAccess::db(store).raw(), 0, nullptr, nullptr);
  std::printf("slowest of %ld SQL statements on the UI thread: %.2f ms (%s) (SQLite profile clock, 1 ms resolution; goal: none over 16 ms)\n",
              g_statements, static_cast<double>(g_slowest_ns) / 1e6, g_slowest_sql.c_str());
  headless.reset();
}

double wall_ms() {
  timespec t{};
  clock_gettime(CLOCK_MONOTONIC, &t);
  return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) / 1e6;
}

// The resident screens' frames while the sync worker drains a backlog into the center
// (issue 16: "the kiosk's frame time while a backlog drains, unchanged within noise").
// The kiosk's loop is event-driven, so what matters is the frame a resident's tap causes:
// a scripted resident taps through questionnaires (start, answer, next, ..., the finish
// screen's save, home), one tap every 20 ms, and each tap's frame (apply, draw, render,
// tick, as the kiosk does it) is timed on the wall clock and in the thread's CPU: first
// with nothing else running, then with the kiosk's own SyncWorker thread draining.
void drain_frames(const Options& o) {
  if (o.sync_config.empty()) {
    std::printf("skipped: needs --sync-config (tests/bench/central_bench.sh runs it against its own center)\n");
    return;
  }
  eco::ConfigLoad cl = eco::load_config(o.sync_config);
  eco::QuestionnaireSet set = eco::load_questionnaire_dir(ECOKIOSK_SOURCE_DIR "/questionnaires");
  eco::Strings strings;
  std::vector<std::string> errors;
  strings.load_dir(ECOKIOSK_SOURCE_DIR "/assets/i18n", errors);
  std::string text = "0123456789";
  for (const auto& k : strings.keys("zh")) text += strings.get("zh", k);
  for (const auto& q : set.list)
    for (const auto& qq : q.questions) {
      for (const auto& [l, t] : qq.text.by_lang) text += t;
      for (const auto& op : qq.options)
        for (const auto& [l, t] : op.text.by_lang) text += t;
    }
  ImVec2 size(1920, 1080);
  auto headless = std::make_unique<eco::ui::Headless>(size, eco::ui::scale_for(size), text);
  eco::Store store(o.db);
  eco::KioskModel m(cl.config, set, &store);
  const std::string first = set.list.front().id;

  // One tap of the scripted resident: what the person on this screen would do next.
  auto next_tap = [&]() -> eco::Intent {
    switch (m.screen()) {
      case eco::Screen::welcome: return eco::intent::Start{first};
      case eco::Screen::question: {
        const eco::Question& q = *m.session()->current();
        if (std::holds_alternative<std::monostate>(m.session()->answer_of(q.id))) {
          eco::Answer a;
          if (q.type == eco::QuestionType::single || q.type == eco::QuestionType::rating) a = eco::Choice{q.options.front().id};
          else if (q.type == eco::QuestionType::multiple) a = eco::ChoiceSet{{q.options.front().id}};
          else if (q.type == eco::QuestionType::count_matrix) a = eco::Counts{{{q.rows.front().id, 1}}};
          else if (q.type == eco::QuestionType::integer) a = q.min;
          if (!std::holds_alternative<std::monostate>(a)) return eco::intent::Answer{a};
        }
        return eco::intent::Next{};
      }
      default: return eco::intent::Home{};
    }
  };
  struct Sample {
    std::vector<double> wall, cpu;  // the frames without a save
    std::vector<double> save_wall;  // the frames of the last Next, which saves (synchronous=FULL)
  };
  auto run = [&](int taps) {
    Sample s;
    for (int i = 0; i < taps; ++i) {
      eco::Intent tap = next_tap();
      const bool saves = m.screen() == eco::Screen::question && eco::is<eco::intent::Next>(tap);
      double w0 = wall_ms(), c0 = thread_cpu_ms();
      eco::Screen before = m.screen();
      m.apply(tap);
      ImGuiIO& io = ImGui::GetIO();
      io.MousePos = ImVec2(-1, -1);
      io.MouseDown[0] = false;
      ImGui::NewFrame();
      eco::ui::View v{strings, m, headless->fonts.pick(m.large_text()), eco::ui::scale_for(size) * m.text_scale(), size, false};
      eco::Intent in = eco::ui::draw_frame(v);
      ImGui::Render();
      m.apply(in);
      m.tick();
      double w = wall_ms() - w0, c = thread_cpu_ms() - c0;
      if (saves && before == eco::Screen::question && m.screen() == eco::Screen::finish) {
        s.save_wall.push_back(w);
      } else {
        s.wall.push_back(w);
        s.cpu.push_back(c);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return s;
  };
  auto stats = [](std::vector<double> t) {
    std::sort(t.begin(), t.end());
    double sum = 0;
    for (double x : t) sum += x;
    char buf[96];
    std::snprintf(buf, sizeof buf, "mean %.2f / p99 %.2f / max %.2f ms", sum / static_cast<double>(t.size()),
                  t[std::min(t.size() - 1, t.size() * 99 / 100)], t.back());
    return std::string(buf);
  };
  auto load = [] {
    double l[3] = {0, 0, 0};
    if (getloadavg(l, 3) != 3) return std::string("?");
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.2f %.2f %.2f", l[0], l[1], l[2]);
    return std::string(buf);
  };
  const int taps = 300;
  run(20);  // warm-up: fonts, the first questionnaire's layout
  Sample alone = run(taps);
  std::string load_alone = load();
  const long long waiting = eco::central::read_sync_state(store, cl.config.kiosk_id).waiting;

  eco::central::SyncSettings ss;
  ss.url = cl.config.central_url;
  ss.credentials_path = eco::central::credentials_path(o.sync_config, cl.config.central_credentials);
  ss.kiosk_id = cl.config.kiosk_id;
  ss.idle_poll_ms = 600000;
  eco::central::SyncWorker worker(o.db, ss);
  auto t0 = Clock::now();
  worker.start();
  Sample during = run(taps);
  std::string load_during = load();
  const bool still = worker.runs() == 0;
  while (worker.runs() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  eco::central::SyncReport r = worker.last();
  double drain_s = seconds_since(t0);
  worker.stop();
  std::printf("resident frames, one per tap (%d taps 20 ms apart), wall clock, the %zu without a save: alone %s (load %s)\n",
              taps, alone.wall.size(), stats(alone.wall).c_str(), load_alone.c_str());
  std::printf("  the same while the sync worker drained %lld waiting responses: %s (%s at the end; load %s)\n",
              waiting, stats(during.wall).c_str(), still ? "still draining" : "drain had finished",
              load_during.c_str());
  std::printf("  thread CPU of those frames: alone %s; during %s\n", stats(alone.cpu).c_str(), stats(during.cpu).c_str());
  std::printf("  the frames that save a response (%zu / %zu): alone %s; during %s\n", alone.save_wall.size(),
              during.save_wall.size(), stats(alone.save_wall).c_str(), stats(during.save_wall).c_str());
  std::printf("  the drain: %s, sent %lld in %.1f s (%lld waiting after)\n",
              eco::central::status_name(r.status), static_cast<long long>(r.sent), drain_s,
              static_cast<long long>(r.waiting));
  headless.reset();
}

}  // namespace

void register_frames(std::vector<Bench>& list) {
  list.push_back({"frames", frames});
  list.push_back({"drain_frames", drain_frames});
}

}  // namespace bench
