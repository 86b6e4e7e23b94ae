// Figures on the real binary: start-up, atlas, idle CPU, peak memory (under Xvfb),
// and the exports compared with the sqlite3 shell.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <signal.h>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench.hpp"
#include "core/storage/demo_data.hpp"
#include "core/storage/store.hpp"

namespace bench {

namespace {

struct Run {
  double seconds = 0;
  double cpu_seconds = 0;  // user + system: what a shared machine's load does not inflate
  long max_rss_kb = 0;
  int status = 0;
  std::string out;  // standard output and error, merged
};

double number_after(const std::string& text, const std::string& key) {
  auto p = text.find(key);
  return p == std::string::npos ? -1 : std::atof(text.c_str() + p + key.size());
}

// Runs argv, capturing its output; with kill_after > 0 kills it (SIGKILL) after that long.
// The program is started by a fresh exec of this binary (measured_child below), not
// forked from it: a process's peak resident size (ru_maxrss) keeps the largest it ever
// had, and a child forked from the bench starts with the bench's own pages, which
// by the xlsx run are larger than the export (69 MB reported, 27.5 MB by GNU time).
Run run(const std::vector<std::string>& args, double kill_after = 0, std::vector<long>* cpu_ticks = nullptr,
        double sample_after = 0) {
  int out[2], report[2];
  if (pipe(out) != 0) return {};
  if (pipe(report) != 0) return {};
  auto t0 = Clock::now();
  pid_t helper = fork();
  if (helper == 0) {
    dup2(out[1], 1);
    dup2(out[1], 2);
    dup2(report[1], 3);
    for (int fd : {out[0], out[1], report[0], report[1]})
      if (fd > 3) close(fd);
    std::vector<char*> argv{const_cast<char*>("ecokiosk_bench"), const_cast<char*>(kMeasuredChild)};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv("/proc/self/exe", argv.data());
    _exit(127);
  }
  close(out[1]);
  close(report[1]);
  Run r;
  std::thread reader([&] {
    char buf[4096];
    ssize_t n;
    while ((n = read(out[0], buf, sizeof buf)) > 0) r.out.append(buf, static_cast<std::size_t>(n));
  });
  // The helper's report: "pid P" once the program is started, then "done STATUS
  // MAXRSS_KB CPU_SECONDS" when it has ended.
  std::string text;
  auto read_until = [&](const char* key) {  // nullptr: to the end, when the helper has gone
    char buf[256];
    ssize_t n;
    while ((!key || text.find(key) == std::string::npos) && (n = read(report[0], buf, sizeof buf)) > 0)
      text.append(buf, static_cast<std::size_t>(n));
  };
  read_until("\n");
  pid_t pid = static_cast<pid_t>(number_after(text, "pid "));
  auto ticks = [&] {
    std::ifstream st("/proc/" + std::to_string(pid) + "/stat");
    std::string all((std::istreambuf_iterator<char>(st)), std::istreambuf_iterator<char>());
    auto close_paren = all.rfind(')');
    if (close_paren == std::string::npos) return -1L;
    std::istringstream f(all.substr(close_paren + 2));
    std::string field;
    long utime = 0, stime = 0;
    for (int i = 3; i <= 15 && f >> field; ++i) {
      if (i == 14) utime = std::stol(field);
      if (i == 15) stime = std::stol(field);
    }
    return utime + stime;
  };
  if (kill_after > 0 && pid > 0) {
    if (cpu_ticks) {
      std::this_thread::sleep_for(std::chrono::duration<double>(sample_after));
      cpu_ticks->push_back(ticks());
      std::this_thread::sleep_for(std::chrono::duration<double>(kill_after - sample_after));
      cpu_ticks->push_back(ticks());
    } else {
      std::this_thread::sleep_for(std::chrono::duration<double>(kill_after));
    }
    kill(pid, SIGKILL);
  }
  read_until(nullptr);
  int helper_status = 0;
  waitpid(helper, &helper_status, 0);
  r.seconds = seconds_since(t0);
  auto done = text.find("done ");
  if (done == std::string::npos) {
    r.status = helper_status;  // the helper itself failed
  } else {
    std::istringstream f(text.substr(done + 5));
    f >> r.status >> r.max_rss_kb >> r.cpu_seconds;
  }
  reader.join();
  close(out[0]);
  close(report[0]);
  return r;
}

}  // namespace

// The helper run() starts: small at its fork, so the program's peak is the program's.
// Reports on fd 3 (see run()).
int measured_child(char** argv) {
  pid_t pid = fork();
  if (pid == 0) {
    close(3);
    execvp(argv[0], argv);
    _exit(127);
  }
  if (pid < 0) return 1;
  dprintf(3, "pid %d\n", static_cast<int>(pid));
  int status = 0;
  rusage ru{};
  while (wait4(pid, &status, 0, &ru) < 0)
    if (errno != EINTR) return 1;
  double cpu = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
               static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
  dprintf(3, "done %d %ld %.6f\n", status, ru.ru_maxrss, cpu);
  return 0;
}

namespace {

// The 1-minute load average, printed beside each figure: on a shared machine a figure
// means little without it.
std::string load() {
  std::ifstream in("/proc/loadavg");
  std::string one;
  in >> one;
  return "load " + one;
}

bool have_display() {
  const char* d = std::getenv("DISPLAY");
  if (d && *d) return true;
  std::printf("skipped: no DISPLAY (run under xvfb-run -s '-screen 0 1920x1080x24')\n");
  return false;
}

std::string app(const Options& o) { return o.build_dir + "/ecokiosk"; }

// A database of 100,000 demo responses for the memory and xlsx figures, made once.
std::string db_100k() {
  std::string db = "/tmp/ecokiosk-bench-100k.db";
  eco::Store s(db);
  if (s.count() < 100000) {
    eco::DemoOptions d;
    d.responses = 100000 - s.count();
    eco::fill_demo_data(s, eco::load_questionnaire_dir(ECOKIOSK_SOURCE_DIR "/questionnaires"), d);
  }
  return db;
}

// The kiosk keeps its baked font atlases between starts (atlas_cache.hpp): every start
// but the first after an install, a font update or a change of its texts loads them.
// The bench gives it its own cache folder: "warm" launches find the atlases the launch
// before kept, "cold" ones start with the folder emptied and bake.
const std::string kFontCache = "/tmp/ecokiosk-bench-fonts";
std::vector<std::string> kiosk_args(const Options& o, const std::string& db) {
  return {app(o), "--data-dir", ECOKIOSK_SOURCE_DIR, "--db", db, "--windowed", "1920x1080", "--timing",
          "--font-cache", kFontCache};
}

void startup(const Options& o) {
  if (!have_display()) return;
  std::vector<double> warm, cold, bare;
  std::string atlas, cached;
  // Eleven of each, alternating: with five, the median of either moved by 30-40 ms
  // between runs on a quiet two-core machine, as much as the difference measured.
  constexpr int kRuns = 11, kColdRuns = 5;
  auto first_frame = [](const Run& r) { return number_after(r.out, "first frame after "); };
  auto full_atlas = [](const Run& r) {  // the full atlas, made after the first frame
    auto p = r.out.find("font atlas ");
    return p == std::string::npos ? std::string("?") : r.out.substr(p + 5, r.out.find('\n', p) - p - 5);
  };
  for (int i = 0; i < kRuns; ++i) {
    bool cold_run = i < kColdRuns;
    if (cold_run) std::filesystem::remove_all(kFontCache);
    Run k = run(kiosk_args(o, "/tmp/ecokiosk-bench-start.db"), 5);
    if (cold_run) {
      cold.push_back(first_frame(k));
      if (i == 0) atlas = full_atlas(k);
      // And the warm start right after it, from the atlases it kept.
      Run w = run(kiosk_args(o, "/tmp/ecokiosk-bench-start.db"), 5);
      warm.push_back(first_frame(w));
      if (i == 0) cached = full_atlas(w);
    } else {
      warm.push_back(first_frame(k));
    }
    Run b = run({o.build_dir + "/tests/bench_bare_window"});
    bare.push_back(first_frame(b));
    // A launch that printed no time (its window refused, say) is left out of the
    // medians, and said: counted as -1 it moved the median one place down.
    for (const Run* r : {&k, &b})
      if (first_frame(*r) < 0)
        std::printf("  a launch printed no first frame (exit status %d); left out. Its output ends: %s\n", r->status,
                    r->out.substr(r->out.size() > 300 ? r->out.size() - 300 : 0).c_str());
  }
  auto timed = [](std::vector<double>& v) {
    std::erase_if(v, [](double x) { return x < 0; });
    std::sort(v.begin(), v.end());
    return !v.empty();
  };
  std::printf("font %s when baked (goal: at most 4096x4096, under 150 ms); %s when kept from the start before\n",
              atlas.c_str(), cached.c_str());
  if (!timed(warm) || !timed(bare) || !timed(cold)) {
    std::printf("start-up to first frame: no figure (every launch of one of the three failed)\n");
    return;
  }
  double b = bare[bare.size() / 2];
  std::printf("start-up to first frame: kiosk median %.0f ms (best %.0f, %zu launches, its font atlases kept from the "
              "start before), bare ImGui window median %.0f ms (best %.0f, %zu launches), ratio of medians %.2f "
              "(goal: under 500 ms and at most 1.2x; %s)\n",
              warm[warm.size() / 2], warm[0], warm.size(), b, bare[0], bare.size(), warm[warm.size() / 2] / b,
              load().c_str());
  std::printf("  the first start after an install or a font or text change, which bakes its atlases: kiosk median "
              "%.0f ms (%zu launches), ratio %.2f to the same bare median\n",
              cold[cold.size() / 2], cold.size(), cold[cold.size() / 2] / b);
}

void idle_cpu(const Options& o) {
  if (!have_display()) return;
  std::vector<long> ticks;
  auto args = kiosk_args(o, "/tmp/ecokiosk-bench-start.db");
  std::erase(args, std::string("--timing"));
  Run k = run(args, 33, &ticks, 3);
  double hz = static_cast<double>(sysconf(_SC_CLK_TCK));
  double cpu = ticks.size() == 2 ? static_cast<double>(ticks[1] - ticks[0]) / hz : -1;
  std::printf("idle welcome screen for 30 s: %.2f s of CPU = %.2f%% of one core (goal: under 1%%)\n", cpu,
              100 * cpu / 30);
}

void memory(const Options& o) {
  if (!have_display()) return;
  std::string db = db_100k();
  // Both run 20 s on the same display, the kiosk on its welcome screen, the bare window
  // drawing its frame; best (lowest peak) of 3 each. The kiosk's start-up quick_check
  // reads the whole 190 MB file before its first frame: at load 15 that alone took
  // over 8 s, and a kiosk killed before its window shows only 28 MB.
  long kiosk = 0, bare = 0;
  // A sample counts only when its window drew (Xvfb sometimes refuses a client right
  // after the last one went); up to 3 more tries each.
  auto sample = [&](const std::vector<std::string>& args) {
    Run r;
    for (int t = 0; t < 4; ++t) {
      r = run(args, 20);
      if (r.out.find("first frame after") != std::string::npos) return r.max_rss_kb;
    }
    std::printf("(no frame in 4 tries of %s: its figure is not a window's)\n", args[0].c_str());
    return r.max_rss_kb;
  };
  long cold = 0;
  for (int i = 0; i < 3; ++i) {
    long k = sample(kiosk_args(o, db));  // loading the atlases a start before kept
    std::filesystem::remove_all(kFontCache);
    long c = sample(kiosk_args(o, db));  // baking both atlases
    long b = sample({o.build_dir + "/tests/bench_bare_window", "--hold"});
    kiosk = i ? std::min(kiosk, k) : k;
    cold = i ? std::min(cold, c) : c;
    bare = i ? std::min(bare, b) : b;
  }
  std::printf("peak resident memory over 20 s: kiosk on a database of 100,000 demo responses %.1f MB, bare ImGui "
              "window %.1f MB, kiosk minus bare %.1f MB (goal: at most 30 MB; %s)\n",
              static_cast<double>(kiosk) / 1024, static_cast<double>(bare) / 1024,
              static_cast<double>(kiosk - bare) / 1024, load().c_str());
  std::printf("  the first start after an install or a font or text change, baking its atlases: kiosk %.1f MB, "
              "minus bare %.1f MB\n",
              static_cast<double>(cold) / 1024, static_cast<double>(cold - bare) / 1024);
}

void csv_export(const Options& o) {
  ensure_big_db(o);
  std::string out = "/tmp/ecokiosk-bench-csv";
  std::filesystem::create_directories(out);
  // The same answers as SQLite's own shell dumps them: one pass over the joined rows.
  std::string sql =
      "SELECT r.uuid, r.questionnaire, r.kiosk, r.started_at, r.completed_at, a.question, a.item, a.value, a.text "
      "FROM responses r JOIN answers a ON a.response = r.id ORDER BY r.id, a.ord";
  Run shell = run({"sh", "-c", "sqlite3 -csv '" + o.db + "' \"" + sql + "\" > " + out + "/shell.csv"});
  Run ours = run({app(o), "--data-dir", ECOKIOSK_SOURCE_DIR, "--db", o.db, "export", "--format", "csv",
                  "--include-flagged", "--out", out + "/ours.csv"});
  std::printf("CSV of %lld responses: ecokiosk %.1f s (CPU %.1f s, peak %.0f MB), sqlite3 shell .mode csv of the same "
              "answers %.1f s (CPU %.1f s), ratio %.2f, of CPU time %.2f (goal: at most 0.5x; %s)\n",
              static_cast<long long>(o.responses), ours.seconds, ours.cpu_seconds,
              static_cast<double>(ours.max_rss_kb) / 1024, shell.seconds, shell.cpu_seconds,
              ours.seconds / shell.seconds, shell.cpu_seconds > 0 ? ours.cpu_seconds / shell.cpu_seconds : 0,
              load().c_str());
  std::filesystem::remove_all(out);
}

void xlsx_export(const Options& o) {
  std::string db = db_100k();
  Run best;
  double size = 0;
  for (int i = 0; i < 5; ++i) {  // best of 5: two seconds each, and the machine is noisy
    Run x = run({app(o), "--data-dir", ECOKIOSK_SOURCE_DIR, "--db", db, "export", "--format", "xlsx",
                 "--include-flagged", "--force", "--out", "/tmp/ecokiosk-bench.xlsx"});
    if (i == 0 || x.seconds < best.seconds) best = x;
    size = static_cast<double>(std::filesystem::file_size("/tmp/ecokiosk-bench.xlsx")) / 1e6;
  }
  const double mb = static_cast<double>(best.max_rss_kb) / 1024;
  std::printf("xlsx of 100,000 responses: best %.2f s wall (CPU %.2f s), peak memory %.0f MB, file %.1f MB (goal: at "
              "most 2 s and 40 MB, ratio to goal %.2f wall, %.2f memory; %s)\n",
              best.seconds, best.cpu_seconds, mb, size, best.seconds / 2.0, mb / 40.0, load().c_str());
  std::filesystem::remove("/tmp/ecokiosk-bench.xlsx");
}

// The printable report over the same 100,000 responses: HTML (for a browser) and the
// PDF drawn by cairo and Pango (no browser).
void report_export(const Options& o) {
  std::string db = db_100k();
  for (const char* f : {"html", "pdf"}) {
    std::string out = std::string("/tmp/ecokiosk-bench-report.") + f;
    Run x = run({app(o), "--data-dir", ECOKIOSK_SOURCE_DIR, "--db", db, "export", "--format", f, "--out", out});
    std::printf("%s report of 100,000 responses: %.2f s, peak memory %.0f MB, file %.0f KB\n", f, x.seconds,
                static_cast<double>(x.max_rss_kb) / 1024, static_cast<double>(std::filesystem::file_size(out)) / 1e3);
    std::filesystem::remove(out);
  }
}

}  // namespace

void register_app(std::vector<Bench>& list) {
  list.push_back({"startup", startup});
  list.push_back({"idle", idle_cpu});
  list.push_back({"memory", memory});
  list.push_back({"csv", csv_export});
  list.push_back({"xlsx", xlsx_export});
  list.push_back({"report", report_export});
}

}  // namespace bench
