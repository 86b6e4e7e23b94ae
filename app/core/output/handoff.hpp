// Exports read responses on one thread and write them on another (issue 20): the
// database's rows and the file's formatting each take about half the time. Handoff
// (core/support) is the bounded queue between the two.
#pragma once
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "core/support/handoff.hpp"
#include "core/survey/response.hpp"

namespace eco {

// Responses travel in batches (with their flagged mark) so the lock is taken rarely;
// at most kQueued batches wait, so memory stays bounded whatever the database holds.
constexpr std::size_t kQueued = 4;
constexpr std::size_t kBatch = 256;
using Batch = std::vector<std::pair<Response, bool>>;

// Batches the consumer has written come back to the producer, which refills them by
// assignment: the responses' strings and answer lists keep their buffers, where a copy
// into a fresh batch cost an allocation for each field and answer of every response.
template <class B>
class SparesOf {
 public:
  void give(B&& b) {
    std::lock_guard lock(mu_);
    if (spare_.size() < kQueued + 2) spare_.push_back(std::move(b));
  }
  B take() {
    std::lock_guard lock(mu_);
    if (spare_.empty()) return {};
    B b = std::move(spare_.back());
    spare_.pop_back();
    return b;
  }

 private:
  std::mutex mu_;
  std::vector<B> spare_;
};
using Spares = SparesOf<Batch>;

// The producer's side: take() moves a response into the batch being filled and sends
// it when full; finish() sends the last, part-filled one. Both are false once the
// consumer stopped.
class BatchFiller {
 public:
  BatchFiller(Handoff<Batch>& queue, Spares& spares) : queue_(queue), spares_(spares) {}
  // `r` is the reader's, which refills every field for its next row: it is swapped with
  // a kept pair's (formatted and done with), not copied (issue 20: copying each answer
  // was a seventh of the reading thread's time in a CSV export).
  bool take(Response& r, bool flagged) {
    if (used_ < batch_.size()) {
      std::swap(batch_[used_].first, r);
      batch_[used_].second = flagged;
    }
    else batch_.emplace_back(std::move(r), flagged);
    return ++used_ < kBatch || send();
  }
  bool finish() { return used_ == 0 || send(); }

 private:
  bool send() {
    batch_.resize(used_);
    used_ = 0;
    bool ok = queue_.put(std::move(batch_));
    batch_ = spares_.take();
    return ok;
  }
  Handoff<Batch>& queue_;
  Spares& spares_;
  Batch batch_;
  std::size_t used_ = 0;
};

}  // namespace eco
