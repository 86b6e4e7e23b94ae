#include "core/storage/wal_copier.hpp"

#include <sqlite3.h>

#include <chrono>
#include <system_error>

#include "core/storage/sqlite.hpp"

namespace eco {

namespace {
bool in_wal_mode(Db& db) {
  Stmt s(db, "PRAGMA journal_mode");
  return s.step() && s.text(0) == "wal";
}
}  // namespace

WalCopier::WalCopier(Db& writer, std::int64_t max_frames) : writer_(writer), max_frames_(max_frames) {
  try {
    if (writer.path().empty() || writer.path() == ":memory:" || !in_wal_mode(writer)) return;
    copier_ = std::make_unique<Db>(writer.path(), /*create=*/false);
    // The copy syncs the log before and the file after, as the writer's own would.
    copier_->exec("PRAGMA synchronous=FULL");
    writer.exec("PRAGMA wal_autocheckpoint=0");
  } catch (const DbError&) {
    copier_.reset();  // the writer's commits go on copying the log themselves
    return;
  }
  try {
    thread_ = std::thread([this] { run(); });
  } catch (const std::system_error&) {  // no thread to be had: as if never made
    copier_.reset();
    try {
      writer.exec("PRAGMA wal_autocheckpoint=1000");
    } catch (...) {
    }
  }
}

WalCopier::~WalCopier() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard<std::mutex> l(m_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
  // The rest copied and the log cut back to nothing, so that a kiosk keeping the file
  // open is not left with the bound's worth of log on disk (SQLite reuses a log, never
  // shrinks it). It needs a moment without a writer or an old reader: waited for
  // briefly, else left as it is.
  sqlite3_busy_timeout(copier_->raw(), 100);
  sqlite3_wal_checkpoint_v2(copier_->raw(), nullptr, SQLITE_CHECKPOINT_TRUNCATE, nullptr, nullptr);
  copier_.reset();
  try {
    writer_.exec("PRAGMA wal_autocheckpoint=1000");  // SQLite's default
  } catch (...) {
  }
}

void WalCopier::committed() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard<std::mutex> l(m_);
    ++asked_;
  }
  cv_.notify_all();
}

void WalCopier::settle() {
  if (!thread_.joinable()) return;
  std::unique_lock<std::mutex> l(m_);
  // Also when the copies fall behind (a slow disk): the count of the last one then lags
  // more than a batch, and the log could pass the bound by many.
  const bool over = last_log_ >= max_frames_, behind = asked_ - done_ > 1;
  if (over) {
    ++asked_;  // what others committed since the last copy, too
    cv_.notify_all();
  } else if (!behind || done_ >= asked_) {
    return;
  }
  ++stats_.waits;
  cv_.wait(l, [&] { return done_ >= asked_ || stop_; });
}

WalCopier::Stats WalCopier::stats() const {
  std::lock_guard<std::mutex> l(m_);
  return stats_;
}

void WalCopier::run() {
  std::unique_lock<std::mutex> l(m_);
  for (;;) {
    cv_.wait(l, [&] { return stop_ || done_ < asked_; });
    if (stop_) return;
    const std::uint64_t through = asked_;
    l.unlock();
    // Passive: never waits for the writer or a reader, and never blocks them; what a
    // reader still needs is left for the next time. Busy: another connection (a kiosk's
    // own automatic checkpoint, another import's copier) is copying; tried again for up
    // to 20 ms, so a settle() does not let the next batch begin before that is done.
    int log = 0, copied = 0, rc = SQLITE_OK;
    for (int tries = 0; tries < 20; ++tries) {
      rc = sqlite3_wal_checkpoint_v2(copier_->raw(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &log, &copied);
      if (rc != SQLITE_BUSY) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    l.lock();
    ++stats_.copies;
    if (rc == SQLITE_OK && log >= 0) {
      last_log_ = log;
      if (log > stats_.largest_log) stats_.largest_log = log;
    }
    done_ = through;
    cv_.notify_all();
  }
}

}  // namespace eco
