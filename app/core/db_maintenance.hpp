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
// Opens path after PRAGMA quick_check; only real damage (a failed check, a file that is
// not a database) is renamed to PATH.corrupt-YYYYMMDD-HHMMSS (with its -wal and -shm)
// and a fresh database created. A newer schema, a lock, a permission problem or a full
// disk leaves the file exactly where it is: DbError says why. Left-over temporaries of
// a killed backup or restore beside the database are removed.
OpenedStore open_store_checked(const std::string& path, TimeMs now);

// Online copy of the live database (SQLite's backup API) to dest through SafeFile
// (exclusive 0600 temporary, fsync, rename, folder fsync). "" on success, else why not.
std::string backup_database(Store& store, const std::string& dest, bool replace = true);

// A dated backup in folder (ecokiosk-YYYYMMDD-HHMMSS.db), keeping the newest `keep`.
std::string backup_rotate(Store& store, const std::string& folder, int keep, TimeMs now, std::string* written = nullptr);
std::vector<std::string> list_backups(const std::string& folder);  // oldest first

// Replaces db_path with the backup. The backup is checked first (sound, an EcoKiosk
// database, not newer than this program), copied beside the database, checked and
// migrated there; the current database is copied to DB.before-restore-YYYYMMDD-HHMMSS;
// the swap is a rename, last. On any failure the live database is untouched. Refused
// while another process has the database open.
std::string restore_database(const std::string& backup, const std::string& db_path, TimeMs now,
                             std::string* moved_aside = nullptr);

std::string dated_suffix(TimeMs now);  // "YYYYMMDD-HHMMSS" (UTC)

}  // namespace eco
