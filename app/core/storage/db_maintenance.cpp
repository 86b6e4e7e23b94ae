#include "core/storage/db_maintenance.hpp"
#include "core/storage/store_access.hpp"
#include "core/storage/store_cells.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <functional>

#include "core/support/safe_file.hpp"
#include "core/support/time.hpp"
#include "core/support/ids.hpp"

namespace eco {

namespace fs = std::filesystem;

std::string dated_suffix(TimeMs now) {
  std::string iso = to_iso_utc(now);  // 2019-06-21T03:30:00.250Z
  return iso.substr(0, 4) + iso.substr(5, 2) + iso.substr(8, 2) + "-" + iso.substr(11, 2) + iso.substr(14, 2) +
         iso.substr(17, 2);
}

namespace {

bool is_damage(int code) {
  int primary = code & 0xff;
  return primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB;
}

// What quick_check says about a file. damaged is set only for real damage (a failed
// check, or not a database at all); a lock, a permission problem or a full disk is a
// reason the file cannot be opened now, never a reason to set it aside.
struct Verdict {
  bool ok = false, damaged = false;
  std::string why;
};
Verdict check_file(const std::string& path) {
  Verdict v;
  try {
    Db db(path, false, true);
    // A file held exclusively by another process is a reason to wait a little, then
    // to report, never damage.
    sqlite3_busy_timeout(db.raw(), 2000);
    Stmt s(db, "PRAGMA quick_check");
    std::string result;
    while (s.step()) {
      if (!result.empty()) result += "; ";
      result += s.text(0);
    }
    v.ok = result == "ok";
    v.damaged = !v.ok;
    v.why = result.empty() ? "no answer from quick_check" : result;
  } catch (const DbError& e) {
    v.damaged = is_damage(e.code);
    v.why = e.what();
  }
  return v;
}

std::string move_aside(const std::string& path, TimeMs now) {
  std::string to = path + ".corrupt-" + dated_suffix(now);
  std::error_code ec;
  fs::rename(path, to, ec);
  if (ec) return "";
  for (const char* ext : {"-wal", "-shm"})
    if (fs::exists(path + ext)) fs::rename(path + ext, to + ext, ec);
  sync_dir(fs::path(path).parent_path().string());
  return to;
}

// Copies the database open in `from` into a new file at `to` (written through SafeFile:
// exclusive 0600 temporary, fsync, rename) with SQLite's online backup API, which
// reads what the source's -wal holds. "" on success.
std::string copy_database(sqlite3* from, const std::string& to, bool replace) {
  SafeFile file(to);
  if (!file.ok()) return file.error();
  sqlite3* dest = nullptr;
  // The temporary exists and is ours: open it without following links, without a
  // journal (a failed copy is thrown away whole), and sync it ourselves at the end.
  int rc = sqlite3_open_v2(file.temp_path().c_str(), &dest, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW, nullptr);
  auto fail = [&](const std::string& what) {
    std::string why = dest ? sqlite3_errmsg(dest) : sqlite3_errstr(rc);
    sqlite3_close(dest);
    return what + ": " + why;
  };
  if (rc != SQLITE_OK) return fail("cannot open " + file.temp_path());
  sqlite3_exec(dest, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF", nullptr, nullptr, nullptr);
  sqlite3_backup* b = sqlite3_backup_init(dest, "main", from, "main");
  if (!b) return fail("backup failed");
  // Small steps let the kiosk keep writing between them.
  do {
    rc = sqlite3_backup_step(b, 256);
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) sqlite3_sleep(20);
  } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
  sqlite3_backup_finish(b);
  if (rc != SQLITE_DONE) {
    std::string why = sqlite3_errmsg(dest);
    if (why == "not an error" || why.empty()) why = sqlite3_errstr(rc);
    sqlite3_close(dest);
    return "copy failed: " + why;
  }
  if (sqlite3_close(dest) != SQLITE_OK) return "copy failed: cannot close " + file.temp_path();
  return file.commit(replace);
}

}  // namespace

bool migration_pending(const std::string& path, const CellQuery& clock) {
  std::error_code ec;
  if (path == ":memory:" || !fs::is_regular_file(path, ec) || fs::file_size(path, ec) == 0) return false;
  try {
    Db db(path, false, true);
    sqlite3_busy_timeout(db.raw(), 2000);
    std::int64_t v = db.scalar("PRAGMA user_version");
    // At the current schema, the cells (an older file's update counts them on the clock
    // the file holds; the recount then follows in the same open).
    return (v >= 1 && v < Store::kSchemaVersion) || (v == Store::kSchemaVersion && !cells_answer(db, clock));
  } catch (const DbError&) {
    return false;
  }
}

OpenedStore open_store_checked(const std::string& path, TimeMs now, const Store::MigrationProgress& progress) {
  OpenedStore out;
  if (path == ":memory:") {
    out.store = std::make_unique<Store>(path);
    return out;
  }
  // Temporaries of a backup or restore killed part-way.
  auto dir = fs::path(path).parent_path();
  clean_stale_parts(dir.empty() ? std::string(".") : dir.string(), fs::path(path).filename().string() + ".part-");
  std::error_code ec;
  if (fs::exists(path, ec) && fs::is_regular_file(path, ec) && fs::file_size(path, ec) > 0) {
    Verdict v = check_file(path);
    if (v.damaged) {
      out.problem = v.why;
      out.moved_aside = move_aside(path, now);
      if (out.moved_aside.empty()) throw DbError("database " + path + " is damaged (" + v.why + ") and cannot be moved aside", 0);
    } else if (!v.ok) {
      // Locked, unreadable, a full disk...: the file stays where it is, untouched.
      throw DbError("cannot open the database " + path + ": " + v.why, 0);
    }
  }
  try {
    out.store = std::make_unique<Store>(path, progress);
  } catch (const DbError& e) {
    // Damage quick_check could not see (e.g. a header SQLite refuses while migrating).
    // A newer schema, a lock, a permission problem or a full disk is no damage: the
    // file is left exactly where it is and the reason goes to the caller.
    if (!out.moved_aside.empty() || !is_damage(e.code)) throw;
    out.problem = e.what();
    out.moved_aside = move_aside(path, now);
    if (out.moved_aside.empty()) throw;
    out.store = std::make_unique<Store>(path, progress);
  }
  return out;
}

std::string backup_target_problem(const std::string& dest, bool replace) {
  // A -wal or -shm under the new file's name would be read as its log by the next
  // opener (a stale one corrupts it), and may belong to a process using that file.
  for (const char* ext : {"-wal", "-shm"}) {
    std::error_code ec;
    if (fs::symlink_status(dest + ext, ec).type() != fs::file_type::not_found)
      return "backup to " + dest + " refused: " + dest + ext + " exists (a database of that name may be in use); choose another file";
  }
  if (!replace)
    if (std::string e = refuse_existing(dest); !e.empty()) return "backup to " + dest + " refused: " + e;
  return "";
}

std::string backup_database(Store& store, const std::string& dest, bool replace) {
  if (std::string e = backup_target_problem(dest, replace); !e.empty()) return e;
  if (auto parent = fs::path(dest).parent_path(); !parent.empty())
    if (std::string e = make_private_dirs(parent.string()); !e.empty()) return e;
  std::string err = copy_database(StoreAccess::db(store).raw(), dest, replace);
  return err.empty() ? "" : "backup to " + dest + " failed: " + err;
}

std::vector<std::string> list_backups(const std::string& folder) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(folder, ec)) {
    std::string name = e.path().filename().string();
    if (name.rfind("ecokiosk-", 0) == 0 && e.path().extension() == ".db") out.push_back(e.path().string());
  }
  std::sort(out.begin(), out.end());  // the dated names sort by time
  return out;
}

