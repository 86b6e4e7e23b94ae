// Shared test helpers: a temporary folder that cleans up, and the shipped data.
#pragma once
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/catalog/catalog.hpp"
#include "core/support/i18n.hpp"
#include "core/support/time.hpp"
#include "core/survey/questionnaire_loader.hpp"
#include "core/storage/demo_data.hpp"
#include "core/storage/store.hpp"
#include "core/survey/metrics.hpp"
#include "kiosk/kiosk_model.hpp"

namespace test {

// Defined in test_main.cpp, the one file compiled with the source path, so the other
// test files compile the same in every checkout (ccache can share them).
std::string source_dir();

// Opens the older file at `path` in a child process that updates it in steps of `chunk`
// responses, and kills it (SIGKILL) once it has told `steps` steps' progress: wherever
// it then is: mid-step, between steps, or done.
inline void open_and_kill_after(const std::string& path, std::int64_t chunk, int steps) {
  int fds[2];
  if (pipe(fds) != 0) throw std::runtime_error("pipe failed");
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    close(fds[0]);
    eco::Store::migration_chunk = chunk;
    try {
      eco::Store s(path, [&](std::int64_t, std::int64_t) {
        char c = 'x';
        if (write(fds[1], &c, 1) != 1) _exit(3);
      });
    } catch (...) {
      _exit(2);
    }
    _exit(0);
  }
  close(fds[1]);
  char c;
  int got = 0;
  while (got < steps && read(fds[0], &c, 1) == 1) ++got;
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  close(fds[0]);
}

// Opens the older file at `path` in two child processes at once, each updating it in
// steps of `chunk` with a pause after each step so that the other can take the write
// lock between them. Returns each child's exit code: 0 when it finished the update,
// -1 when it did not exit normally.
inline std::vector<int> open_in_two_processes(const std::string& path, std::int64_t chunk) {
  std::vector<pid_t> pids;
  for (int child = 0; child < 2; ++child) {
    pid_t pid = fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
      eco::Store::migration_chunk = chunk;
      try {
        eco::Store s(path, [](std::int64_t, std::int64_t) { usleep(2000); });
        _exit(s.schema_version() == eco::Store::kSchemaVersion ? 0 : 4);
      } catch (...) {
        _exit(2);
      }
    }
    pids.push_back(pid);
  }
  std::vector<int> codes;
  for (pid_t pid : pids) {
    int status = 0;
    waitpid(pid, &status, 0);
    codes.push_back(WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  }
  return codes;
}

// Saves a response with the metrics the kiosk works out for it (none when q is null).
// Open descriptors (dir "/proc/self/fd") or threads ("/proc/self/task") of this
// process: what a test checks is not left behind.
inline std::size_t entries_in(const char* dir) {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir)) ++n;
  return n;
}

inline eco::Store::Saved save_scored(eco::Store& s, const eco::Response& r, const eco::Questionnaire* q) {
  return s.save(r, eco::metrics_of(q, r));
}

// A full disk as the file system reports it: no file may grow past `bytes` (SIGXFSZ
// ignored, so write() fails with EFBIG) until this goes out of scope.
struct FullDisk {
  rlimit saved{};
  void (*old)(int);
  explicit FullDisk(rlim_t bytes) {
    getrlimit(RLIMIT_FSIZE, &saved);
    old = signal(SIGXFSZ, SIG_IGN);
    rlimit tiny = saved;
    tiny.rlim_cur = bytes;
    setrlimit(RLIMIT_FSIZE, &tiny);
  }
  ~FullDisk() {
    setrlimit(RLIMIT_FSIZE, &saved);
    signal(SIGXFSZ, old);
  }
  FullDisk(const FullDisk&) = delete;
  FullDisk& operator=(const FullDisk&) = delete;
};

// The run under AddressSanitizer (scripts/test-sanitizers.sh sets it): tests that
// repeat one thing many times do it fewer times there; every case runs in the normal build.
inline bool sanitized() { return std::getenv("ECOKIOSK_TEST_SANITIZED") != nullptr; }

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    std::random_device rd;
    path = std::filesystem::temp_directory_path() / ("ecokiosk-test-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  std::string file(const std::string& name) const { return (path / name).string(); }
  std::string write(const std::string& name, const std::string& text) const {
    auto p = path / name;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
    return p.string();
  }
};

