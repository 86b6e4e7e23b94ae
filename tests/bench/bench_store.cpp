// Figures on the store: save latency, indicators over the big database.
#include <algorithm>
#include <cstdio>
#include <filesystem>

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

void indicators(const Options& o) {
  ensure_big_db(o);
  eco::Store store(o.db);
  eco::backfill_metrics(store, questionnaires());
  std::printf("database: %lld responses\n", static_cast<long long>(store.count()));
  std::vector<double> times;
  for (int run = 0; run < 5; ++run) {
    auto t0 = Clock::now();
    eco::IndicatorReport r = eco::compute_indicators(store, questionnaires(), {});
    times.push_back(seconds_since(t0));
    if (run == 0)
      for (const auto& i : r.indicators)
        std::printf("  %d: %.1f%% n=%lld\n", i.no, i.est.value.value_or(-1), static_cast<long long>(i.est.n));
  }
  std::sort(times.begin(), times.end());
  std::printf("indicators 35+39+40 with items, breakdowns: median %.3f s, best %.3f s (5 runs; goal about 1 s)\n",
              times[2], times[0]);
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
