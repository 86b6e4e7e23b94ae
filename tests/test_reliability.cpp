// Faults a kiosk meets unattended: a damaged database at start-up, a full disk, a
// read-only file, a crash mid-survey, and restoring from a backup.
#include <doctest/doctest.h>

#include <sys/resource.h>

#include <csignal>
#include <filesystem>
#include <fstream>

#include "core/storage/store_access.hpp"
#include "core/storage/db_maintenance.hpp"
#include "core/support/time.hpp"
#include "core/storage/demo_data.hpp"
#include "helpers.hpp"

using namespace eco;
namespace fs = std::filesystem;

namespace {
constexpr TimeMs kNow = 1'561'000'000'000;  // 2019-06-20T03:06:40Z
void fill(Store& s, int n) {
  DemoOptions d;
  d.responses = n;
  d.end = kNow;
  fill_demo_data(s, test::shipped(), d);
}
}  // namespace

TEST_CASE("a file that is not a database is moved aside under a dated name and a fresh one started") {
  test::TempDir dir;
  std::string path = dir.write("kiosk.db", "this is not a database, and it is long enough to look like a file\n");
  OpenedStore o = open_store_checked(path, kNow);
  REQUIRE(o.store);
  CHECK(o.store->count() == 0);
  CHECK(o.moved_aside == path + ".corrupt-20190620-030640");
  CHECK_FALSE(o.problem.empty());
  std::ifstream kept(o.moved_aside);
  std::string first;
  std::getline(kept, first);
  CHECK(first == "this is not a database, and it is long enough to look like a file");  // never overwritten
}

TEST_CASE("a database with damaged pages fails quick_check and is kept aside, not deleted") {
  test::TempDir dir;
  std::string path = dir.file("kiosk.db");
  {
    Store s(path);
    fill(s, 300);
    StoreAccess::db(s).exec("PRAGMA wal_checkpoint(TRUNCATE)");
  }
  auto size = fs::file_size(path);
  REQUIRE(size > 64 * 1024);
  {
    // Scribble over pages in the middle of the file, as a failing card might.
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    std::string junk(4096 * 6, '\x5a');
    f.seekp(static_cast<std::streamoff>(size / 2 / 4096 * 4096));
    f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
  }
  OpenedStore o = open_store_checked(path, kNow);
  REQUIRE(o.store);
  CHECK_FALSE(o.moved_aside.empty());
  CHECK(fs::file_size(o.moved_aside) == size);
  CHECK(o.store->count() == 0);
  // A healthy database opens untouched.
  OpenedStore again = open_store_checked(path, kNow + 1000);
  CHECK(again.moved_aside.empty());
}

TEST_CASE("online backups rotate, and a restore brings the data back and keeps the current file aside") {
  test::TempDir dir;
  std::string path = dir.file("kiosk.db"), folder = dir.file("backups");
  {
    Store s(path);
    fill(s, 50);
    std::string written;
    for (int i = 0; i < 3; ++i) REQUIRE(backup_rotate(s, folder, 2, kNow + i * 1000, &written).empty());
    CHECK(list_backups(folder).size() == 2);  // the oldest was removed
    CHECK(written == folder + "/ecokiosk-20190620-030642.db");
    fill(s, 10);  // after the backup
    CHECK(s.count() == 60);
  }
  std::string aside;
  REQUIRE(restore_database(list_backups(folder).back(), path, kNow + 5000, &aside).empty());
  CHECK(fs::exists(aside));
  Store restored(path);
  CHECK(restored.count() == 50);
  CHECK(restore_database(dir.write("junk.db", "not sqlite"), path, kNow, nullptr).find("not sound") != std::string::npos);
  Store still(path);
  CHECK(still.count() == 50);  // a bad backup changes nothing
}

TEST_CASE("a session interrupted by a crash is recorded as abandoned at the next start") {
  test::TempDir dir;
  std::string path = dir.file("kiosk.db");
  TimeMs now = kNow;
  {
    Store store(path);
    Config cfg;
    KioskModel m(cfg, test::shipped(), &store, [&] { return now; }, 3);
    m.apply(intent::Start{"satisfaction"});
    now += KioskModel::kAnswerAbsorbMs;  // the first question is read before it is touched
    m.apply(intent::Answer{Choice{"satisfied"}});
    m.apply(intent::Next{});
    m.apply(intent::Answer{Choice{"neutral"}});
    m.apply(intent::Next{});
    CHECK(StoreAccess::db(store).scalar("SELECT position FROM in_progress") == 3);
    // The process dies here: no abandon, no save.
  }
  Store after(path);
  CHECK(after.recover_interrupted(now + 60'000) == 1);
  CHECK(after.abandoned_count("satisfaction") == 1);
  CHECK(StoreAccess::db(after).scalar("SELECT count(*) FROM in_progress") == 0);
  CHECK(after.recover_interrupted(now + 120'000) == 0);
}

TEST_CASE("a full disk or a read-only database: the response stays in memory and is saved on retry") {
  for (std::string fault : {"full", "readonly"}) {
    INFO(fault);
    test::KioskRig r(11);
    StoreAccess::db(r.store).exec("PRAGMA wal_checkpoint(TRUNCATE)");
    // A full disk, as the file system reports it: no file may grow past 4 KiB, so the
    // WAL cannot take the transaction (SIGXFSZ ignored: write() fails with EFBIG).
    rlimit saved{};
    getrlimit(RLIMIT_FSIZE, &saved);
    auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
    auto unlimit = [&] {
      setrlimit(RLIMIT_FSIZE, &saved);
      std::signal(SIGXFSZ, old_handler);
    };
    if (fault == "full") {
      rlimit tiny = saved;
      tiny.rlim_cur = 4096;
      setrlimit(RLIMIT_FSIZE, &tiny);
    } else {
      StoreAccess::db(r.store).exec("PRAGMA query_only=1");
    }
    // A complete knowledge quiz by the model's own intents.
    r.start("knowledge");
    for (int guard = 0; guard < 60 && r.model.screen() == Screen::question; ++guard) {
      const Question& q = *r.model.session()->current();
      Answer a;
      if (q.type == QuestionType::multiple) a = ChoiceSet{{q.options.front().id}};
      else if (!q.options.empty()) a = Choice{q.options.front().id};
      r.model.apply(intent::Answer{a});
      r.model.apply(intent::Next{});
    }
    CHECK(r.model.screen() == Screen::finish);
    CHECK(r.model.unsaved() == 1);
    CHECK_FALSE(r.model.save_error().empty());
    CHECK(r.store.count() == 0);
    r.now += 6000;
    r.model.tick();  // still failing: still kept
    CHECK(r.model.unsaved() == 1);
    unlimit();
    StoreAccess::db(r.store).exec("PRAGMA query_only=0");
    r.now += 6000;
    r.model.tick();
    CHECK(r.model.unsaved() == 0);
    CHECK(r.store.count() == 1);
  }
}
