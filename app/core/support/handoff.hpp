// A bounded queue between one producing and one consuming thread (issue 20): exports
// read on one thread and write on another, imports and demo data make responses on
// one thread and save them on another. At most `capacity` items wait, so memory stays
// bounded whatever the size of the data.
#pragma once
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace eco {

// put() waits while `capacity` items wait; take() waits for one and is false once
// closed and drained; stop() (the consumer failed or quit) makes put() refuse and
// take() end.
template <class T>
class Handoff {
 public:
  explicit Handoff(std::size_t capacity = 4) : capacity_(capacity) {}
  bool put(T&& item) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return items_.size() < capacity_ || stopped_; });
    if (stopped_) return false;
    items_.push_back(std::move(item));
    item = T{};
    cv_.notify_all();
    return true;
  }
  bool take(T& item) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return !items_.empty() || closed_ || stopped_; });
    return pop(item);
  }
  // As take(), but gives up (false, `timed_out` set) at `deadline`.
  bool take_until(T& item, std::chrono::steady_clock::time_point deadline, bool& timed_out) {
    std::unique_lock lock(mu_);
    timed_out = !cv_.wait_until(lock, deadline, [&] { return !items_.empty() || closed_ || stopped_; });
    return !timed_out && pop(item);
  }
  void close() {
    std::lock_guard lock(mu_);
    closed_ = true;
    cv_.notify_all();
  }
  void stop() {
    std::lock_guard lock(mu_);
    stopped_ = true;
    cv_.notify_all();
  }

 private:
  bool pop(T& item) {
    if (items_.empty() || stopped_) return false;
    item = std::move(items_.front());
    items_.pop_front();
    cv_.notify_all();
    return true;
  }
  std::size_t capacity_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<T> items_;
  bool closed_ = false, stopped_ = false;
};

// Items the consumer is done with, handed back to be destroyed on the producer's thread
// (drop() there, before it makes the next): the consumer of an import or demo-data
// fill holds the database's write lock, and freeing what the other thread allocated
// (another malloc arena) was 2% of an import's CPU on that thread.
template <class T>
class Spent {
 public:
  void give(T&& item) {
    std::lock_guard lock(mu_);
    items_.push_back(std::move(item));
    item = T{};
  }
  void drop() {
    std::vector<T> gone;
    {
      std::lock_guard lock(mu_);
      gone.swap(items_);
    }
  }  // destroyed here, outside the lock

 private:
  std::mutex mu_;
  std::vector<T> items_;
};

// The consumer's side when the producer is a thread: however the consuming scope ends
// (an exception from the database included), the producer is told to stop and joined.
template <class T>
struct StopAndJoin {
  Handoff<T>& queue;
  std::thread& producer;
  ~StopAndJoin() {
    queue.stop();
    producer.join();
  }
};

// The producer's side when the consumer is a thread: however the producing scope ends
// (an exception from the database included), the queue is closed (the consumer drains
// what is queued) and the consumer joined.
template <class T>
struct CloseAndJoin {
  Handoff<T>& queue;
  std::thread& consumer;
  ~CloseAndJoin() {
    queue.close();
    consumer.join();
  }
};

}  // namespace eco
