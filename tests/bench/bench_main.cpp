// ecokiosk_bench: prints the performance figures of README "Performance" with the
// machine they were measured on. Not a test: it asserts nothing, it measures.
//   ecokiosk_bench [--responses N] [--db PATH] [--only NAME,...]
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>
#include <string_view>
#include <thread>

#include "bench/bench.hpp"

namespace bench {

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

long peak_rss_kb() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  return 0;
}

void print_machine() {
  std::ifstream cpu("/proc/cpuinfo");
  std::string line, model;
  while (std::getline(cpu, line))
    if (line.rfind("model name", 0) == 0) { model = line.substr(line.find(':') + 2); break; }
  std::ifstream mem("/proc/meminfo");
  std::string memline;
  std::getline(mem, memline);
  std::printf("machine: %s, %u hardware threads, %s\n", model.c_str(), std::thread::hardware_concurrency(),
              memline.c_str());
}

}  // namespace bench

int main(int argc, char** argv) {
  if (argc > 2 && std::string_view(argv[1]) == bench::kMeasuredChild) return bench::measured_child(argv + 2);
  CLI::App app{"EcoKiosk benchmarks"};
  bench::Options o;
  std::string only;
  app.add_option("--responses", o.responses, "Responses in the big database");
  app.add_option("--db", o.db, "Big database (made with demo data when it has fewer responses)");
  app.add_option("--only", only, "Comma-separated benchmark names");
  app.add_option("--build-dir", o.build_dir, "Build folder holding the ecokiosk binary");
  app.add_option("--sync-config", o.sync_config, "drain_frames: the kiosk's config.json (central_url set)");
  CLI11_PARSE(app, argc, argv);
  std::set<std::string> pick;
  std::stringstream ss(only);
  for (std::string s; std::getline(ss, s, ',');) pick.insert(s);
  bench::print_machine();
  for (const auto& b : bench::all()) {
    if (!pick.empty() && !pick.count(b.name)) continue;
    std::printf("\n== %s ==\n", b.name);
    std::fflush(stdout);
    b.run(o);
    std::fflush(stdout);
  }
  return 0;
}
