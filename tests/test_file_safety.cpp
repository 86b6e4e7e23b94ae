// Issue 13's data-loss and file-safety promises, each tried the way an unlucky hall or
// an attacker would: a second writer, a newer or foreign database, a full disk, a
// killed kiosk's -wal, planted links, umask 000, spreadsheet formulas.
#include <doctest/doctest.h>

#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "core/storage/store_access.hpp"
#include "core/storage/audit_anchor.hpp"
#include "core/support/time.hpp"
#include "core/support/config.hpp"
#include "core/storage/db_maintenance.hpp"
#include "core/storage/demo_data.hpp"
#include "core/output/export.hpp"
#include "core/storage/interchange.hpp"
#include "core/support/safe_file.hpp"
#include "helpers.hpp"

using namespace eco;
namespace fs = std::filesystem;

namespace {
constexpr TimeMs kNow = 1'561'000'000'000;

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}
void fill(Store& s, int n, std::uint64_t seed = 1) {
  DemoOptions d;
  d.responses = n;
  d.end = kNow;
  d.seed = seed;
  fill_demo_data(s, test::shipped(), d);
}
unsigned mode_of(const std::string& p) {
  struct stat st {};
  REQUIRE(lstat(p.c_str(), &st) == 0);
  return st.st_mode & 0777;
}
std::vector<std::string> names_in(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}
const Questionnaire& questionnaire(const std::string& id) {
  const Questionnaire* q = test::shipped().find(id);
  REQUIRE(q);
  return *q;
}
}  // namespace

// ---- two writers -------------------------------------------------------------------

TEST_CASE("two connections saving one database: a label made by the other is no conflict") {
  test::TempDir dir;
  std::string path = dir.file("shared.db");
  Store a(path), b(path);  // both read the (empty) label table at open
  const Questionnaire& q = questionnaire("knowledge");
  Response rb = demo_response(q, 1, kNow, "hall-new");
  Response ra = demo_response(q, 2, kNow, "hall-new");
  REQUIRE(test::save_scored(b, rb, &q) == Store::Saved::inserted);
  // a's copy of the labels never saw hall-new nor b's item labels.
  CHECK(test::save_scored(a, ra, &q) == Store::Saved::inserted);
  CHECK(a.count() == 2);
  CHECK(a.find_label("kiosk", "hall-new") == b.find_label("kiosk", "hall-new"));
  // A batch (an import) beside the other writer too.
  Response rc = demo_response(questionnaire("satisfaction"), 3, kNow, "hall-other");
  REQUIRE(test::save_scored(b, rc, test::shipped().find("satisfaction")) == Store::Saved::inserted);
  a.batch([&] { CHECK(test::save_scored(a, demo_response(questionnaire("satisfaction"), 4, kNow, "hall-other"),
                             test::shipped().find("satisfaction")) == Store::Saved::inserted); });
  CHECK(b.count() == 4);
  // Every metrics row points at an existing kiosk label.
  CHECK(StoreAccess::db(a).scalar("SELECT count(*) FROM response_metrics m WHERE NOT EXISTS "
                      "(SELECT 1 FROM labels l WHERE l.id = m.kiosk)") == 0);
  CHECK(a.label_text(*b.find_label("kiosk", "hall-other")) == "hall-other");
}

TEST_CASE("a save whose commit fails forgets the labels it made, so their ids are never reused wrongly") {
  test::TempDir dir;
  std::string path = dir.file("k.db");
  Store s(path);
  const Questionnaire& q = questionnaire("knowledge");
  StoreAccess::db(s).exec("PRAGMA wal_checkpoint(TRUNCATE)");
  {
    test::FullDisk full(4096);
    CHECK_THROWS(test::save_scored(s, demo_response(q, 1, kNow, "hall-lost"), &q));
  }
  // The label hall-lost was rolled back; a different kiosk now gets a fresh label and
  // the retried save's kiosk label is the right one.
  REQUIRE(test::save_scored(s, demo_response(q, 2, kNow, "hall-other"), &q) == Store::Saved::inserted);
  REQUIRE(test::save_scored(s, demo_response(q, 1, kNow, "hall-lost"), &q) == Store::Saved::inserted);
  CHECK(StoreAccess::db(s).scalar("SELECT count(*) FROM response_metrics m JOIN labels l ON l.id = m.kiosk "
                      "JOIN responses r ON r.id = m.response WHERE l.value = r.kiosk") == 2);
}

