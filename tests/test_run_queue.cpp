// The run queue that carries worker results to the UI thread, and the backup timer:
// both driven deterministically (no sleeps): a worker is waited for on a condition,
// backups on a fake clock with a job the test holds until it lets go.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>
#include <vector>

#include "core/support/run_queue.hpp"
#include "kiosk/backup_scheduler.hpp"

using namespace eco;

TEST_CASE("run queue: closures run on the draining thread, in order, each once, and posting wakes the loop") {
  int wakes = 0;
  RunQueue q([&] { ++wakes; });
  std::vector<int> ran;
  CHECK(q.drain() == 0);  // nothing posted: nothing runs
  q.post([&] { ran.push_back(1); });
  q.post([&] { ran.push_back(2); });
  CHECK(wakes == 2);
  CHECK(ran.empty());  // posting never runs anything
  CHECK_FALSE(q.empty());
  CHECK(q.drain() == 2);
  CHECK(ran == std::vector<int>{1, 2});
  CHECK(q.drain() == 0);  // each closure once
  CHECK(ran.size() == 2);
  CHECK(q.empty());
}

TEST_CASE("run queue: a closure posted while draining waits for the next drain") {
  RunQueue q;
  int second = 0;
  q.post([&] { q.post([&] { ++second; }); });
  CHECK(q.drain() == 1);
  CHECK(second == 0);
  CHECK(q.drain() == 1);
  CHECK(second == 1);
}

TEST_CASE("run queue: a worker thread's result is taken on the UI thread after waiting on the condition") {
  RunQueue q;
  std::thread::id ui = std::this_thread::get_id(), ran_on;
  std::atomic<int> result{0};
  std::promise<void> go;
  std::thread worker([&, started = go.get_future().share()] {
    started.wait();
    int computed = 42;
    q.post([&, computed] {
      ran_on = std::this_thread::get_id();
      result = computed;
    });
  });
  CHECK_FALSE(q.wait(std::chrono::milliseconds(0)));  // nothing yet: the worker waits for go
  go.set_value();
  REQUIRE(q.wait(std::chrono::seconds(60)));
  CHECK(result == 0);  // posted, not yet run
  CHECK(q.drain() == 1);
  CHECK(result == 42);
  CHECK(ran_on == ui);
  worker.join();
}

TEST_CASE("run queue: many posting threads, nothing lost or run twice") {
  RunQueue q;
  int total = 0;
  std::vector<std::thread> workers;
  for (int t = 0; t < 4; ++t)
    workers.emplace_back([&] {
      for (int i = 0; i < 250; ++i) q.post([&] { ++total; });  // total is touched only by drain()
    });
  std::size_t drained = 0;
  while (drained < 1000) {
    REQUIRE(q.wait(std::chrono::seconds(60)));
    drained += q.drain();
  }
  for (auto& w : workers) w.join();
  CHECK(q.drain() == 0);
  CHECK(total == 1000);
}

TEST_CASE("backup scheduler: due one interval after start, never twice at once, then one interval after it started") {
  std::atomic<int> runs{0};
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  TimeMs t0 = 1'000'000;
  BackupScheduler b(5, t0, [&] {
    ++runs;
    released.wait();  // the test decides when this backup is done
  });
  CHECK(b.next_due() == t0 + 5 * 60000);
  CHECK_FALSE(b.poll(t0));
  CHECK_FALSE(b.poll(t0 + 5 * 60000 - 1));  // n = 0 until the interval has passed
  CHECK(b.poll(t0 + 5 * 60000));           // due: started
  CHECK(b.running());
  CHECK(b.next_due() == t0 + 10 * 60000);
  CHECK_FALSE(b.poll(t0 + 20 * 60000));  // still running: a second one is not started beside it
  release.set_value();
  b.join();
  CHECK(runs == 1);
  CHECK_FALSE(b.running());
  CHECK(b.poll(t0 + 20 * 60000));  // overdue: started at once, the next one interval later
  b.join();
  CHECK(runs == 2);
  CHECK(b.next_due() == t0 + 25 * 60000);
}

TEST_CASE("backup scheduler: an interval of 0 (or less) never backs up") {
  int runs = 0;
  BackupScheduler off(0, 0, [&] { ++runs; });
  BackupScheduler negative(-3, 0, [&] { ++runs; });
  CHECK(off.next_due() == INT64_MAX);
  CHECK_FALSE(off.poll(INT64_MAX - 1));
  CHECK_FALSE(negative.poll(INT64_MAX - 1));
  CHECK(runs == 0);
}
