#include "core/storage/sqlite.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <thread>

namespace eco {

namespace {
// SQLite counts every allocation under a global mutex by default (memory statistics
// this program never reads): a demo or import batch allocates millions of times.
// Only settable before SQLite initialises; if something else initialised it first,
// the call is refused and the statistics stay on.
void without_memory_statistics() {
  static const bool once = [] {
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    return true;
  }();
  (void)once;
}
}  // namespace

Db::Db(const std::string& path, bool create, bool read_only) : path_(path) {
  without_memory_statistics();
  // A new database file is made here, 0600 whatever the umask, and never through a
  // planted link; SQLite gives its -wal and -shm the same mode as the file.
  if (create && !read_only && !path.empty() && path != ":memory:" && path.rfind("file:", 0) != 0) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd >= 0) ::close(fd);
  }
  int flags = read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0));
  int rc = sqlite3_open_v2(path.c_str(), &db_, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = "cannot open database " + path + ": " + (db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc));
    sqlite3_close(db_);
    db_ = nullptr;
    throw DbError(msg, rc);
  }
  sqlite3_extended_result_codes(db_, 1);
  // Another process (an import beside the kiosk, a backup) holding the write lock is
  // waited for, not reported as an error.
  sqlite3_busy_handler(db_, &Db::on_busy, this);
}

// SQLite's own busy timeout sleeps up to 100 ms between tries, so a writer that takes the
// lock again right after committing (an import's next batch) can starve a kiosk's save
// past its timeout: it only looks in at 100 ms steps and always finds the lock held.
// Polling every millisecond or two catches the gap an import leaves between batches.
int Db::on_busy(void* self, int tries) {
  auto* db = static_cast<Db*>(self);
  auto now = std::chrono::steady_clock::now();
  if (tries == 0) db->busy_since_ = now;
  if (now - db->busy_since_ >= std::chrono::milliseconds(kBusyTimeoutMs)) return 0;
  std::this_thread::sleep_for(std::chrono::microseconds(tries < 20 ? 500 : 2000));
  return 1;
}

Db::~Db() { sqlite3_close(db_); }

void Db::fail(const std::string& what) const {
  throw DbError(what + ": " + sqlite3_errmsg(db_) + " (" + path_ + ")", sqlite3_errcode(db_));
}

void Db::exec(std::string_view sql) {
  std::string s(sql);
  char* err = nullptr;
  if (sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    throw DbError(msg + " (" + path_ + ")", sqlite3_errcode(db_));
  }
}

std::int64_t Db::scalar(std::string_view sql) {
  Stmt s(*this, sql);
  return s.step() ? s.i64(0) : 0;
}

std::int64_t Db::last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }
int Db::changes() const { return sqlite3_changes(db_); }

Stmt::Stmt(Db& db, std::string_view sql) : db_(&db) {
  if (sqlite3_prepare_v3(db.raw(), sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &s_,
                         nullptr) != SQLITE_OK)
    db.fail("cannot prepare \"" + std::string(sql.substr(0, 60)) + "\"");
}

Stmt::~Stmt() { sqlite3_finalize(s_); }

Stmt& Stmt::bind(int i, std::int64_t v) {
  if (sqlite3_bind_int64(s_, i, v) != SQLITE_OK) db_->fail("bind");
  return *this;
}
Stmt& Stmt::bind(int i, double v) {
  if (sqlite3_bind_double(s_, i, v) != SQLITE_OK) db_->fail("bind");
  return *this;
}
Stmt& Stmt::bind(int i, std::string_view v) {
  if (sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT) != SQLITE_OK) db_->fail("bind");
  return *this;
}
Stmt& Stmt::bind_static(int i, std::string_view v) {
  if (sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC) != SQLITE_OK) db_->fail("bind");
  return *this;
}
Stmt& Stmt::bind_blob(int i, std::string_view v) {
  // A zero-length blob is still a blob, not NULL: pass a non-null pointer.
  static const char empty = 0;
  if (sqlite3_bind_blob(s_, i, v.empty() ? &empty : v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT) !=
      SQLITE_OK)
    db_->fail("bind");
  return *this;
}
Stmt& Stmt::bind_null(int i) {
  if (sqlite3_bind_null(s_, i) != SQLITE_OK) db_->fail("bind");
  return *this;
}

bool Stmt::step() {
  int rc = sqlite3_step(s_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  sqlite3_reset(s_);
  db_->fail("query failed");
}

void Stmt::reset() {
  sqlite3_reset(s_);
  sqlite3_clear_bindings(s_);
}

std::int64_t Stmt::i64(int col) const { return sqlite3_column_int64(s_, col); }
double Stmt::f64(int col) const { return sqlite3_column_double(s_, col); }
std::string_view Stmt::text(int col) const {
  auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s_, col));
  return p ? std::string_view(p, static_cast<std::size_t>(sqlite3_column_bytes(s_, col))) : std::string_view();
}
std::string_view Stmt::blob(int col) const {
  auto* p = static_cast<const char*>(sqlite3_column_blob(s_, col));
  return p ? std::string_view(p, static_cast<std::size_t>(sqlite3_column_bytes(s_, col))) : std::string_view();
}
bool Stmt::is_null(int col) const { return sqlite3_column_type(s_, col) == SQLITE_NULL; }

void Db::set_cancel(const std::atomic<bool>* flag) {
  if (!flag) {
    sqlite3_progress_handler(db_, 0, nullptr, nullptr);
    return;
  }
  sqlite3_progress_handler(
      db_, 10000, [](void* p) { return static_cast<const std::atomic<bool>*>(p)->load() ? 1 : 0; },
      const_cast<std::atomic<bool>*>(flag));
}

bool Db::in_transaction() const { return sqlite3_get_autocommit(db_) == 0; }

Transaction::Transaction(Db& db, bool immediate) : db_(db) { db_.exec(immediate ? "BEGIN IMMEDIATE" : "BEGIN"); }
Transaction::~Transaction() {
  if (!done_) {
    try { db_.exec("ROLLBACK"); } catch (...) {}  // the connection may already have rolled back
  }
}
void Transaction::commit() {
  db_.exec("COMMIT");
  done_ = true;
}

std::string values_rows(int columns, int rows) {
  std::string row = "(";
  for (int c = 0; c < columns; ++c) row += c ? ",?" : "?";
  row += ")";
  std::string out;
  for (int r = 0; r < rows; ++r) out += r ? "," + row : row;
  return out;
}

}  // namespace eco