// ---- opening: only damage is set aside ------------------------------------------------

TEST_CASE("a newer-schema or locked database is left where it is and the reason is given") {
  test::TempDir dir;
  std::string path = dir.file("kiosk.db");
  {
    Store s(path);
    fill(s, 20);
    StoreAccess::db(s).exec("PRAGMA user_version=99");
  }
  std::string before = slurp(path);
  try {
    open_store_checked(path, kNow);
    FAIL("a newer database was opened");
  } catch (const DbError& e) {
    CHECK(std::string(e.what()).find("schema version 99") != std::string::npos);
  }
  CHECK(slurp(path) == before);
  CHECK(names_in(dir.path.string()) == std::vector<std::string>{"kiosk.db"});  // nothing moved aside, nothing new

  // Locked by another process's exclusive transaction: waited for, then refused, not moved.
  std::string locked = dir.file("locked.db");
  {
    Store s(locked);
    fill(s, 5);
  }
  Db holder(locked);
  holder.exec("PRAGMA locking_mode=EXCLUSIVE");
  holder.exec("BEGIN EXCLUSIVE");
  holder.exec("INSERT INTO labels(kind, value) VALUES('x','y')");
  CHECK_THROWS_AS(open_store_checked(locked, kNow), DbError);
  holder.exec("ROLLBACK");
  CHECK(fs::exists(locked));
  for (const auto& n : names_in(dir.path.string())) CHECK(n.find("corrupt") == std::string::npos);
}

TEST_CASE("a database that cannot be migrated for lack of space is not treated as damaged") {
  test::TempDir dir;
  std::string path = dir.file("old.db");
  {
    // A schema-1 database, as an old kiosk left it: it needs migrating (space) at open.
    Db db(path);
    db.exec("CREATE TABLE t(x); PRAGMA user_version=0");
  }
  std::string before = slurp(path);
  {
    test::FullDisk full(1024);
    CHECK_THROWS_AS(open_store_checked(path, kNow), DbError);
  }
  CHECK(slurp(path) == before);
  for (const auto& n : names_in(dir.path.string())) CHECK(n.find("corrupt") == std::string::npos);
}

TEST_CASE("a database path that cannot be opened (a folder in its place) is reported, not moved aside") {
  // Root passes permission checks, so an unopenable file is made this way; the kiosk
  // treats it as it treats a permission problem: no damage, nothing moved.
  test::TempDir dir;
  std::string path = dir.file("kiosk.db");
  fs::create_directories(path + "/inside");
  CHECK_THROWS_AS(open_store_checked(path, kNow), DbError);
  CHECK(fs::is_directory(path + "/inside"));
  CHECK(names_in(dir.path.string()) == std::vector<std::string>{"kiosk.db"});
}

// ---- restore --------------------------------------------------------------------------

TEST_CASE("restore: a full disk, a foreign SQLite file or a newer backup leave the live database untouched") {
  test::TempDir dir;
  std::string path = dir.file("kiosk.db"), good = dir.file("good.db");
  {
    Store s(path);
    fill(s, 50);
    REQUIRE(backup_database(s, good).empty());
    fill(s, 10, 2);
  }
  std::string live = slurp(path);
  auto untouched = [&] {
    CHECK(slurp(path) == live);
    CHECK_FALSE(fs::exists(path + "-wal"));
    for (const auto& n : names_in(dir.path.string())) {
      CHECK(n.find(".part") == std::string::npos);
      CHECK(n.find("before-restore") == std::string::npos);
    }
  };
  SUBCASE("full disk") {
    {
      test::FullDisk full(8192);
      std::string err = restore_database(good, path, kNow, nullptr);
      CHECK_FALSE(err.empty());
    }
    untouched();
    Store s(path);
    CHECK(s.count() == 60);
  }
  SUBCASE("a SQLite file that is not an EcoKiosk database") {
    std::string foreign = dir.file("foreign.db");
    { Db db(foreign); db.exec("CREATE TABLE photos(id INTEGER PRIMARY KEY, data BLOB); INSERT INTO photos(data) VALUES(x'00')"); }
    std::string err = restore_database(foreign, path, kNow, nullptr);
    CHECK(err.find("not an EcoKiosk database") != std::string::npos);
    CHECK(Db(foreign).scalar("SELECT count(*) FROM sqlite_master") == 1);  // no tables added to it
    fs::remove(foreign);
    untouched();
  }
  SUBCASE("a backup from a newer program") {
    std::string newer = dir.file("newer.db");
    fs::copy_file(good, newer);
    { Db db(newer); db.exec("PRAGMA user_version=99"); }
    CHECK(restore_database(newer, path, kNow, nullptr).find("newer") != std::string::npos);
    fs::remove(newer);
    untouched();
  }
  SUBCASE("the database still open in another process") {
    Store running(path);
    CHECK(restore_database(good, path, kNow, nullptr).find("in use") != std::string::npos);
    CHECK(running.count() == 60);
  }
  SUBCASE("a good backup is swapped in, the old database kept") {
    std::string aside;
    REQUIRE(restore_database(good, path, kNow, &aside).empty());
    CHECK(Store(aside).count() == 60);
    CHECK(Store(path).count() == 50);
    CHECK(mode_of(path) == 0600);
  }
}

