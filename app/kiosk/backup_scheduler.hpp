// Online backups on a timer: when one is due (and none is still running) the UI thread's
// poll() starts it on a thread of its own, so a long copy never holds up a frame. The
// job is injected, so tests drive it with a fake clock and a job they control.
#pragma once
#include <atomic>
#include <functional>
#include <string>
#include <thread>

#include "core/support/time.hpp"

namespace eco {

class BackupScheduler {
 public:
  using Job = std::function<void()>;  // runs on the backup thread
  // interval_minutes <= 0: never. The first backup is due one interval after `now`.
  BackupScheduler(int interval_minutes, TimeMs now, Job job);
  BackupScheduler(const BackupScheduler&) = delete;
  BackupScheduler& operator=(const BackupScheduler&) = delete;
  ~BackupScheduler();  // waits for a backup under way

  // Starts the backup when due and none is running; true when it started one. The
  // next one is then due one interval after `now`.
  bool poll(TimeMs now);
  TimeMs next_due() const { return next_; }
  bool running() const { return running_; }
  void join();

 private:
  TimeMs interval_ms_;
  TimeMs next_;
  Job job_;
  std::thread thread_;
  std::atomic<bool> running_{false};
};

// The kiosk's job: an online copy of `db_path` through its own connection into `dir`,
// keeping the newest `keep`; a failure is written to stderr (the kiosk keeps running).
BackupScheduler::Job database_backup_job(std::string db_path, std::string dir, int keep);

}  // namespace eco
