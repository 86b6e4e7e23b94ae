// The central store's pieces that need no PostgreSQL: the kiosk's schema migration for
// its sync bookkeeping, the configuration's central_url, the credentials file's
// refusals, how connection failures are told apart, and the sync worker when the
// center cannot be reached. With a real cluster: tests/central/*.sh.
#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <sched.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <string>
#include <vector>
#include <chrono>
#include <set>
#include <thread>

#include "core/central/credentials.hpp"
#include "core/central/schema.hpp"
#include "core/central/pg.hpp"
#include "core/central/sync.hpp"
#include "core/storage/demo_data.hpp"
#include "core/storage/store_access.hpp"
#include "core/support/config.hpp"
#include "helpers.hpp"
#include "kiosk/kiosk_model.hpp"

using namespace eco;
namespace central = eco::central;
using CStatus = central::Status;
using central::SyncSettings;
using central::SyncWorker;
using central::SyncReport;
using central::SyncState;
using central::read_sync_state;
using central::write_credentials;
using central::read_credentials;
using central::CredentialsRead;
using central::credentials_path;
using central::url_without_login;
using central::classify_connect_error;
using central::status_name;
using central::status_words;

namespace {
// A kiosk's database holding `responses` demo responses of kiosk hall-a.
void fill_kiosk(Store& s, std::int64_t responses) {
  DemoOptions d;
  d.responses = responses;
  d.kiosk = "hall-a";
  fill_demo_data(s, test::shipped(), d);
}
// Kiosk hall-a's database at `db` with `responses` demo responses, and settings for a
// center nothing answers at (a port nothing listens on), credentials written 0600.
SyncSettings unreachable_kiosk(test::TempDir& dir, const std::string& db, std::int64_t responses) {
  {
    Store s(db);
    fill_kiosk(s, responses);
  }
  std::string cred = dir.file("central-credentials.json");
  REQUIRE(write_credentials(cred, {"u", "p"}).empty());
  return SyncSettings{.url = "postgresql://127.0.0.1:1/eco?connect_timeout=2", .credentials_path = cred, .kiosk_id = "hall-a"};
}
}  // namespace

TEST_CASE("central: a kiosk database of schema 5 opens, gains the sync bookkeeping, and nothing is marked sent") {
  test::TempDir dir;
  std::string path = dir.file("old.db");
  {
    Store s(path);
    fill_kiosk(s, 40);
    // As a database from before central sync: no central_sync table, schema 5.
    StoreAccess::db(s).exec("DROP TABLE central_sync");
    StoreAccess::db(s).exec("PRAGMA user_version=5");
  }
  Store again(path);
  CHECK(again.schema_version() == Store::kSchemaVersion);
  CHECK(again.count() == 40);
  SyncState st = read_sync_state(again, "hall-a");
  CHECK(st.waiting == 40);
  CHECK(st.sent == 0);
  CHECK(st.status.empty());
  CHECK(st.last_contact == 0);
  // Another kiosk's rows (a USB import) are not this kiosk's to send.
  CHECK(read_sync_state(again, "hall-b").waiting == 0);
}

