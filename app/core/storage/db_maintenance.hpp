// Keeping the database alive for months unattended: a corrupt file found at start-up
// is moved aside (never deleted) and a fresh one started; online backups rotate in a
// folder; a backup can be restored.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/storage/store.hpp"
#include "core/support/time.hpp"

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
// `progress` as Store's: an older file's update reports (responses done, of total).
OpenedStore open_store_checked(const std::string& path, TimeMs now, const Store::MigrationProgress& progress = {});

// True when opening path has a long update to do, which on a large file takes a while
// (the kiosk then shows its progress): an EcoKiosk database of an older schema, or one
// whose indicator cells are counted on another threshold or UTC offset than `clock`
// (Store::recount_cells). Anything else (no file, a newer one, not a database,
// unreadable) is false: the ordinary open says what is wrong.
bool migration_pending(const std::string& path, const CellQuery& clock);

// Online copy of the live database (SQLite's backup API) to dest through SafeFile
// (exclusive 0600 temporary, fsync, rename, folder fsync). "" on success, else why not.
// An existing dest is refused unless replace; a dest-wal or dest-shm always (it would
// be read as the new file's log, and a process may be using it).
std::string backup_database(Store& store, const std::string& dest, bool replace = true);
// Why dest may not receive a backup (the checks backup_database makes first), or "".
std::string backup_target_problem(const std::string& dest, bool replace);

// A dated backup in folder (ecokiosk-YYYYMMDD-HHMMSS.db), keeping the newest `keep`.
std::string backup_rotate(Store& store, const std::string& folder, int keep, TimeMs now, std::string* written = nullptr);
std::vector<std::string> list_backups(const std::string& folder);  // oldest first

// Replaces db_path (a link: its target, the link stays) with the backup. The backup is
// read from a private copy (nothing is written beside it), checked (sound, an EcoKiosk
// database, not newer than this program), copied beside the database, checked and
// migrated there; the current database is then locked exclusively (refused when
// another connection has it open), copied to DB.before-restore-YYYYMMDD-HHMMSS (with
// -2, -3... when taken), and the swap is a rename, last, under that lock. On any
// failure the live database is untouched. before_swap runs under the lock just
// before the rename (tests open the database there).
std::string restore_database(const std::string& backup, const std::string& db_path, TimeMs now,
                             std::string* moved_aside = nullptr, const std::function<void()>& before_swap = {});

std::string dated_suffix(TimeMs now);  // "YYYYMMDD-HHMMSS" (UTC)

}  // namespace eco
