// The benchmark registry: each figure is a function printing its own lines.
#pragma once
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace bench {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t0);
long peak_rss_kb();
// The bench runs each program it measures through itself: `ecokiosk_bench
// --measured-child PROGRAM ARGS...` (bench_app.cpp, run()).
inline constexpr const char* kMeasuredChild = "--measured-child";
int measured_child(char** argv);

struct Options {
  std::int64_t responses = 1'000'000;
  std::string db = "/tmp/ecokiosk-bench.db";
  std::string build_dir = ECOKIOSK_BUILD_DIR;
  // drain_frames: a kiosk's config.json with central_url (add-kiosk wrote it); --db is
  // then that kiosk's database holding the backlog.
  std::string sync_config;
};

struct Bench {
  const char* name;
  void (*run)(const Options&);
};
const std::vector<Bench>& all();
void register_app(std::vector<Bench>& list);     // bench_app.cpp
void register_frames(std::vector<Bench>& list);  // bench_frames.cpp
void register_data(std::vector<Bench>& list);    // bench_data.cpp

// Opens (and fills with demo data when short) the big database.
void ensure_big_db(const Options& o);

}  // namespace bench
