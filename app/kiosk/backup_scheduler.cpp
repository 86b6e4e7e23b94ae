#include "kiosk/backup_scheduler.hpp"

#include <cstdint>
#include <iostream>

#include "core/storage/db_maintenance.hpp"
#include "core/storage/store.hpp"

namespace eco {

BackupScheduler::BackupScheduler(int interval_minutes, TimeMs now, Job job)
    : interval_ms_(interval_minutes * 60000LL),
      next_(interval_minutes > 0 ? now + interval_minutes * 60000LL : INT64_MAX),
      job_(std::move(job)) {}

BackupScheduler::~BackupScheduler() { join(); }

void BackupScheduler::join() {
  if (thread_.joinable()) thread_.join();
}

bool BackupScheduler::poll(TimeMs now) {
  if (now < next_ || running_) return false;
  join();
  running_ = true;
  next_ = now + interval_ms_;
  thread_ = std::thread([this] {
    job_();
    running_ = false;
  });
  return true;
}

BackupScheduler::Job database_backup_job(std::string db_path, std::string dir, int keep) {
  return [db_path = std::move(db_path), dir = std::move(dir), keep] {
    try {
      Store own(db_path);
      std::string written, err = backup_rotate(own, dir, keep, now_ms(), &written);
      if (!err.empty()) std::cerr << "backup failed: " << err << "\n";
    } catch (const std::exception& e) {
      std::cerr << "backup failed: " << e.what() << "\n";
    }
  };
}

}  // namespace eco