TEST_CASE("central: central_url is range-checked, and a login in it is refused") {
  CHECK(central_url_fault("").empty());
  CHECK(central_url_fault("postgresql://center.example:5432/ecokiosk?sslmode=verify-full").empty());
  CHECK(central_url_fault("postgres://10.0.0.5/eco").empty());
  CHECK_FALSE(central_url_fault("http://center/eco").empty());
  CHECK_FALSE(central_url_fault("postgresql://kiosk:secret@center/eco").empty());
  CHECK_FALSE(central_url_fault("postgresql://center/eco?password=secret").empty());
  CHECK_FALSE(central_url_fault("postgresql://center/eco?sslmode=require&%70assword=secret").empty());
  CHECK_FALSE(central_url_fault("postgresql://center/eco?pass%77ord=secret").empty());
  CHECK(central_url_fault("postgresql://center/eco?sslmode=require&application_name=password%3Dnone").empty());
  CHECK(central_url_fault("postgresql://center/eco?%7").empty());  // a cut-off escape is only text
  CHECK_FALSE(central_url_fault("postgresql://center/eco host=evil").empty());
  test::TempDir dir;
  std::string cfg = dir.write("config.json", R"({"kiosk_id": "hall-a", "central_url": "postgresql://u:p@h/db"})");
  ConfigLoad cl = load_config(cfg);
  CHECK(cl.config.central_url.empty());  // refused: sync stays off
  REQUIRE(cl.errors.size() == 1);
  CHECK(cl.errors[0].find("central_url") != std::string::npos);
  Config c;
  c.central_url = "postgresql://h:5432/db?sslmode=verify-full";
  c.central_credentials = "creds.json";
  REQUIRE(save_config(dir.file("saved.json"), c).empty());
  ConfigLoad back = load_config(dir.file("saved.json"));
  CHECK(back.errors.empty());
  CHECK(back.config.central_url == c.central_url);
  CHECK(back.config.central_credentials == "creds.json");
}

TEST_CASE("central: the administrator's login never reaches a kiosk's URL") {
  CHECK(url_without_login("postgresql://admin:pw@center:5432/eco?sslmode=verify-full") ==
        "postgresql://center:5432/eco?sslmode=verify-full");
  CHECK(url_without_login("postgresql://admin@center/eco") == "postgresql://center/eco");
  CHECK(url_without_login("postgresql://center/eco?user=admin&sslmode=require&password=pw") ==
        "postgresql://center/eco?sslmode=require");
  CHECK(url_without_login("postgresql://center/eco?user=admin&password=pw") == "postgresql://center/eco");
  CHECK(url_without_login("postgresql://center/eco") == "postgresql://center/eco");
  // Percent-escaped names are the same parameters to libpq.
  CHECK(url_without_login("postgresql://center/eco?%70assword=pw&sslmode=require&%75%73er=admin") ==
        "postgresql://center/eco?sslmode=require");
  CHECK(url_without_login("postgresql://center/eco?%50assword=pw") == "postgresql://center/eco?%50assword=pw");  // "Password": not libpq's
}

TEST_CASE("central: libpq's failures become distinct statuses") {
  CHECK(classify_connect_error("connection to server at \"127.0.0.1\", port 1 failed: Connection refused") == CStatus::refused);
  CHECK(classify_connect_error("could not translate host name \"x.invalid\" to address: Name or service not known") == CStatus::dns);
  CHECK(classify_connect_error("server certificate for \"localhost\" does not match host name \"127.0.0.1\"") == CStatus::tls);
  CHECK(classify_connect_error("SSL error: certificate verify failed") == CStatus::tls);
  CHECK(classify_connect_error("FATAL:  password authentication failed for user \"k\"") == CStatus::auth);
  CHECK(classify_connect_error("timeout expired") == CStatus::refused);
  // The server's refusals over TLS end with "SSL encryption": still a login refused, not TLS.
  const std::string at = "connection to server at \"127.0.0.1\", port 5432 failed: ";
  CHECK(classify_connect_error(at + "FATAL:  no pg_hba.conf entry for host \"127.0.0.1\", user \"ecokiosk_k_a\", "
                                    "database \"eco\", SSL encryption") == CStatus::auth);
  CHECK(classify_connect_error(at + "FATAL:  pg_hba.conf rejects connection for host \"127.0.0.1\", user \"k\", "
                                    "database \"eco\", SSL encryption") == CStatus::auth);
  CHECK(classify_connect_error(at + "FATAL:  password authentication failed for user \"k\"") == CStatus::auth);
  CHECK(classify_connect_error(at + "FATAL:  role \"k\" does not exist") == CStatus::auth);
  CHECK(classify_connect_error(at + "FATAL:  connection requires a valid client certificate") == CStatus::auth);
  CHECK(classify_connect_error(at + "FATAL:  database \"eco_nosuchdb\" does not exist") == CStatus::not_initialised);
  // The center answered: a server error, retried (not "nothing answers at its address").
  CHECK(classify_connect_error(at + "FATAL:  the database system is starting up") == CStatus::server);
  CHECK(classify_connect_error(at + "FATAL:  sorry, too many clients already") == CStatus::server);
  CHECK(classify_connect_error(at + "FATAL:  too many connections for role \"ecokiosk_k_a\"") == CStatus::server);
  CHECK(classify_connect_error(at + "FATAL:  unrecognized configuration parameter \"foo\"") == CStatus::server);
  // Dropped after the TLS handshake: the network or a restart, not the certificate.
  CHECK(classify_connect_error(at + "SSL connection has been closed unexpectedly") == CStatus::refused);
  CHECK(classify_connect_error(at + "SSL SYSCALL error: EOF detected") == CStatus::refused);
  CHECK(classify_connect_error(at + "server closed the connection unexpectedly") == CStatus::refused);
  // libpq's own words: a missing root certificate is TLS, a missing password the login.
  CHECK(classify_connect_error("root certificate file \"/x/root.crt\" does not exist") == CStatus::tls);
  CHECK(classify_connect_error(at + "fe_sendauth: no password supplied") == CStatus::auth);
  // Every status has its own name and words.
  std::set<std::string> names, words;
  for (CStatus s : {CStatus::ok, CStatus::off, CStatus::refused, CStatus::dns, CStatus::tls, CStatus::tls_expired,
                   CStatus::auth, CStatus::schema_older, CStatus::schema_newer, CStatus::not_initialised,
                   CStatus::refused_by_center, CStatus::server}) {
    names.insert(status_name(s));
    words.insert(status_words(s));
  }
  CHECK(names.size() == 12);
  CHECK(words.size() == 12);
}

TEST_CASE("central: credentials are written 0600, and a readable file, a link or a bad file is refused") {
  test::TempDir dir;
  std::string p = dir.file("cfg/central-credentials.json");
  REQUIRE(write_credentials(p, {"ecokiosk_k_1", "s3cret"}).empty());
  struct stat st;
  REQUIRE(stat(p.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CredentialsRead r = read_credentials(p);
  CHECK(r.error.empty());
  CHECK(r.cr.user == "ecokiosk_k_1");
  CHECK(r.cr.password == "s3cret");
  chmod(p.c_str(), 0640);
  CHECK(read_credentials(p).error.find("chmod 600") != std::string::npos);
  chmod(p.c_str(), 0600);
  // A link planted at the path: not read, and not written through.
  std::string link = dir.file("cfg/linked.json");
  REQUIRE(symlink(p.c_str(), link.c_str()) == 0);
  CHECK(read_credentials(link).error.find("is a link") != std::string::npos);
  CHECK_FALSE(write_credentials(link, {"x", "y"}).empty());
  CHECK(read_credentials(p).cr.user == "ecokiosk_k_1");  // the target is untouched
  std::string bad = dir.write("bad.json", R"({"user": "x"})");
  chmod(bad.c_str(), 0600);
  CHECK_FALSE(read_credentials(bad).error.empty());
  CHECK_FALSE(read_credentials(dir.file("missing.json")).error.empty());
  CHECK(credentials_path("/etc/ecokiosk/config.json", "") == "/etc/ecokiosk/central-credentials.json");
  CHECK(credentials_path("/etc/ecokiosk/config.json", "k.json") == "/etc/ecokiosk/k.json");
  CHECK(credentials_path("/etc/ecokiosk/config.json", "/srv/k.json") == "/srv/k.json");
}

TEST_CASE("central: an unreachable center is a status, marks nothing, and the worker thread stops promptly") {
  test::TempDir dir;
  std::string db = dir.file("k.db");
  SyncSettings s = unreachable_kiosk(dir, db, 10);
  SyncWorker off(db, SyncSettings{});
  CHECK(off.run_once().status == CStatus::off);
  SyncWorker w(db, s);
  SyncReport r = w.run_once();
  CHECK(r.status == CStatus::refused);
  CHECK(r.waiting == 10);
  CHECK_FALSE(r.all_sent());
  Store check(db);
  SyncState st = read_sync_state(check, "hall-a");
  CHECK(st.status == "refused");
  CHECK(st.waiting == 10);
  CHECK(st.last_attempt > 0);
  CHECK(st.last_contact == 0);
  CHECK(StoreAccess::db(check).scalar("SELECT response_mark FROM central_sync") == 0);
  // In the background it backs off; stop() returns without waiting out the backoff.
  s.backoff_min_ms = 60000;
  SyncWorker bg(db, s);
  bg.start();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  auto t0 = std::chrono::steady_clock::now();
  bg.stop();
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(5));
}

namespace {
struct TaskSched {
  int policy = -1, nice = 0;
};
// Every thread of this process: its scheduling policy and nice value, from /proc (fields
// 41 and 19 of stat, counted after the command's closing parenthesis).
std::map<long, TaskSched> task_scheds() {
  std::map<long, TaskSched> out;
  for (const auto& e : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream f(e.path() / "stat");
    std::string line;
    if (!std::getline(f, line)) continue;  // the thread ended meanwhile
    std::istringstream rest(line.substr(line.rfind(')') + 2));
    std::vector<std::string> fields{std::istream_iterator<std::string>(rest), std::istream_iterator<std::string>()};
    if (fields.size() < 39) continue;
    out[std::stol(e.path().filename().string())] = {std::stoi(fields[38]), std::stoi(fields[16])};
  }
  return out;
}
int tasks_with_policy(int policy) {
  int n = 0;
  for (const auto& [tid, t] : task_scheds()) n += t.policy == policy;
  return n;
}
// Waits up to 5 s for a thread of this policy and nice value to appear; returns it.
bool background_thread_appears(int policy, int nice) {
  for (int i = 0; i < 500; ++i) {
    for (const auto& [tid, t] : task_scheds())
      if (t.policy == policy && t.nice == nice && tid != gettid()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}
}  // namespace

// A sandbox may refuse the idle class (the readers then stay at nice 10): asked of a
// scratch thread, so such a machine checks the fallback instead.
bool idle_class_allowed() {
  bool allowed = false;
  std::thread([&] { allowed = central::lower_thread_priority(0, true); }).join();
  if (!allowed) MESSAGE("this system refuses SCHED_IDLE: only the nice 10 fallback is checked");
  return allowed;
}

TEST_CASE("central: the background sync thread runs at nice 10, never in the idle class (it holds what a save waits for), the caller's thread keeps its own") {
  test::TempDir dir;
  std::string db = dir.file("k.db");
  SyncSettings s = unreachable_kiosk(dir, db, 3);
  s.backoff_min_ms = 60000;
  const TaskSched mine = task_scheds().at(gettid());
  REQUIRE(mine.policy == SCHED_OTHER);
  REQUIRE(tasks_with_policy(SCHED_IDLE) == 0);
  idle_class_allowed();
  SyncWorker w(db, s);
  CHECK(w.run_once().status == CStatus::refused);  // on this thread: nothing lowered
  CHECK(task_scheds().at(gettid()).policy == SCHED_OTHER);
  CHECK(task_scheds().at(gettid()).nice == mine.nice);
  w.start();
  CHECK(background_thread_appears(SCHED_OTHER, std::max(mine.nice, 10)));
  // Its failed attempt done, it waits out its backoff: still not in the idle class, where
  // a busy machine could starve it while it held SQLite's write lock or its mutex.
  for (int i = 0; i < 500 && w.runs() == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  CHECK(w.runs() >= 1);
  CHECK(tasks_with_policy(SCHED_IDLE) == 0);
  CHECK(task_scheds().at(gettid()).policy == SCHED_OTHER);
  w.stop();
}

// With a real center (tests/central/central_wake.sh sets the URLs; skipped elsewhere):
// the kiosk model's save wakes the worker, so a response is at the center long before
// the idle poll (60 s here) would have sent it; and a wake during a backoff after a
// failure does not bring the retry forward.
namespace {
// The center central_wake.sh gives these cases: the administrator's URL and a kiosk's.
struct WakeCenter {
  std::string admin_url = std::getenv("ECOKIOSK_WAKE_CENTER");
  std::string kiosk_url = std::getenv("ECOKIOSK_WAKE_KIOSK_URL") ? std::getenv("ECOKIOSK_WAKE_KIOSK_URL") : "";
  WakeCenter() { REQUIRE_FALSE(kiosk_url.empty()); }
};
bool no_wake_center() { return std::getenv("ECOKIOSK_WAKE_CENTER") == nullptr; }
}  // namespace

TEST_CASE("central: a saved response wakes the sync worker, and a backoff is still waited out" *
          doctest::skip(no_wake_center())) {
  const WakeCenter wc;
  const std::string& admin_url = wc.admin_url;
  const std::string& kiosk_url = wc.kiosk_url;
  test::KioskRig rig(7);
  central::Conn admin(admin_url);
  central::KioskCredentials cr = central::add_kiosk(admin, rig.cfg.kiosk_id, "", "");
  std::string cred = rig.dir.file("central-credentials.json");
  REQUIRE(write_credentials(cred, cr).empty());
  SyncSettings s{.url = kiosk_url, .credentials_path = cred, .kiosk_id = rig.cfg.kiosk_id};
  s.idle_poll_ms = 60000;
  SyncWorker w(rig.dir.file("kiosk.db"), s);
  w.start();
  auto wait_for = [](auto&& done, int seconds) {
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    while (!done() && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    return done();
  };
  REQUIRE(wait_for([&] { return w.runs() >= 1; }, 20));
  REQUIRE(w.last().status == CStatus::ok);
  auto at_center = [&] {
    return admin.scalar("SELECT count(*) FROM responses WHERE kiosk = $1", {rig.cfg.kiosk_id});
  };
  CHECK(at_center() == "0");
  rig.model.set_on_saved([&] { w.wake(); });
  // A resident answers the satisfaction survey to the end (first option each time).
  rig.start("satisfaction");
  for (int i = 0; i < 100 && rig.model.screen() == Screen::question; ++i) {
    const Question& q = *rig.model.session()->current();
    intent::Answer in;
    if (q.type == QuestionType::single || q.type == QuestionType::rating) in.answer = Choice{q.options.front().id};
    else if (q.type == QuestionType::multiple) in.answer = ChoiceSet{{q.options.front().id}};
    else if (q.type == QuestionType::count_matrix) in.answer = Counts{{{q.rows.front().id, 1}}};
    else if (q.type == QuestionType::integer) in.answer = q.min;
    rig.model.apply(in);
    rig.model.apply(intent::Next{});
  }
  REQUIRE(rig.model.screen() == Screen::finish);
  REQUIRE(rig.model.last_saved());
  // Well inside the 60 s poll: only the wake can have sent it.
  CHECK(wait_for([&] { return at_center() == "1"; }, 15));
  CHECK(wait_for([&] { return w.runs() >= 2; }, 5));  // it was a second pass that sent it
  w.stop();

  // Backoff kept: a center that is down is retried after the backoff, not at each save.
  SyncSettings down = s;
  down.url = "postgresql://127.0.0.1:1/eco?connect_timeout=2";
  down.backoff_min_ms = 60000;
  SyncWorker d(rig.dir.file("kiosk.db"), down);
  d.start();
  REQUIRE(wait_for([&] { return d.runs() >= 1; }, 20));
  CHECK(d.last().status == CStatus::refused);
  for (int i = 0; i < 5; ++i) d.wake();
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  CHECK(d.runs() == 1);
  d.stop();

  // Back on its own: a worker that failed (here the center refused the login, which
  // district IT then puts right) retries after its backoff, without a restart or a
  // save to wake it, and sends what waited meanwhile.
  {
    DemoOptions more;
    more.responses = 5;
    more.kiosk = rig.cfg.kiosk_id;
    fill_demo_data(rig.store, test::shipped(), more);
  }
  REQUIRE(write_credentials(cred, {cr.user, cr.password + "-wrong"}).empty());
  SyncSettings back = s;
  back.backoff_min_ms = 300;
  back.backoff_max_ms = 600;
  SyncWorker r(rig.dir.file("kiosk.db"), back);
  r.start();
  REQUIRE(wait_for([&] { return r.runs() >= 1; }, 20));
  CHECK(r.last().status == CStatus::auth);
  CHECK(r.last().waiting == 5);
  CHECK(at_center() == "1");
  REQUIRE(write_credentials(cred, cr).empty());
  CHECK(wait_for([&] { return at_center() == "6"; }, 20));
  CHECK(wait_for([&] { return r.last().status == CStatus::ok && r.last().waiting == 0; }, 5));
  r.stop();
}

// With a real center (central_wake.sh): while the background worker drains a backlog,
// the threads reading and encoding its batches run in the idle class and the worker's
// own thread stays at nice 10.
TEST_CASE("central: a drain's reading threads yield every core to the resident (SCHED_IDLE)" *
          doctest::skip(no_wake_center())) {
  const WakeCenter wc;
  const std::string& admin_url = wc.admin_url;
  const std::string& kiosk_url = wc.kiosk_url;
  const bool idle_allowed = idle_class_allowed();
  test::TempDir dir;
  std::string db = dir.file("k.db");
  {
    Store st(db);
    DemoOptions d;
    d.responses = 3000;  // six batches of 500: five read by the readers
    d.kiosk = "hall-readers";
    fill_demo_data(st, test::shipped(), d);
  }
  central::Conn admin(admin_url);
  central::KioskCredentials cr = central::add_kiosk(admin, "hall-readers", "", "");
  std::string cred = dir.file("central-credentials.json");
  REQUIRE(write_credentials(cred, cr).empty());
  SyncSettings s{.url = kiosk_url, .credentials_path = cred, .kiosk_id = "hall-readers"};
  s.batch = 500;
  s.idle_poll_ms = 60000;
  const int mine = task_scheds().at(gettid()).nice;
  SyncWorker w(db, s);
  w.start();
  // The worker is the first thread at nice 10 (it reads its first batch itself; the
  // readers, started from it, come later): followed by its tid.
  long worker = -1;
  bool worker_first_other = false, worker_ever_idle = false, reader_idle = false;
  // Bounded: idle-class readers wait for a free core, which a loaded test machine may
  // give them late (a normal-priority neighbour leaves them a sliver of its core).
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(240);
  while (w.runs() == 0 && std::chrono::steady_clock::now() < until) {
    for (const auto& [tid, t] : task_scheds()) {
      if (tid == gettid() || t.nice != std::max(mine, 10)) continue;
      if (worker < 0) {
        worker = tid;
        worker_first_other = t.policy == SCHED_OTHER;
      }
      if (tid == worker) worker_ever_idle |= t.policy == SCHED_IDLE;
      else reader_idle |= t.policy == SCHED_IDLE;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  REQUIRE_MESSAGE(w.runs() > 0, "the drain of 3,000 did not end within 240 s");
  w.stop();
  REQUIRE(w.last().status == CStatus::ok);
  CHECK(w.last().sent == 3000);
  REQUIRE(worker >= 0);
  CHECK(worker_first_other);
  CHECK_FALSE(worker_ever_idle);
  if (idle_allowed) CHECK(reader_idle);
}