std::string backup_rotate(Store& store, const std::string& folder, int keep, TimeMs now, std::string* written) {
  std::string dest = (fs::path(folder) / ("ecokiosk-" + dated_suffix(now) + ".db")).string();
  if (std::string e = make_private_dirs(folder); !e.empty()) return e;
  clean_stale_parts(folder, "ecokiosk-");  // temporaries of a backup killed part-way
  if (std::string err = backup_database(store, dest); !err.empty()) return err;
  if (written) *written = dest;
  auto all = list_backups(folder);
  std::error_code ec;
  for (std::size_t i = 0; keep > 0 && all.size() > static_cast<std::size_t>(keep) && i < all.size() - static_cast<std::size_t>(keep); ++i)
    fs::remove(all[i], ec);
  return "";
}

std::string restore_database(const std::string& backup, const std::string& db_path_in, TimeMs now,
                             std::string* moved_aside, const std::function<void()>& before_swap) {
  std::error_code ec;
  if (!fs::is_regular_file(backup, ec)) return "no such backup: " + backup;
  // A --db that is a link names its target: the target is restored and the link stays
  // (renaming over the link would leave the real database unrestored beside it).
  std::string db_path = db_path_in;
  if (fs::is_symlink(fs::symlink_status(db_path_in, ec))) {
    fs::path real = fs::canonical(db_path_in, ec);
    if (ec) return "the database link " + db_path_in + " points nowhere: " + ec.message();
    db_path = real.string();
  }
  std::string dir = fs::path(db_path).parent_path().string();
  if (!dir.empty())
    if (std::string e = make_private_dirs(dir); !e.empty()) return e;
  // Named like SafeFile temporaries, so a restore killed part-way is cleaned up at the
  // next start.
  std::string staged = db_path + ".part-" + new_uuid().substr(0, 6);
  std::string source = db_path + ".part-" + new_uuid().substr(0, 6);
  struct Staged {
    std::string p;
    ~Staged() {
      for (const char* ext : {"", "-wal", "-shm", "-journal"}) unlink((p + ext).c_str());
    }
  } staged_guard{staged}, source_guard{source};
  // 1. The backup is read from a private copy (its -wal too, so that counts): SQLite
  //    writes nothing beside the backup itself (no -wal or -shm left on a USB stick).
  // copy_file gives the copies the backup's mode: made private at once.
  fs::copy_file(backup, source, ec);
  if (!ec) fs::permissions(source, fs::perms::owner_read | fs::perms::owner_write, ec);
  if (ec) return "cannot read the backup " + backup + ": " + ec.message();
  if (fs::exists(backup + "-wal", ec)) {
    fs::copy_file(backup + "-wal", source + "-wal", ec);
    if (!ec) fs::permissions(source + "-wal", fs::perms::owner_read | fs::perms::owner_write, ec);
    if (ec) return "cannot read the backup's log " + backup + "-wal: " + ec.message();
  }
  //    Checked before anything changes: sound, an EcoKiosk database, and not from a
  //    newer program.
  Verdict v = check_file(source);
  if (!v.ok) return "the backup " + backup + " is not sound: " + v.why;
  try {
    Db src(source, false, true);
    if (std::string why = ecokiosk_schema_problem(src); !why.empty()) return "the backup " + backup + " " + why;
    // 2. Copied (through SQLite) beside the database, checked again, and brought to
    //    the current schema: all on the copy.
    if (std::string e = copy_database(src.raw(), staged, false); !e.empty()) return "cannot copy the backup: " + e;
  } catch (const DbError& e) {
    return "the backup " + backup + " cannot be read: " + e.what();
  }
  if (Verdict c = check_file(staged); !c.ok) return "the copy of the backup is not sound: " + c.why;
  try {
    Store migrated(staged);
    migrated.checkpoint();
  } catch (const DbError& e) {
    return "cannot bring the backup to the current schema: " + std::string(e.what());
  }
  if (fs::exists(staged + "-wal")) return "cannot restore: the copy's log was not folded in";
  {
    int fd = open(staged.c_str(), O_RDONLY | O_CLOEXEC);
    bool synced = fd >= 0 && fsync(fd) == 0;
    if (fd >= 0) close(fd);
    if (!synced) return "cannot flush the restored copy to disk";
  }
  // 3. The current database is locked exclusively from here through the swap: out of
  //    WAL (which needs every other connection gone), locking_mode EXCLUSIVE and one
  //    write, so any connection opened meanwhile gets SQLITE_BUSY instead of saving
  //    into the file about to be replaced. Then it is kept as a copy under a name no
  //    other restore has used.
  std::unique_ptr<Db> live;
  const std::string in_use = "the database " + db_path + " is in use (is the kiosk running?); stop it and restore again";
  if (fs::exists(db_path, ec)) {
    try {
      live = std::make_unique<Db>(db_path, false, false);
      sqlite3_busy_timeout(live->raw(), 500);
      live->exec("PRAGMA locking_mode=EXCLUSIVE");
      std::string mode;
      {
        Stmt m(*live, "PRAGMA journal_mode=DELETE");
        if (m.step()) mode = m.text(0);
      }
      if (mode != "delete") return in_use;
      live->exec("BEGIN IMMEDIATE; CREATE TABLE ecokiosk_restore_lock(x); DROP TABLE ecokiosk_restore_lock; COMMIT");
    } catch (const DbError& e) {
      int primary = e.code & 0xff;
      if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) return in_use;
      return "cannot lock the current database " + db_path + ": " + std::string(e.what());
    }
    // The last connection to close deletes the -wal: one left means another is open.
    if (fs::exists(db_path + "-wal", ec)) return in_use;
    std::string base = db_path + ".before-restore-" + dated_suffix(now), aside;
    for (int n = 1; n <= 1000 && aside.empty(); ++n) {
      std::string name = n == 1 ? base : base + "-" + std::to_string(n);
      if (fs::symlink_status(name, ec).type() != fs::file_type::not_found) continue;
      std::string e = copy_database(live->raw(), name, false);
      if (e.empty()) {
        aside = name;
      } else if (fs::symlink_status(name, ec).type() == fs::file_type::not_found) {
        return "cannot keep the current database aside: " + e;
      }  // else another restore took the name between the check and the rename
    }
    if (aside.empty()) return "cannot keep the current database aside: no free name like " + base;
    if (moved_aside) *moved_aside = aside;
  }
  if (before_swap) before_swap();
  // 4. The swap, last and atomic: the database is the old one or the restored one.
  for (const char* ext : {"-wal", "-shm"}) unlink((db_path + ext).c_str());
  if (std::rename(staged.c_str(), db_path.c_str()) != 0) {
    std::string why = std::strerror(errno);
    if (moved_aside && !moved_aside->empty()) unlink(moved_aside->c_str());
    return "cannot put the backup in place: " + why;
  }
  sync_dir(dir.empty() ? std::string(".") : dir);
  live.reset();  // the lock on the old file, now unlinked, goes last
  return "";
}

}  // namespace eco
