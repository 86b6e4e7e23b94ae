// A thin RAII layer over the SQLite C API: a connection, prepared statements, and
// transactions that roll back unless committed. Errors throw DbError with SQLite's words.
#pragma once
#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace eco {

struct DbError : std::runtime_error {
  DbError(const std::string& what, int sqlite_code) : std::runtime_error(what), code(sqlite_code) {}
  int code;  // SQLite result code (SQLITE_FULL, SQLITE_READONLY, ...)
};

class Db;

class Stmt {
 public:
  Stmt(Db& db, std::string_view sql);
  ~Stmt();
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  Stmt(Stmt&& o) noexcept : db_(o.db_), s_(o.s_) { o.s_ = nullptr; }

  Stmt& bind(int i, std::int64_t v);
  Stmt& bind(int i, int v) { return bind(i, static_cast<std::int64_t>(v)); }
  Stmt& bind(int i, double v);
  Stmt& bind(int i, std::string_view v);
  Stmt& bind(int i, const char* v) { return bind(i, std::string_view(v)); }
  Stmt& bind(int i, const std::string& v) { return bind(i, std::string_view(v)); }
  // Bound without a copy: `v` must stay alive until the statement is reset (run() does).
  Stmt& bind_static(int i, std::string_view v);
  Stmt& bind_null(int i);
  Stmt& bind_blob(int i, std::string_view bytes);

  bool step();  // true while a row is ready
  void run() { step(); reset(); }
  void reset();

  std::int64_t i64(int col) const;
  double f64(int col) const;
  std::string_view text(int col) const;  // valid until the next step
  std::string_view blob(int col) const;  // valid until the next step
  bool is_null(int col) const;

 private:
  Db* db_;
  sqlite3_stmt* s_ = nullptr;
};

class Db {
 public:
  static constexpr int kBusyTimeoutMs = 10000;
  // Opens (creating when create is true) the database file.
  Db(const std::string& path, bool create = true, bool read_only = false);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  void exec(std::string_view sql);
  std::int64_t scalar(std::string_view sql);  // first column of first row, 0 when none
  std::int64_t last_insert_rowid() const;
  int changes() const;
  bool in_transaction() const;
  // While set, a running statement checks the flag every few thousand steps and
  // stops with an "interrupted" DbError once it is true. nullptr clears it.
  void set_cancel(const std::atomic<bool>* flag);
  sqlite3* raw() { return db_; }
  const std::string& path() const { return path_; }
  [[noreturn]] void fail(const std::string& what) const;

 private:
  // Waits for another connection's write lock in short polls (see sqlite.cpp).
  static int on_busy(void* self, int tries);
  std::chrono::steady_clock::time_point busy_since_{};
  sqlite3* db_ = nullptr;
  std::string path_;
};

// Rolls back on destruction unless commit() ran: an exception mid-save leaves nothing half-written.
class Transaction {
 public:
  explicit Transaction(Db& db, bool immediate = true);
  ~Transaction();
  void commit();
 private:
  Db& db_;
  bool done_ = false;
};

// "(?,?,?),(?,?,?)": the VALUES of a statement inserting `rows` rows of `columns`
// parameters each (one statement for many rows costs SQLite's per-statement work once).
std::string values_rows(int columns, int rows);

}  // namespace eco
