// Figures on the store: save latency, indicators over the big database.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "bench/bench.hpp"
#include "core/support/time.hpp"
#include "core/storage/demo_data.hpp"
#include "core/analysis/indicators.hpp"
#include "core/storage/store.hpp"

namespace bench {

namespace {

const eco::QuestionnaireSet& questionnaires() {
  static eco::QuestionnaireSet set = eco::load_questionnaire_dir(ECOKIOSK_SOURCE_DIR "/questionnaires");
  return set;
}

std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string a;
  in >> a;
  return a;
}

void indicators(const Options& o) {
  auto t_open = Clock::now();
  ensure_big_db(o);  // an older file gets its counted cells here (schema 11)
  std::printf("open (with an older file's update, if any): %.2f s\n", seconds_since(t_open));
  eco::Store store(o.db);
  eco::backfill_metrics(store, questionnaires());
  std::printf("database: %lld responses\n", static_cast<long long>(store.count()));
  const eco::IndicatorOptions opt;
  std::printf("counted cells answer the default clock (%.1f s per question, UTC%+d min): %s\n",
              opt.min_seconds_per_question, opt.utc_offset_minutes,
              store.counts_cells({}, {opt.min_seconds_per_question, opt.utc_offset_minutes}) ? "yes" : "no");
  // The same report the straightforward way, every metrics row (what a query on another
  // clock or with a date or kiosk filter reads): best of 3.
  double rows = 1e9;
  for (int run = 0; run < 3; ++run) {
    auto t0 = Clock::now();
    eco::IndicatorReport r = eco::compute_indicators_from_rows(store, questionnaires(), opt);
    rows = std::min(rows, seconds_since(t0));
  }
  std::vector<double> times;
  for (int run = 0; run < 5; ++run) {
    auto t0 = Clock::now();
    eco::IndicatorReport r = eco::compute_indicators(store, questionnaires(), opt);
    times.push_back(seconds_since(t0));
    if (run == 0)
      for (const auto& i : r.indicators)
        std::printf("  %d: %.1f%% n=%lld\n", i.no, i.est.value.value_or(-1), static_cast<long long>(i.est.n));
  }
  std::sort(times.begin(), times.end());
  const double goal = 0.2;  // issue 20
  std::printf("indicators 35+39+40 with items, breakdowns: median %.3f s, best %.3f s (5 runs; goal %.1f s, best/goal "
              "%.2f); from every row: best %.3f s (3 runs); load average %s\n",
              times[2], times[0], goal, times[0] / goal, rows, load_average().c_str());
}

void save_latency(const Options&) {
  std::string path = "/tmp/ecokiosk-bench-save.db";
  for (const char* ext : {"", "-wal", "-shm"}) std::filesystem::remove(path + ext);
  eco::Store store(path);
  const auto& set = questionnaires();
  std::vector<double> ms;
  eco::TimeMs start = 1'561'000'000'000;
  for (int i = 0; i < 2000; ++i) {
    const eco::Questionnaire& q = set.list[static_cast<std::size_t>(i) % set.list.size()];
    eco::Response r = eco::demo_response(q, static_cast<std::uint64_t>(i) + 1, start + i * 60'000LL, "bench");
    auto t0 = Clock::now();
    store.save(r, eco::metrics_of(&q, r));
    ms.push_back(1000 * seconds_since(t0));
  }
  std::sort(ms.begin(), ms.end());
  auto pct = [&](double p) { return ms[static_cast<std::size_t>(p * static_cast<double>(ms.size() - 1))]; };
  std::printf("save of one completed response (synchronous=FULL, WAL), 2000 saves: median %.2f ms, p99 %.2f ms, max "
              "%.2f ms (goal p99 < 20 ms)\n",
              pct(0.5), pct(0.99), ms.back());
  for (const char* ext : {"", "-wal", "-shm"}) std::filesystem::remove(path + ext);
}

}  // namespace

void ensure_big_db(const Options& o) {
  eco::Store store(o.db);
  std::int64_t have = store.count();
  if (have >= o.responses) return;
  std::printf("filling %s with %lld demo responses (once; kept for later runs)...\n", o.db.c_str(),
              static_cast<long long>(o.responses - have));
  std::fflush(stdout);
  auto t0 = Clock::now();
  eco::DemoOptions d;
  d.responses = o.responses - have;
  d.seed = static_cast<std::uint64_t>(have) + 7;
  eco::fill_demo_data(store, questionnaires(), d);
  std::printf("  took %.1f s\n", seconds_since(t0));
}

const std::vector<Bench>& all() {
  static const std::vector<Bench> list = [] {
    std::vector<Bench> l = {{"save", save_latency}, {"indicators", indicators}};
    register_app(l);
    register_frames(l);
    register_data(l);
    return l;
  }();
  return list;
}

}  // namespace bench