// ---- import of a killed kiosk's database ------------------------------------------------

TEST_CASE("importing a kiosk's database reads the responses still in its -wal, without a copy") {
  test::TempDir dir;
  std::string src = dir.file("hall.db");
  { Store s(src); }  // the schema, checkpointed into the main file
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    // The kiosk: 25 saves acknowledged, then the power goes (SIGKILL, no checkpoint).
    close(fds[0]);
    Store s(src);
    const Questionnaire& q = *test::shipped().find("knowledge");
    for (int i = 0; i < 25; ++i) {
      Response r = demo_response(q, 500 + static_cast<std::uint64_t>(i), kNow, "hall-killed");
      test::save_scored(s, r, &q);
      std::string line = r.id + "\n";
      (void)!write(fds[1], line.data(), line.size());
    }
    raise(SIGKILL);
  }
  close(fds[1]);
  std::string acked;
  char buf[4096];
  for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;) acked.append(buf, static_cast<std::size_t>(n));
  close(fds[0]);
  int status = 0;
  waitpid(child, &status, 0);
  REQUIRE(WIFSIGNALED(status));
  REQUIRE(fs::exists(src + "-wal"));
  REQUIRE(fs::file_size(src + "-wal") > 0);
  std::string main_before = slurp(src);
  Store dest(dir.file("district.db"));
  ImportReport rep;
  // A private temporary folder, so a copy made anywhere the program puts temporaries shows.
  std::string tmp = dir.file("tmp");
  fs::create_directories(tmp);
  const char* old_tmp = std::getenv("TMPDIR");
  std::string saved_tmp = old_tmp ? old_tmp : "";
  setenv("TMPDIR", tmp.c_str(), 1);
  import_database(src, dest, test::shipped(), rep);
  if (old_tmp) setenv("TMPDIR", saved_tmp.c_str(), 1);
  else unsetenv("TMPDIR");
  CHECK(rep.problems.empty());
  CHECK(rep.added() == 25);
  std::istringstream ids(acked);
  int n = 0;
  for (std::string id; std::getline(ids, id); ++n) CHECK(dest.contains(id));
  CHECK(n == 25);
  CHECK(slurp(src) == main_before);  // the source is not changed
  CHECK(names_in(tmp).empty());  // no copy left
  for (const auto& n : names_in(dir.path.string())) CHECK(n.find("hall.db.") == std::string::npos);
}

// ---- flush, temporaries, sets ---------------------------------------------------------------

TEST_CASE("left-over temporaries of a killed backup are removed, but not a writer still at work") {
  test::TempDir dir;
  std::string folder = dir.file("backups");
  REQUIRE(make_private_dirs(folder).empty());
  std::string stale = folder + "/ecokiosk-20190620-030000.db.part-a1b2c3";
  std::ofstream(stale) << "half a backup";
  std::ofstream(stale + "-journal") << "its journal";
  SafeFile live(folder + "/ecokiosk-other.db");  // held (flock) by a live writer
  // Files that only look alike are someone else's: never touched.
  std::string lookalike = folder + "/ecokiosk-notes.part-final.txt", foreign = folder + "/photo.db.part-abc123";
  std::ofstream(lookalike) << "mine";
  std::ofstream(foreign) << "mine too";
  REQUIRE(live.ok());
  Store s(dir.file("k.db"));
  fill(s, 5);
  std::string written;
  REQUIRE(backup_rotate(s, folder, 5, kNow, &written).empty());
  CHECK_FALSE(fs::exists(stale));
  CHECK_FALSE(fs::exists(stale + "-journal"));
  CHECK(fs::exists(live.temp_path()));
  CHECK(fs::exists(lookalike));
  CHECK(fs::exists(foreign));
  CHECK(list_backups(folder) == std::vector<std::string>{written});
  // ... and beside the database, at the next start.
  std::string beside = dir.file("k.db.part-zz9999");
  std::ofstream(beside) << "half a restore";
  open_store_checked(dir.file("k.db"), kNow);
  CHECK_FALSE(fs::exists(beside));
}