inline const eco::QuestionnaireSet& shipped() {
  static eco::QuestionnaireSet set = eco::load_questionnaire_dir(source_dir() + "/questionnaires");
  return set;
}

// n demo responses ending 2019-06-20 on a fixed clock: the same data every run.
inline void fill_demo(eco::Store& s, std::int64_t n, std::uint64_t seed = 1) {
  eco::DemoOptions d;
  d.responses = n;
  d.seed = seed;
  d.end = 1'561'000'000'000;
  eco::fill_demo_data(s, shipped(), d);
}

inline const eco::Catalog& shipped_catalog() {
  static eco::CatalogLoad c = eco::load_catalog(source_dir() + "/assets/indicators.json");
  if (!c.catalog) throw std::runtime_error("assets/indicators.json does not load");
  return *c.catalog;
}

// The shipped UI strings (assets/i18n); a file that does not load fails the test.
inline eco::Strings shipped_strings() {
  eco::Strings s;
  std::vector<std::string> errors;
  s.load_dir(source_dir() + "/assets/i18n", errors);
  if (!errors.empty()) throw std::runtime_error("assets/i18n does not load: " + errors.front());
  return s;
}

// A kiosk on a temporary database with a clock the test moves by hand.
struct KioskRig {
  eco::TimeMs now = 1'561'000'000'000;
  TempDir dir;
  eco::Store store{dir.file("kiosk.db")};
  eco::Config cfg;
  eco::KioskModel model;
  explicit KioskRig(std::uint64_t seed) : model(cfg, shipped(), &store, [this] { return now; }, seed) {}
  // What a tap or frame asked for, applied. After 开始 the resident takes a moment to see
  // the first question: a tap sooner is held as 开始's double tap
  // (KioskModel::kAnswerAbsorbMs), so the clock steps past it unless a test double-taps.
  bool reads_first_question = true;
  void apply(const eco::Intent& in) {
    model.apply(in);
    if (reads_first_question && std::holds_alternative<eco::intent::Start>(in)) now += eco::KioskModel::kAnswerAbsorbMs;
  }
  void start(const std::string& questionnaire) { apply(eco::intent::Start{questionnaire}); }
};

// Two answers are the same (the survey's answer types have no ==).
inline bool same_answer(const eco::Answer& a, const eco::Answer& b) {
  if (a.index() != b.index()) return false;
  if (const auto* x = std::get_if<eco::Choice>(&a)) return x->option == std::get<eco::Choice>(b).option;
  if (const auto* x = std::get_if<eco::ChoiceSet>(&a)) return x->options == std::get<eco::ChoiceSet>(b).options;
  if (const auto* x = std::get_if<std::int64_t>(&a)) return *x == std::get<std::int64_t>(b);
  if (const auto* x = std::get_if<eco::Counts>(&a)) return x->rows == std::get<eco::Counts>(b).rows;
  if (const auto* x = std::get_if<eco::Text>(&a)) return x->value == std::get<eco::Text>(b).value;
  return true;  // both none
}

// Answers whatever is on screen with its first option (or nothing) and goes on, to the
// thanks screen.
inline void fill_to_end(eco::KioskModel& m) {
  for (int i = 0; i < 200 && m.screen() == eco::Screen::question; ++i) {
    const eco::Question& q = *m.session()->current();
    eco::Answer a;
    if (q.type == eco::QuestionType::single || q.type == eco::QuestionType::rating) a = eco::Choice{q.options.front().id};
    else if (q.type == eco::QuestionType::multiple) a = eco::ChoiceSet{{q.options.front().id}};
    else if (q.type == eco::QuestionType::count_matrix) a = eco::Counts{{{q.rows.front().id, 1}}};
    else if (q.type == eco::QuestionType::integer) a = q.min;
    m.apply(eco::intent::Answer{a});
    m.apply(eco::intent::Next{});
  }
}

}  // namespace test
