// The write-ahead log copied beside a bulk writer (core/storage/wal_copier.hpp): every
// batch lands in the file, the log stays bounded when nothing else reads, a reader that
// holds an old snapshot neither deadlocks the writer nor loses a batch, and the writer
// gets its automatic checkpoint back afterwards.
#include <doctest/doctest.h>

#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <sstream>
#include <thread>

#include "core/storage/demo_data.hpp"
#include "core/storage/interchange.hpp"
#include "core/storage/sqlite.hpp"
#include "core/storage/store.hpp"
#include "core/storage/store_access.hpp"
#include "core/storage/wal_copier.hpp"
#include "core/survey/metrics.hpp"
#include "helpers.hpp"

using namespace eco;

namespace {
constexpr int kBatches = 40, kPerBatch = 25;

// Saves kBatches batches of kPerBatch responses the way an import does: commit, ask
// for the copy, settle in the gap (unless told not to).
void save_batches(Store& store, WalCopier& copier, bool settle, int from = 0) {
  const Questionnaire& q = *test::shipped().find("satisfaction");
  int made = from;
  for (int b = 0; b < kBatches; ++b) {
    store.batch([&] {
      for (int i = 0; i < kPerBatch; ++i, ++made) {
        Response r = demo_response(q, 7000 + static_cast<std::uint64_t>(made),
                                   1'700'000'000'000 + made * 600'000LL, "hall-a");
        REQUIRE(store.save(r, compute_metrics(q, r)) == Store::Saved::inserted);
      }
    }, Store::BatchFailure::whole_only);
    copier.committed();
    if (settle) copier.settle();
  }
}

std::uintmax_t wal_bytes(const std::string& db) {
  std::error_code ec;
  auto n = std::filesystem::file_size(db + "-wal", ec);
  return ec ? 0 : n;
}

std::int64_t autocheckpoint(Store& s) { return StoreAccess::db(s).scalar("PRAGMA wal_autocheckpoint"); }
}  // namespace

TEST_CASE("a log copied beside the writer holds every batch and stays bounded") {
  const std::int64_t bound = 64;  // frames: a few batches' worth
  std::uintmax_t unsettled_wal = 0, settled_wal = 0;
  for (bool settle : {false, true}) {
    CAPTURE(settle);
    test::TempDir dir;
    const std::string path = dir.file("k.db");
    Store store(path);
    REQUIRE(autocheckpoint(store) == 1000);
    std::int64_t largest_log = 0;
    {
      WalCopier copier(StoreAccess::db(store), bound);
      REQUIRE(copier.active());
      CHECK(autocheckpoint(store) == 0);  // the commits leave the copying to the other thread
      save_batches(store, copier, settle);
      (settle ? settled_wal : unsettled_wal) = wal_bytes(path);  // the most the log held
      auto st = copier.stats();
      CHECK(st.copies >= 1);
      if (settle) {
        CHECK(st.waits >= 1);
        largest_log = st.largest_log;  // reported below
      }
    }
    CHECK(autocheckpoint(store) == 1000);  // given back
    MESSAGE("settle=" << settle << ": log file " << (settle ? settled_wal : unsettled_wal)
                      << " bytes, largest log seen " << largest_log << " frames");
    // At its end the copier copied the rest and cut the log back, though this
    // connection keeps the file open.
    CHECK(wal_bytes(path) == 0);
    // Everything is there, for this connection and a new one, and the file is sound.
    CHECK(store.count() == kBatches * kPerBatch);
    Store other(path);
    CHECK(other.count() == kBatches * kPerBatch);
    CHECK(StoreAccess::db(other).scalar("SELECT count(*) FROM pragma_integrity_check WHERE integrity_check <> 'ok'") == 0);
  }
  // Left alone the log grows with every batch (the file is never shrunk, so its size is
  // the most the log held). Settled, it starts over once past the bound: it never holds
  // more than the bound and the two batches committed before a wait notices (the last
  // copy's count lags a batch behind; a batch here is 40-70 frames, so three are allowed).
  const std::uintmax_t page = 4096 + 24;  // a frame: the page and its header
  const std::uintmax_t per_batch = unsettled_wal / page / kBatches;
  CAPTURE(per_batch);
  REQUIRE(per_batch >= 1);
  CAPTURE(settled_wal);
  CAPTURE(unsettled_wal);
  CHECK(settled_wal <= (static_cast<std::uintmax_t>(bound) + 3 * per_batch) * page + 32);
  CHECK(unsettled_wal > settled_wal * 3);
}

TEST_CASE("a reader holding an old snapshot neither stops the writer nor loses a batch") {
  test::TempDir dir;
  const std::string path = dir.file("k.db");
  Store store(path);
  Store reader(path);
  const Questionnaire& q = *test::shipped().find("satisfaction");
  Response first = demo_response(q, 1, 1'700'000'000'000, "hall-a");
  REQUIRE(store.save(first, compute_metrics(q, first)) == Store::Saved::inserted);
  Db& rdb = StoreAccess::db(reader);
  rdb.exec("BEGIN");
  REQUIRE(rdb.scalar("SELECT count(*) FROM responses") == 1);  // the snapshot is taken
  {
    WalCopier copier(StoreAccess::db(store), 8);
    save_batches(store, copier, true, 100);  // the log passes the bound and cannot start over
    // The reader pins the log: it could never start over, and the writer went on.
    CHECK(copier.stats().largest_log > 8 * kBatches);
  }
  // The reader still sees its snapshot; the writer's batches are all stored.
  CHECK(rdb.scalar("SELECT count(*) FROM responses") == 1);
  rdb.exec("COMMIT");
  CHECK(rdb.scalar("SELECT count(*) FROM responses") == 1 + kBatches * kPerBatch);
  CHECK(store.count() == 1 + kBatches * kPerBatch);
}

TEST_CASE("a log copier on an in-memory database does nothing and the batches are saved as before") {
  Store store(":memory:");
  WalCopier copier(StoreAccess::db(store));
  CHECK_FALSE(copier.active());
  save_batches(store, copier, true);
  CHECK(copier.stats().copies == 0);
  CHECK(store.count() == kBatches * kPerBatch);
}

TEST_CASE("a kiosk committing while the batch is copied does not keep the log from starting over") {
  // One frame the copy did not see (the kiosk's, committed after it) and SQLite does
  // not start the log over: settle() copies again before the next batch.
  const std::int64_t bound = 64;
  test::TempDir dir;
  const std::string path = dir.file("k.db");
  Store store(path);
  Store kiosk(path);
  const Questionnaire& q = *test::shipped().find("satisfaction");
  int made = 0;
  {
    WalCopier copier(StoreAccess::db(store), bound);
    REQUIRE(copier.active());
    for (int b = 0; b < kBatches; ++b) {
      store.batch([&] {
        for (int i = 0; i < kPerBatch; ++i, ++made) {
          Response r = demo_response(q, 9000 + static_cast<std::uint64_t>(made), 1'700'000'000'000 + made * 600'000LL, "hall-a");
          REQUIRE(store.save(r, compute_metrics(q, r)) == Store::Saved::inserted);
        }
      }, Store::BatchFailure::whole_only);
      // The gap: the kiosk, kept waiting through the batch, gets in at once and commits
      // while the batch is copied, after the copy has looked at the log.
      Response k = demo_response(q, 500 + static_cast<std::uint64_t>(b), 1'700'000'000'000 + b * 60'000LL, "hall-b");
      kiosk.batch([&] {
        REQUIRE(kiosk.save(k, compute_metrics(q, k)) == Store::Saved::inserted);
        const std::int64_t before = copier.stats().copies;
        copier.committed();
        while (copier.stats().copies == before) std::this_thread::sleep_for(std::chrono::microseconds(200));
      });
      copier.settle();
    }
  }
  // Started over, the log holds the bound and a few batches (40-70 frames each); never
  // started over it grows until the kiosk's own checkpoint, at 1,000 frames, copies all.
  const std::uintmax_t page = 4096 + 24;
  CHECK(wal_bytes(path) <= (static_cast<std::uintmax_t>(bound) + 4 * 70) * page + 32);
  CHECK(store.count() == kBatches * kPerBatch + kBatches);
  CHECK(StoreAccess::db(store).scalar("SELECT count(*) FROM pragma_integrity_check WHERE integrity_check <> 'ok'") == 0);
}

TEST_CASE("importing a database file keeps the log bounded also when each 500 read fit one batch") {
  test::TempDir dir;
  const std::string src = dir.file("other.db"), path = dir.file("k.db");
  const int n = 5000;  // ten reads of 500, each one short batch
  {
    Store other(src);
    const Questionnaire& q = *test::shipped().find("satisfaction");
    other.batch([&] {
      for (int i = 0; i < n; ++i) {
        Response r = demo_response(q, 20000 + static_cast<std::uint64_t>(i), 1'700'000'000'000 + i * 60'000LL, "hall-c");
        REQUIRE(other.save(r, compute_metrics(q, r)) == Store::Saved::inserted);
      }
    });
  }
  Store store(path);
  ImportReport rep;
  import_database(src, store, test::shipped(), rep, /*max_log_frames=*/64);
  CHECK(rep.problems.empty());
  CHECK(rep.kiosks["hall-c"].added == n);
  CHECK(store.count() == n);
  // Started over every batch or two, the log holds a fraction of what was written;
  // never started over, at least every page of the file went through it.
  const auto db_bytes = std::filesystem::file_size(path);
  CAPTURE(db_bytes);
  CHECK(wal_bytes(path) < db_bytes / 2);
  CHECK(autocheckpoint(store) == 1000);
}

TEST_CASE("copiers made and ended many times leave no descriptor and no thread behind") {
  test::TempDir dir;
  const std::string path = dir.file("k.db");
  Store store(path);
  { WalCopier warm(StoreAccess::db(store), 64); }  // SQLite keeps a closed descriptor for reuse
  const std::size_t fds = test::entries_in("/proc/self/fd"), threads = test::entries_in("/proc/self/task");
  for (int i = 0; i < 20; ++i) {
    WalCopier copier(StoreAccess::db(store), 64);
    REQUIRE(copier.active());
    CHECK(test::entries_in("/proc/self/task") == threads + 1);
    store.batch([&] {
      const Questionnaire& q = *test::shipped().find("satisfaction");
      Response r = demo_response(q, 300 + static_cast<std::uint64_t>(i), 1'700'000'000'000 + i * 60'000LL, "hall-a");
      store.save(r, compute_metrics(q, r));
    }, Store::BatchFailure::whole_only);
    copier.committed();
    copier.settle();
  }
  CHECK(test::entries_in("/proc/self/fd") == fds);
  CHECK(test::entries_in("/proc/self/task") == threads);
  CHECK(store.count() == 20);
}

TEST_CASE("a copier that cannot open the file (no descriptor left) leaves the writer copying as before") {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  MESSAGE("skipped under the sanitizers, whose runtime needs file descriptors of its own");
  return;
#endif
  test::TempDir dir;
  int fell_back = 0;
  for (int spare = 0; spare <= 6; ++spare) {
    CAPTURE(spare);
    const std::string path = dir.file("k" + std::to_string(spare) + ".db");
    { Store init(path); }
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      for (int fd = 3; fd < 1024; ++fd) close(fd);
      int code = 0;
      try {
        Store s(path);
        const Questionnaire& q = *test::shipped().find("satisfaction");
        Response first = demo_response(q, 1, 1'700'000'000'000, "hall-a");
        s.save(first, compute_metrics(q, first));  // the log is open
        // Nothing more may be opened beyond `spare` descriptors.
        const int lowest = dup(0);
        if (lowest >= 0) close(lowest);
        rlimit lim{static_cast<rlim_t>(lowest + spare), static_cast<rlim_t>(lowest + spare)};
        if (setrlimit(RLIMIT_NOFILE, &lim) != 0) _exit(5);
        {
          WalCopier copier(StoreAccess::db(s), 64);
          code = copier.active() ? 0 : 1;
          if (!copier.active() && autocheckpoint(s) != 1000) _exit(6);  // untouched
          save_batches(s, copier, true, 100);
        }
        if (autocheckpoint(s) != 1000) _exit(7);
        if (s.count() != 1 + kBatches * kPerBatch) _exit(8);
      } catch (...) {
        _exit(2);
      }
      _exit(code);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    REQUIRE(WIFEXITED(status));
    const int code = WEXITSTATUS(status);
    CHECK((code == 0 || code == 1));
    if (code == 1) ++fell_back;
    // Whatever happened, the file is sound and holds the batches.
    Store after(path);
    CHECK(after.count() == 1 + kBatches * kPerBatch);
    CHECK(StoreAccess::db(after).scalar("SELECT count(*) FROM pragma_integrity_check WHERE integrity_check <> 'ok'") == 0);
  }
  CHECK(fell_back >= 1);  // the starved case was reached
}

TEST_CASE("batches failing on a full disk while the log is copied give the writer its checkpoint back") {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  MESSAGE("skipped under the sanitizers (rlimits)");
  return;
#endif
  test::TempDir dir;
  const std::string path = dir.file("k.db");
  Store store(path);
  const Questionnaire& q = *test::shipped().find("satisfaction");
  const int n = 3000;
  std::string text;
  for (int i = 0; i < n; ++i)
    text += response_to_line(demo_response(q, 40000 + static_cast<std::uint64_t>(i), 1'700'000'000'000 + i * 60'000LL, "hall-a")) + "\n";
  const std::size_t threads = test::entries_in("/proc/self/task");
  StoreAccess::db(store).exec("PRAGMA wal_checkpoint(TRUNCATE)");
  // The disk fills once the file or its log grow by 1 MB (SIGXFSZ ignored: write() fails).
  rlimit saved{};
  getrlimit(RLIMIT_FSIZE, &saved);
  auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
  rlimit small = saved;
  small.rlim_cur = std::filesystem::file_size(path) + (1 << 20);
  setrlimit(RLIMIT_FSIZE, &small);
  // Small batches: some are in and copied, then one fails, with a copy perhaps under way.
  bool batch_failed = false;
  try {
    WalCopier copier(StoreAccess::db(store), 64);
    save_batches(store, copier, true);
  } catch (const DbError&) {
    batch_failed = true;
  }
  const std::int64_t kept = store.count();
  CHECK(autocheckpoint(store) == 1000);
  // The whole import: its first batch already fails (it holds more than 1 MB).
  std::istringstream in(text);
  ImportReport rep;
  bool import_failed = false;
  try {
    import_jsonl(in, "f.jsonl", store, test::shipped(), rep);
  } catch (const std::exception&) {
    import_failed = true;
  }
  setrlimit(RLIMIT_FSIZE, &saved);
  std::signal(SIGXFSZ, old_handler);
  CHECK(batch_failed);
  CHECK(import_failed);
  CAPTURE(kept);
  CHECK(kept > 0);
  CHECK(kept % kPerBatch == 0);  // whole batches
  CHECK(autocheckpoint(store) == 1000);
  CHECK(test::entries_in("/proc/self/task") == threads);  // the copier and the reader are gone
  CHECK(StoreAccess::db(store).scalar("SELECT count(*) FROM pragma_integrity_check WHERE integrity_check <> 'ok'") == 0);
  // With room again, the import adds the file once.
  std::istringstream again(text);
  ImportReport rep2;
  import_jsonl(again, "f.jsonl", store, test::shipped(), rep2);
  CHECK(rep2.added() == n);
  CHECK(store.count() == kept + n);
}

// An import leaves the write lock free for a moment between its batches (kBatchGap in
// interchange.cpp): a kiosk saving into the same file all through a long import gets in
// at the next gap, every time. Without the gap it gets in only where the importer
// happens to wait for its reading thread (here its longest wait went from 0.18 s to
// 1.0 s); with the lock never let go it would wait out the whole import.
TEST_CASE("a kiosk saving all through a long import gets in between its batches, every time") {
  const bool sanitized = test::sanitized();
  const int lines = sanitized ? 8000 : 40000;  // an import of seconds either way, in several batches
  const QuestionnaireSet& set = test::shipped();
  const Questionnaire& q = *set.find("satisfaction");
  std::string text;
  for (int i = 0; i < lines; ++i)
    text += response_to_line(demo_response(q, 40'000 + static_cast<std::uint64_t>(i), 1'700'000'000'000 + i * 60'000LL,
                                           "hall-a")) + "\n";
  test::TempDir dir;
  const std::string path = dir.file("k.db");
  Store importer(path);
  Store kiosk(path);
  std::atomic<bool> done{false};
  ImportReport rep;
  std::string import_failed;  // read after the join
  std::thread import([&] {
    std::istringstream in(text);
    try {
      import_jsonl(in, "long.jsonl", importer, set, rep);
    } catch (const std::exception& e) {
      import_failed = e.what();
    }
    done = true;
  });
  int saved = 0, during = 0;
  double worst = 0;
  for (int i = 0; !done || saved < 1; ++i) {
    Response k = demo_response(q, 900 + static_cast<std::uint64_t>(i), 1'600'000'000'000 + i * 60'000LL, "hall-b");
    const auto t0 = std::chrono::steady_clock::now();
    Store::Saved s = Store::Saved::duplicate;
    try {
      s = kiosk.save(k, compute_metrics(q, k));
    } catch (const DbError& e) {
      FAIL_CHECK("a kiosk's save failed beside the import: " << e.what());
      break;
    }
    const double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const bool still_importing = !done;
    CHECK(s == Store::Saved::inserted);
    ++saved;
    if (still_importing) {
      ++during;
      worst = std::max(worst, waited);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // a resident every moment
  }
  import.join();
  CHECK(import_failed.empty());
  MESSAGE("kiosk saves during the import: " << during << ", longest wait " << worst << " s");
  CHECK(rep.added() == lines);
  CHECK(during >= 3);
  // A batch holds the lock at most kBatchHold (250 ms): a few of them is the most a
  // save may wait, where waiting out the import took its whole length.
  CHECK(worst < 1.5);
  CHECK(importer.count() == lines + saved);
  CHECK(StoreAccess::db(importer).scalar("SELECT count(*) FROM pragma_integrity_check WHERE integrity_check <> 'ok'") == 0);
}
