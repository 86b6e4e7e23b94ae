// Keeping the database alive for months unattended: a corrupt file found at start-up
// is moved aside (never deleted) and a fresh one started; online backups rotate in a
// folder; a backup can be restored.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "core/store.hpp"

namespace eco {

struct OpenedStore {
  std::unique_ptr<Store> store;
  std::string moved_aside;  // where a corrupt file went ("" when none)
  std::string problem;      // what was wrong with it
};
// Opens path after PRAGMA quick_check; a file that fails is renamed to
// PATH.corrupt-YYYYMMDD-HHMMSS (with its -wal and -shm) and a fresh database created.
// Throws DbError only when even a fresh database cannot be made.
OpenedStore open_store_checked(const std::string& path, TimeMs now);

// Online copy of the live database (SQLite's backup API) to dest, written as dest.part
// and renamed. "" on success, else why not.
std::string backup_database(Store& store, const std::string& dest);

// A dated backup in folder (ecokiosk-YYYYMMDD-HHMMSS.db), keeping the newest `keep`.
std::string backup_rotate(Store& store, const std::string& folder, int keep, TimeMs now, std::string* written = nullptr);
std::vector<std::string> list_backups(const std::string& folder);  // oldest first

// Replaces db_path with the backup after checking the backup is sound; the current
// file is moved aside with a dated name first.
std::string restore_database(const std::string& backup, const std::string& db_path, TimeMs now,
                             std::string* moved_aside = nullptr);

std::string dated_suffix(TimeMs now);  // "YYYYMMDD-HHMMSS" (UTC)

}  // namespace eco
