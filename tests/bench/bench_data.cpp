// Figures on the data path (issue 20): demo data, import beside the sqlite3 shell,
// opening a schema-4 database (building the hourly counts), and the console's survey
// results over the big database. Each figure is the best of 3 with the load average.
#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "bench/bench.hpp"
#include "core/analysis/survey_results.hpp"
#include "core/storage/store.hpp"
#include "core/storage/store_access.hpp"
#include "core/survey/questionnaire_loader.hpp"

namespace bench {

namespace {

namespace fs = std::filesystem;

std::string load() {
  std::ifstream in("/proc/loadavg");
  std::string a;
  in >> a;
  return a;
}

void remove_db(const std::string& p) {
  for (const char* ext : {"", "-wal", "-shm", "-journal"}) fs::remove(p + ext);
}

double cpu_seconds(int who) {
  rusage u{};
  getrusage(who, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// The CPU time (user + system) of the last timed run: on a shared machine at a load of
// 10 the wall time is mostly waiting for a core, so both are printed.
double last_cpu = 0;

// Wall time of a shell command (its output to /dev/null), -1 when it failed.
double timed(const std::string& cmd) {
  double c0 = cpu_seconds(RUSAGE_CHILDREN);
  auto t0 = Clock::now();
  int rc = std::system((cmd + " >/dev/null 2>&1").c_str());
  double s = seconds_since(t0);
  last_cpu = cpu_seconds(RUSAGE_CHILDREN) - c0;
  return rc == 0 ? s : -1;
}

// Best of 3 runs of `fn` (which returns wall seconds and sets last_cpu), printed with
// the load average each time; the best CPU time goes to *cpu.
template <class F>
double best_of_3(const char* what, F&& fn, double* cpu = nullptr) {
  double best = 1e9, best_cpu = 1e9;
  for (int i = 0; i < 3; ++i) {
    std::string before = load();
    last_cpu = 0;
    double s = fn();
    std::printf("  %s run %d: %.2f s wall, %.2f s CPU (load %s)\n", what, i + 1, s, last_cpu, before.c_str());
    std::fflush(stdout);
    if (s >= 0) {
      best = std::min(best, s);
      best_cpu = std::min(best_cpu, last_cpu);
    }
  }
  if (cpu) *cpu = best_cpu;
  return best;
}

std::string cli(const Options& o) {
  return o.build_dir + "/ecokiosk --data-dir " ECOKIOSK_SOURCE_DIR;
}

const char* kDemoDb = "/tmp/ecokiosk-bench-demo.db";
const char* kJsonl = "/tmp/ecokiosk-bench-100k.jsonl";

void demo(const Options& o) {
  double cpu = 0;
  double best = best_of_3("demo-data --responses 100000", [&] {
    remove_db(kDemoDb);
    return timed(cli(o) + " --db " + kDemoDb + " demo-data --responses 100000");
  }, &cpu);
  std::printf("demo-data --responses 100000: best %.2f s wall, %.2f s CPU (goal <= 5 s, ratio to goal %.2f wall, "
              "%.2f CPU)\n",
              best, cpu, best / 5.0, cpu / 5.0);
}

// The JSON Lines file of 100,000 demo responses (made once from the demo database).
void ensure_jsonl(const Options& o) {
  if (fs::exists(kJsonl) && fs::file_size(kJsonl) > 0) return;
  if (!fs::exists(kDemoDb)) timed(cli(o) + " --db " + kDemoDb + " demo-data --responses 100000");
  timed(cli(o) + " --db " + kDemoDb + " export --format jsonl --force --out " + kJsonl);
}

void import(const Options& o) {
  ensure_jsonl(o);
  std::printf("file: %s, %.1f MB\n", kJsonl, static_cast<double>(fs::file_size(kJsonl)) / 1e6);
  const std::string db = "/tmp/ecokiosk-bench-import.db";
  double ours_cpu = 0, shell_cpu = 0;
  double ours = best_of_3("ecokiosk import", [&] {
    remove_db(db);
    return timed(cli(o) + " --db " + db + " import " + kJsonl);
  }, &ours_cpu);
  // The shell: the lines into a table, then one row per answer atom (a multiple choice's
  // options and a count matrix's rows each a row, as the store keeps them).
  const std::string sdb = "/tmp/ecokiosk-bench-shell.db";
  const std::string script = "/tmp/ecokiosk-bench-shell.sql";
  {
    std::ofstream s(script);
    s << "PRAGMA journal_mode=WAL;\nCREATE TABLE raw(line TEXT);\n.mode ascii\n.separator \"\\037\" \"\\n\"\n"
      << ".import " << kJsonl << " raw\n"
      << "CREATE TABLE answers(response INTEGER, question TEXT, item TEXT, value);\n"
         "INSERT INTO answers SELECT raw.rowid, a.key, e.key, e.value FROM raw, json_each(raw.line, '$.answers') a, "
         "json_each(CASE WHEN a.type IN ('array', 'object') THEN a.value ELSE json_quote(a.value) END) e;\n";
  }
  double shell = best_of_3("sqlite3 shell .import + json_each", [&] {
    remove_db(sdb);
    return timed("sqlite3 " + sdb + " < " + script);
  }, &shell_cpu);
  std::printf("import of 100,000 responses: best %.2f s wall, %.2f s CPU (goal <= 5 s); sqlite3 shell %.2f s wall, "
              "%.2f s CPU; ratio %.2f wall, %.2f CPU (goal <= 5)\n",
              ours, ours_cpu, shell, shell_cpu, ours / shell, ours_cpu / shell_cpu);
  remove_db(sdb);
  remove_db(db);
}

const eco::QuestionnaireSet& questionnaires() {
  static eco::QuestionnaireSet set = eco::load_questionnaire_dir(ECOKIOSK_SOURCE_DIR "/questionnaires");
  return set;
}

// The big database as an older program left it: schema 4. Every table of schemas 5 to 11
// goes (the hourly counts, staff calls, sync, the counted cells and their clock, the
// fills' marks), and the answers' index that schema 9 dropped comes back: an older file
// has it, and the update drops it. Made once per run of the bench (the index takes a
// while over the big file), then copied for each timed open.
void make_schema4_template(const Options& o, const std::string& path) {
  ensure_big_db(o);
  {
    eco::Store s(o.db);
    s.checkpoint();
  }
  remove_db(path);
  fs::copy_file(o.db, path);
  eco::Db db(path, false);
  db.exec("DROP TABLE IF EXISTS answer_counts; DROP TABLE IF EXISTS response_counts; DROP TABLE IF EXISTS staff_calls; "
          "DROP TABLE IF EXISTS central_sync; DROP TABLE IF EXISTS metrics_cells; "
          "DROP TABLE IF EXISTS metrics_cell_clock; DROP TABLE IF EXISTS migration_fill; "
          "DROP TABLE IF EXISTS migration_fill_hours");
  db.exec("CREATE INDEX IF NOT EXISTS answers_by_question ON answers(question, item)");
  db.exec("PRAGMA user_version=4");
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
}

void migrate(const Options& o) {
  const std::string path = "/tmp/ecokiosk-bench-schema4.db";
  const std::string made = "/tmp/ecokiosk-bench-schema4-template.db";
  make_schema4_template(o, made);
  std::int64_t n = 0;
  double cpu = 0;
  double best = best_of_3("open a schema-4 database", [&] {
    remove_db(path);
    fs::copy_file(made, path);
    double c0 = cpu_seconds(RUSAGE_SELF);
    auto t0 = Clock::now();
    eco::Store s(path);
    double sec = seconds_since(t0);
    last_cpu = cpu_seconds(RUSAGE_SELF) - c0;
    n = s.count();
    return sec;
  }, &cpu);
  std::printf("opening a schema-4 database of %lld responses (building the hourly counts and the counted cells): "
              "best %.2f s wall, %.2f s CPU (goal <= 20 s, ratio to goal %.2f wall, %.2f CPU)\n",
              static_cast<long long>(n), best, cpu, best / 20.0, cpu / 20.0);
  remove_db(path);
  remove_db(made);
}

void results(const Options& o) {
  ensure_big_db(o);
  eco::Store store(o.db);
  std::printf("database: %lld responses\n", static_cast<long long>(store.count()));
  double cpu = 0;
  double best = best_of_3("survey results", [&] {
    double c0 = cpu_seconds(RUSAGE_SELF);
    auto t0 = Clock::now();
    eco::SurveyResults r = eco::compute_survey_results(store, questionnaires(), {}, 480);
    double sec = seconds_since(t0);
    last_cpu = cpu_seconds(RUSAGE_SELF) - c0;
    return sec;
  }, &cpu);
  // What the hourly response counts replaced: the same two answers by scanning.
  for (int pass = 0; pass < 2; ++pass) {
    auto t0 = Clock::now();
    auto days = pass == 0 ? store.responses_per_day(eco::ResponseFilter{}, 480).size()
                          : store.responses_per_day_by_scan(eco::ResponseFilter{}, 480).size();
    auto flagged = pass == 0 ? store.flagged_per_questionnaire(eco::ResponseFilter{}).size()
                             : store.flagged_per_questionnaire_by_scan(eco::ResponseFilter{}).size();
    std::printf("  responses per day + flagged %s: %.3f s (%zu day rows, %zu questionnaires; load %s)\n",
                pass == 0 ? "from the hourly counts" : "by scanning the responses", seconds_since(t0), days, flagged,
                load().c_str());
  }
  {
    auto t0 = Clock::now();
    auto rows = store.answer_counts(eco::ResponseFilter{}).size();
    std::printf("  answer counts from the hourly table: %.3f s (%zu rows, %lld hourly rows; load %s)\n",
                seconds_since(t0), rows,
                static_cast<long long>(eco::StoreAccess::db(store).scalar("SELECT count(*) FROM answer_counts")),
                load().c_str());
  }
  std::printf("the console's survey results over the big database: best %.3f s wall, %.3f s CPU (goal <= 0.5 s, "
              "ratio to goal %.2f wall, %.2f CPU)\n",
              best, cpu, best / 0.5, cpu / 0.5);
}

}  // namespace

void register_data(std::vector<Bench>& list) {
  list.push_back({"demo", demo});
  list.push_back({"import", import});
  list.push_back({"migrate", migrate});
  list.push_back({"results", results});
}

}  // namespace bench
