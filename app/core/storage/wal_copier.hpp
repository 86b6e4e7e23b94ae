// Copies a bulk writer's write-ahead log into the database file on a thread of its own,
// while the writer goes on with its next batch (import, demo data; issue 20).
//
// Done by the writer itself, the copy and its fsyncs came after every commit: about
// 30-45 ms a batch, a tenth of an import's time. Done beside it, the log cannot start
// afresh (SQLite restarts it only when a write begins with every frame copied), so it
// would grow by the whole import; past `max_frames` the writer therefore waits, in its
// gap, for the copy of what it last committed, and the next batch starts the log over.
#pragma once
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>

namespace eco {

class Db;

class WalCopier {
 public:
  // 16,384 frames: 64 MB of log at SQLite's 4 KB pages.
  static constexpr std::int64_t kMaxFrames = 16384;
  // Turns the writer's automatic checkpoint off and opens a second connection to its
  // file. Where that cannot be done (an in-memory database, no WAL, the open failing)
  // nothing changes and the writer's commits copy the log as before.
  explicit WalCopier(Db& writer, std::int64_t max_frames = kMaxFrames);
  // Waits for a copy under way, copies the rest and truncates the log (if no writer or
  // old reader keeps it for more than 100 ms), then gives the writer its automatic
  // checkpoint back.
  ~WalCopier();
  WalCopier(const WalCopier&) = delete;
  WalCopier& operator=(const WalCopier&) = delete;

  bool active() const { return thread_.joinable(); }
  // After each commit: copy what is in the log now.
  void committed();
  // Just before the next batch begins (after the gap): once the log has grown past
  // max_frames, copy it again and wait, so the next batch starts the log over. Again,
  // because a kiosk that got in at the commit may have committed after the copy looked,
  // and one frame left uncopied keeps the log from starting over. Also waits when the
  // copies fall more than a commit behind. The log then holds at most max_frames and
  // two batches.
  void settle();

  struct Stats {
    std::int64_t copies = 0;       // checkpoints run
    std::int64_t waits = 0;        // settle() calls that waited
    std::int64_t largest_log = 0;  // most frames a checkpoint found in the log
  };
  Stats stats() const;

 private:
  void run();
  Db& writer_;
  const std::int64_t max_frames_;
  std::unique_ptr<Db> copier_;
  mutable std::mutex m_;
  std::condition_variable cv_;
  std::uint64_t asked_ = 0, done_ = 0;  // commits asked for, and copied through
  std::int64_t last_log_ = 0;           // frames in the log at the last copy
  bool stop_ = false;
  Stats stats_;
  std::thread thread_;
};

}  // namespace eco
