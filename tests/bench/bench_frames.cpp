// Frame CPU time of the heaviest screens (the overview of 40 indicators, the survey
// results on the big database), headless, and the slowest SQL statement the UI thread
// ran meanwhile (SQLite's profile trace on the UI's connection).
#include <imgui.h>
#include <sqlite3.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <memory>

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
  eco::AdminStore(store, *cat.catalog).set_pin("135790", "bench");

  ImVec2 size(1920, 1080);
  std::string text, catalog_text;
  for (const auto& k : strings.keys("zh")) text += strings.get("zh", k);
  for (const auto& i : cat.catalog->indicators) catalog_text += i.name + i.target + i.lead.front();
  auto headless = std::make_unique<eco::ui::Headless>(size, 1.f, text, catalog_text);
  eco::ui::Fonts& fonts = headless->fonts;

  const long long responses = store.count();  // before the trace: the bench's own query
  m.open();
  for (char c : std::string("135790")) m.apply(eco::console_intent::PinKey{c});
  auto t0 = Clock::now();
  m.apply(eco::console_intent::PinSubmit{});
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

}  // namespace

void register_frames(std::vector<Bench>& list) { list.push_back({"frames", frames}); }

}  // namespace bench
