// Results of background work reach the UI thread as closures: a worker posts one, the
// UI thread runs them when it drains the queue (once a frame), so no model field is ever
// written from two threads. After the idea of Tracy's RunQueue. Posting calls `wake`
// (the window's glfwPostEmptyEvent) so an event-driven loop asleep in its wait sees it.
#pragma once
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <utility>
#include <vector>

namespace eco {

class RunQueue {
 public:
  explicit RunQueue(std::function<void()> wake = {}) : wake_(std::move(wake)) {}
  RunQueue(const RunQueue&) = delete;
  RunQueue& operator=(const RunQueue&) = delete;

  // Any thread.
  void post(std::function<void()> job) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      pending_.push_back(std::move(job));
    }
    cv_.notify_all();
    if (wake_) wake_();
  }

  // The UI thread: runs what was posted before the call, in order; returns how many.
  // An empty queue costs a lock and nothing else (an idle frame allocates nothing; the
  // two vectors trade buffers, so their capacity is kept).
  std::size_t drain() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (pending_.empty()) return 0;
      running_.swap(pending_);
    }
    std::size_t n = running_.size();
    for (auto& job : running_) job();
    running_.clear();
    return n;
  }

  // Tests and shutdown: blocks until something is posted (true) or the time is up.
  bool wait(std::chrono::milliseconds limit) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, limit, [this] { return !pending_.empty(); });
  }

  bool empty() const {
    std::lock_guard<std::mutex> lock(mu_);
    return pending_.empty();
  }

 private:
  std::function<void()> wake_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::function<void()>> pending_, running_;
};

}  // namespace eco