TEST_CASE("a multi-file CSV export appears complete or not at all") {
  test::TempDir dir;
  Store s(dir.file("k.db"));
  fill(s, 60);
  ExportOptions o;
  o.format = "csv";
  o.out = dir.file("out/all.csv");
  o.include_flagged = true;
  o.replace = true;
  // The third questionnaire's file cannot be put in place (a folder holds its name).
  fs::create_directories(dir.file("out/all-satisfaction.csv/x"));
  ExportResult r = export_data(s, test::shipped(), o);
  CHECK_FALSE(r.error.empty());
  CHECK(r.files.empty());
  CHECK(names_in(dir.file("out")) == std::vector<std::string>{"all-satisfaction.csv"});  // none of the set, no temporaries
  fs::remove_all(dir.file("out/all-satisfaction.csv"));
  r = export_data(s, test::shipped(), o);
  REQUIRE(r.error.empty());
  CHECK(r.files.size() == 6);  // three questionnaires, each with its codebook
  CHECK(names_in(dir.file("out")).size() == 6);
}

// One pass over the responses feeds every questionnaire's file, each formatted on its
// own thread: a disk that fills in any one of them must stop the pass and leave none.
TEST_CASE("a CSV export whose disk fills part-way through any of its files leaves none of them") {
  test::TempDir dir;
  Store s(dir.file("k.db"));
  fill(s, 2400);  // every file larger than a SafeFile's 64 KB buffer: writes fail mid-pass
  // A response of a questionnaire no longer shipped: in the pass, in no file.
  Response retired = demo_response(*test::shipped().find("satisfaction"), 3, kNow - 60'000, "k");
  retired.id = "00000000-0000-4000-8000-000000000077";
  retired.questionnaire = "retired-survey";
  REQUIRE(s.save(retired, std::nullopt) == Store::Saved::inserted);
  ExportOptions o;
  o.format = "csv";
  o.out = dir.file("out/all.csv");
  o.include_flagged = true;
  ExportResult whole = export_data(s, test::shipped(), o);
  REQUIRE(whole.error.empty());
  REQUIRE(whole.files.size() == 6);
  CHECK(whole.rows == 2400);
  std::map<std::string, std::string> first;
  std::uintmax_t largest = 0, smallest = UINTMAX_MAX;  // of the data files
  for (const auto& f : whole.files) {
    first[fs::path(f).filename().string()] = slurp(f);
    largest = std::max(largest, fs::file_size(f));
    if (f.find("codebook") == std::string::npos) smallest = std::min(smallest, fs::file_size(f));
  }
  fs::remove_all(dir.file("out"));
  // From the first bytes to the last row of the largest file: the failure falls in each
  // file's start, middle or end, while the other files' threads are still writing.
  REQUIRE(smallest > (1 << 16));
  for (rlim_t limit : {rlim_t{1}, rlim_t{3000}, rlim_t{70'000}, rlim_t{smallest - 1}, rlim_t{largest / 2},
                       rlim_t{largest - 200}, rlim_t{largest - 1}}) {
    CAPTURE(limit);
    ExportResult r;
    {
      test::FullDisk full(limit);
      r = export_data(s, test::shipped(), o);
    }
    CHECK_FALSE(r.error.empty());
    // Below every file's size a formatter fails while the pass runs: that failure, which
    // stopped the pass, is the one told (not another file cut short by the stop).
    if (limit < smallest) CHECK(r.error.find("File too large after ") != std::string::npos);
    CHECK(r.files.empty());
    CHECK(r.rows == 0);
    if (fs::exists(dir.file("out"))) CHECK(names_in(dir.file("out")).empty());  // no temporary left behind
  }
  ExportResult again = export_data(s, test::shipped(), o);
  REQUIRE(again.error.empty());
  CHECK(again.rows == 2400);
  for (const auto& f : again.files) CHECK(slurp(f) == first[fs::path(f).filename().string()]);
}

// ---- links, existing files, modes ---------------------------------------------------------

TEST_CASE("a planted OUT.part link or a link at the backup path is never written through") {
  test::TempDir dir;
  Store s(dir.file("k.db"));
  fill(s, 20);
  std::string victim = dir.write("victim.txt", "precious\n");
  std::string out = dir.file("export.jsonl");
  fs::create_symlink(victim, out + ".part");
  ExportOptions o;
  o.format = "jsonl";
  o.out = out;
  ExportResult r = export_data(s, test::shipped(), o);
  REQUIRE(r.error.empty());
  CHECK(slurp(victim) == "precious\n");
  CHECK(r.rows == 20);
  CHECK(fs::is_symlink(out + ".part"));  // left alone, not followed, not removed

  std::string dest = dir.file("b.db");
  fs::create_symlink(victim, dest);
  fs::create_symlink(victim, dest + ".part");
  REQUIRE(backup_database(s, dest).empty());
  CHECK(slurp(victim) == "precious\n");
  CHECK_FALSE(fs::is_symlink(dest));  // the link itself was replaced by the backup
  CHECK(Store(dest).count() == 20);
}

TEST_CASE("an existing file at --out is refused unless replacing was asked for") {
  test::TempDir dir;
  Store s(dir.file("k.db"));
  fill(s, 10);
  for (std::string format : {"jsonl", "xlsx", "html", "csv"}) {
    INFO(format);
    ExportOptions o;
    o.format = format;
    o.out = dir.write("existing." + format, "keep me");
    o.questionnaire = format == "csv" ? "knowledge" : "";
    ExportResult r = export_data(s, test::shipped(), o);
    CHECK(r.error.find("--force") != std::string::npos);
    CHECK(slurp(o.out) == "keep me");
    o.replace = true;
    REQUIRE(export_data(s, test::shipped(), o).error.empty());
    CHECK(slurp(o.out) != "keep me");
  }
}

TEST_CASE("with umask 000 the database, its WAL, backups, exports and config are 0600, folders 0700") {
  test::TempDir dir;
  mode_t old = umask(0);
  struct Restore {
    mode_t m;
    ~Restore() { umask(m); }
  } restore{old};
  std::string db = dir.file("data/sub/k.db");
  Store s(db);
  fill(s, 10);
  CHECK(mode_of(dir.file("data")) == 0700);
  CHECK(mode_of(dir.file("data/sub")) == 0700);
  CHECK(mode_of(db) == 0600);
  CHECK(mode_of(db + "-wal") == 0600);
  CHECK(mode_of(db + "-shm") == 0600);
  std::string written;
  REQUIRE(backup_rotate(s, dir.file("backups/deep"), 3, kNow, &written).empty());
  CHECK(mode_of(written) == 0600);
  CHECK(mode_of(dir.file("backups")) == 0700);
  for (std::string format : {"jsonl", "xlsx", "html", "csv"}) {
    ExportOptions o;
    o.format = format;
    o.out = dir.file("exports/e." + format);
    ExportResult r = export_data(s, test::shipped(), o);
    REQUIRE(r.error.empty());
    for (const auto& f : r.files) CHECK(mode_of(f) == 0600);
  }
  CHECK(mode_of(dir.file("exports")) == 0700);
  std::string cfg = dir.file("config/ecokiosk/config.json");
  REQUIRE(save_config(cfg, Config{}).empty());
  CHECK(mode_of(cfg) == 0600);
  CHECK(mode_of(dir.file("config")) == 0700);
  CHECK(load_config(cfg).errors.empty());
}

TEST_CASE("with umask 000 the anchor's folders in the config path are 0700, made before config.json") {
  test::TempDir dir;
  mode_t old = umask(0);
  struct Restore {
    mode_t m;
    ~Restore() { umask(m); }
  } restore{old};
  // The anchor is written first (at the kiosk's first open), so it makes the config folders.
  std::string cfg = dir.file("home/.config/ecokiosk/config.json");
  std::string anchor = anchor_path_for(cfg, dir.file("k.db"));
  Anchor a;
  std::string err = write_anchor(anchor, a);
  REQUIRE_MESSAGE(err.empty(), err);
  CHECK(mode_of(anchor) == 0600);
  CHECK(mode_of(dir.file("home")) == 0700);
  CHECK(mode_of(dir.file("home/.config")) == 0700);
  CHECK(mode_of(dir.file("home/.config/ecokiosk")) == 0700);  // world-writable before
  CHECK(mode_of(dir.file("home/.config/ecokiosk/anchors")) == 0700);
}

TEST_CASE("a database an older version left world-readable is made private when opened") {
  test::TempDir dir;
  std::string db = dir.file("old.db");
  {
    Store s(db);
    fill(s, 3);
  }
  REQUIRE(chmod(db.c_str(), 0644) == 0);
  Store s(db);
  CHECK(mode_of(db) == 0600);
  CHECK(mode_of(db + "-wal") == 0600);
  CHECK(s.count() == 3);
}

// ---- spreadsheet formulas -------------------------------------------------------------------

TEST_CASE("CSV cells that a spreadsheet would run are neutralised, and numbers stay numbers") {
  for (std::string risky : {"=1+2", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx", "=HYPERLINK(\"http://x\")", "-", "+"})
    CHECK_MESSAGE(csv_formula_risk(risky), risky);
  for (std::string safe : {"-3", "-12.5", "0", "12", "hall-1", "", "a=b", "3-2"})
    CHECK_FALSE_MESSAGE(csv_formula_risk(safe), safe);

  test::TempDir dir;
  Store s(dir.file("k.db"));
  const Questionnaire& q = questionnaire("satisfaction");
  Response r = demo_response(q, 9, kNow, "=cmd|' /C calc'!A0");
  bool has_comment = false;
  for (auto& [id, a] : r.answers)
    if (id == "comment") a = Text{"=HYPERLINK(\"http://evil\",\"x\")"}, has_comment = true;
  if (!has_comment) r.answers.emplace_back("comment", Text{"=HYPERLINK(\"http://evil\",\"x\")"});
  REQUIRE(test::save_scored(s, r, &q) == Store::Saved::inserted);
  ExportOptions o;
  o.format = "csv";
  o.questionnaire = "satisfaction";
  o.include_flagged = true;
  o.out = dir.file("s.csv");
  REQUIRE(export_data(s, test::shipped(), o).error.empty());
  std::string csv = slurp(o.out);
  CHECK(csv.find("\"'=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\"") != std::string::npos);
  CHECK(csv.find("\"'=cmd|' /C calc'!A0\"") != std::string::npos);
  CHECK(csv.find(",=") == std::string::npos);
}

// ---- backup and restore hardening (issue 13) ----------------------------------------------

TEST_CASE("backup to a file: an existing file is refused unless replacing, a -wal or -shm beside it always") {
  test::TempDir dir;
  Store s(dir.file("k.db"));
  fill(s, 20);
  std::string dest = dir.write("b.db", "keep me");
  CHECK(backup_database(s, dest, false).find("already exists") != std::string::npos);
  CHECK(slurp(dest) == "keep me");
  REQUIRE(backup_database(s, dest, true).empty());
  CHECK(Store(dest).count() == 20);
  // A leftover log under the new name would be applied to the new file by its next
  // opener: refused even when replacing, and nothing is written.
  std::string other = dir.file("c.db");
  for (const char* ext : {"-wal", "-shm"}) {
    INFO(ext);
    std::string side = dir.write(std::string("c.db") + ext, "stale log");
    for (bool replace : {false, true}) {
      std::string err = backup_database(s, other, replace);
      CHECK(err.find(std::string("c.db") + ext + " exists") != std::string::npos);
      CHECK_FALSE(fs::exists(other));
    }
    CHECK(slurp(side) == "stale log");
    fs::remove(side);
  }
  // The scheduled backups still rotate (a new dated name each time).
  std::string written;
  REQUIRE(backup_rotate(s, dir.file("backups"), 2, 1'561'000'000'000, &written).empty());
  REQUIRE(backup_rotate(s, dir.file("backups"), 2, 1'561'000'001'000, &written).empty());
  CHECK(list_backups(dir.file("backups")).size() == 2);
}

TEST_CASE("restore through a symlinked --db restores the link's target and keeps the link") {
  test::TempDir dir;
  std::string real = dir.file("data/real.db"), link = dir.file("link.db"), good = dir.file("good.db");
  fs::create_directories(dir.file("data"));
  {
    Store s(real);
    fill(s, 30);
    REQUIRE(backup_database(s, good).empty());
    fill(s, 10, 2);
  }
  fs::create_symlink(real, link);
  std::string aside;
  REQUIRE(restore_database(good, link, 1'561'000'000'000, &aside).empty());
  CHECK(fs::is_symlink(link));
  CHECK(fs::read_symlink(link) == fs::path(real));
  CHECK(Store(real).count() == 30);
  CHECK(aside.rfind(dir.file("data/real.db.before-restore-"), 0) == 0);
  CHECK(Store(aside).count() == 40);
}

TEST_CASE("two restores in the same second keep both databases aside under different names") {
  test::TempDir dir;
  std::string path = dir.file("k.db"), good = dir.file("good.db");
  {
    Store s(path);
    fill(s, 20);
    REQUIRE(backup_database(s, good).empty());
  }
  constexpr TimeMs now = 1'561'000'000'000;
  std::string a1, a2, a3;
  REQUIRE(restore_database(good, path, now, &a1).empty());
  { Store s(path); fill(s, 5, 3); }
  std::string err = restore_database(good, path, now, &a2);
  CHECK(err.find("--force") == std::string::npos);  // restore has no such option
  REQUIRE(err.empty());
  REQUIRE(restore_database(good, path, now, &a3).empty());
  CHECK(a1 == path + ".before-restore-20190620-030640");
  CHECK(a2 == a1 + "-2");
  CHECK(a3 == a1 + "-3");
  CHECK(Store(a1).count() == 20);
  CHECK(Store(a2).count() == 25);  // the second one kept, not refused nor overwritten
}

TEST_CASE("restore writes nothing beside the backup (no -wal or -shm left on a USB stick)") {
  test::TempDir dir;
  std::string path = dir.file("k.db"), stick = dir.file("stick"), good = dir.file("stick/good.db");
  fs::create_directories(stick);
  {
    Store s(path);
    fill(s, 20);
    REQUIRE(backup_database(s, good).empty());
  }
  auto before = names_in(stick);
  std::string bytes = slurp(good);
  REQUIRE(restore_database(good, path, 1'561'000'000'000, nullptr).empty());
  CHECK(names_in(stick) == before);
  CHECK(slurp(good) == bytes);
  CHECK(Store(path).count() == 20);
}

TEST_CASE("restore holds the live database locked through the swap: a kiosk starting then cannot save into the old file") {
  test::TempDir dir;
  std::string path = dir.file("k.db"), good = dir.file("good.db");
  {
    Store s(path);
    fill(s, 20);
    REQUIRE(backup_database(s, good).empty());
  }
  bool opened = false;
  std::string why;
  REQUIRE(restore_database(good, path, 1'561'000'000'000, nullptr, [&] {
            try {
              Db other(path, false, false);
              sqlite3_busy_timeout(other.raw(), 100);
              other.exec("BEGIN IMMEDIATE; CREATE TABLE lost(x); COMMIT");
              opened = true;
            } catch (const DbError& e) {
              why = e.what();
            }
          }).empty());
  CHECK_FALSE(opened);  // a save here would have gone into the file being replaced
  CHECK(why.find("locked") != std::string::npos);
  Store restored(path);
  CHECK(restored.count() == 20);
}

TEST_CASE("--out that is a folder, a device or a bare folder path is refused for every format") {
  test::TempDir dir;
  Store s(dir.file("k.db"));
  fill(s, 10);
  fs::create_directories(dir.file("outdir"));
  // A fifo stands for a device: a test must never risk replacing the real /dev/null.
  std::string fifo = dir.file("fifo");
  REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
  for (std::string format : {"csv", "sav", "dta", "jsonl", "xlsx", "html", "pdf"}) {
    for (std::string out : {dir.file("outdir"), dir.file("outdir") + "/", fifo, dir.file("new/")}) {
      INFO(format << " " << out);
      ExportOptions o;
      o.format = format;
      o.out = out;
      o.replace = true;
      ExportResult r = export_data(s, test::shipped(), o);
      CHECK((r.error.find("is a folder") != std::string::npos || r.error.find("not a regular file") != std::string::npos));
      CHECK(r.files.empty());
    }
  }
  CHECK(names_in(dir.file("outdir")).empty());
  CHECK_FALSE(fs::exists(dir.file("new")));
  CHECK(fs::is_fifo(fifo));
  CHECK_FALSE(fs::exists(fifo + "-satisfaction"));
}
