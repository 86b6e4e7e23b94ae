#include "core/db_maintenance.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <filesystem>

#include "core/util.hpp"

namespace eco {

namespace fs = std::filesystem;

std::string dated_suffix(TimeMs now) {
  std::string iso = to_iso_utc(now);  // 2019-06-21T03:30:00.250Z
  return iso.substr(0, 4) + iso.substr(5, 2) + iso.substr(8, 2) + "-" + iso.substr(11, 2) + iso.substr(14, 2) +
         iso.substr(17, 2);
}

namespace {

// "ok" or SQLite's complaint; opening itself may fail on a file that is not a database.
std::string check_file(const std::string& path) {
  try {
    Db db(path, false, true);
    Stmt s(db, "PRAGMA quick_check");
    std::string result;
    while (s.step()) {
      if (!result.empty()) result += "; ";
      result += s.text(0);
    }
    return result.empty() ? "no answer from quick_check" : result;
  } catch (const DbError& e) {
    return e.what();
  }
}

std::string move_aside(const std::string& path, TimeMs now) {
  std::string to = path + ".corrupt-" + dated_suffix(now);
  std::error_code ec;
  fs::rename(path, to, ec);
  if (ec) return "";
  for (const char* ext : {"-wal", "-shm"})
    if (fs::exists(path + ext)) fs::rename(path + ext, to + ext, ec);
  return to;
}

}  // namespace

OpenedStore open_store_checked(const std::string& path, TimeMs now) {
  OpenedStore out;
  if (path != ":memory:" && fs::exists(path) && fs::file_size(path) > 0) {
    std::string verdict = check_file(path);
    if (verdict != "ok") {
      out.problem = verdict;
      out.moved_aside = move_aside(path, now);
      if (out.moved_aside.empty()) throw DbError("database " + path + " is damaged (" + verdict + ") and cannot be moved aside", 0);
    }
  }
  try {
    out.store = std::make_unique<Store>(path);
  } catch (const DbError& e) {
    // Damage quick_check could not see (e.g. a header SQLite refuses while migrating).
    if (!out.moved_aside.empty() || path == ":memory:") throw;
    out.problem = e.what();
    out.moved_aside = move_aside(path, now);
    if (out.moved_aside.empty()) throw;
    out.store = std::make_unique<Store>(path);
  }
  return out;
}

std::string backup_database(Store& store, const std::string& dest) {
  std::string part = dest + ".part";
  std::error_code ec;
  if (auto parent = fs::path(dest).parent_path(); !parent.empty()) fs::create_directories(parent, ec);
  fs::remove(part, ec);
  sqlite3* to = nullptr;
  if (sqlite3_open(part.c_str(), &to) != SQLITE_OK) {
    std::string why = to ? sqlite3_errmsg(to) : "out of memory";
    sqlite3_close(to);
    return "cannot create " + part + ": " + why;
  }
  sqlite3_backup* b = sqlite3_backup_init(to, "main", store.db().raw(), "main");
  if (!b) {
    std::string why = sqlite3_errmsg(to);
    sqlite3_close(to);
    fs::remove(part, ec);
    return "backup failed: " + why;
  }
  // Small steps let the kiosk keep writing between them.
  int rc;
  do {
    rc = sqlite3_backup_step(b, 256);
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) sqlite3_sleep(20);
  } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
  sqlite3_backup_finish(b);
  std::string why = rc == SQLITE_DONE ? "" : sqlite3_errmsg(to);
  sqlite3_close(to);
  if (rc != SQLITE_DONE) {
    fs::remove(part, ec);
    return "backup failed: " + why;
  }
  fs::rename(part, dest, ec);
  if (ec) return "cannot rename " + part + ": " + ec.message();
  return "";
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
  if (std::string err = backup_database(store, dest); !err.empty()) return err;
  if (written) *written = dest;
  auto all = list_backups(folder);
  std::error_code ec;
  for (std::size_t i = 0; keep > 0 && all.size() > static_cast<std::size_t>(keep) && i < all.size() - static_cast<std::size_t>(keep); ++i)
    fs::remove(all[i], ec);
  return "";
}

std::string restore_database(const std::string& backup, const std::string& db_path, TimeMs now,
                             std::string* moved_aside) {
  if (!fs::exists(backup)) return "no such backup: " + backup;
  if (std::string v = check_file(backup); v != "ok") return "the backup " + backup + " is not sound: " + v;
  std::error_code ec;
  if (fs::exists(db_path)) {
    std::string to = db_path + ".before-restore-" + dated_suffix(now);
    fs::rename(db_path, to, ec);
    if (ec) return "cannot move the current database aside: " + ec.message();
    for (const char* ext : {"-wal", "-shm"})
      if (fs::exists(db_path + ext)) fs::rename(db_path + ext, to + ext, ec);
    if (moved_aside) *moved_aside = to;
  }
  fs::copy_file(backup, db_path + ".part", fs::copy_options::overwrite_existing, ec);
  if (ec) return "cannot copy the backup: " + ec.message();
  fs::rename(db_path + ".part", db_path, ec);
  if (ec) return "cannot put the backup in place: " + ec.message();
  return "";
}

}  // namespace eco
